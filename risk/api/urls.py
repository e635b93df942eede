"""Customer API of the risk app, mounted under /api/v1/ (no trailing slashes)."""

from django.urls import URLPattern, URLResolver, path

from risk.api import views

app_name = "risk"

urlpatterns: list[URLPattern | URLResolver] = [
    path("risk/challenges/<uuid:public_id>/confirm", views.ChallengeConfirmApi.as_view(), name="challenge-confirm"),
    path("risk/notices", views.NoticeListApi.as_view(), name="notices"),
    path("risk/reviews", views.ReviewListApi.as_view(), name="reviews"),
]
