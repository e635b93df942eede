"""Customer API of messages, articles and bank products, mounted under /api/v1/ (no trailing slashes)."""

from django.urls import URLPattern, URLResolver, path

from feedback.api import messages, products

urlpatterns: list[URLPattern | URLResolver] = [
    path("inbox", messages.InboxListApi.as_view(), name="inbox"),
    path("inbox/unread-count", messages.InboxUnreadCountApi.as_view(), name="inbox-unread-count"),
    path("inbox/<uuid:public_id>", messages.InboxItemApi.as_view(), name="inbox-item"),
    path("inbox/<uuid:public_id>/read", messages.InboxReadApi.as_view(), name="inbox-item-read"),
    path("articles", messages.ArticleListApi.as_view(), name="articles"),
    path("products", products.ProductListApi.as_view(), name="products"),
    path("leads", products.LeadListApi.as_view(), name="leads"),
    path("leads/<uuid:public_id>", products.LeadApi.as_view(), name="lead"),
    path("leads/<uuid:public_id>/withdraw", products.LeadWithdrawApi.as_view(), name="lead-withdraw"),
]
