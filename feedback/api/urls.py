from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("feedback.api.urls_messages")),  # inbox, articles, products, leads
]
