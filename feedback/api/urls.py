"""Customer API of feedback, tickets and surveys, mounted under /api/v1/ (no trailing slashes).
Messages, articles and products are in ``urls_messages``."""

from django.urls import URLPattern, URLResolver, include, path

from feedback.api import surveys, tickets

urlpatterns: list[URLPattern | URLResolver] = [
    path("feedback", tickets.FeedbackListApi.as_view(), name="feedback"),
    path("feedback/<uuid:public_id>", tickets.FeedbackDetailApi.as_view(), name="feedback-detail"),
    path(
        "feedback/attachments/<uuid:public_id>",
        tickets.AttachmentDownloadApi.as_view(),
        name="feedback-attachment",
    ),
    path("tickets", tickets.TicketListApi.as_view(), name="tickets"),
    path("tickets/<uuid:public_id>", tickets.TicketDetailApi.as_view(), name="ticket-detail"),
    path("tickets/<uuid:public_id>/messages", tickets.TicketMessageCreateApi.as_view(), name="ticket-messages"),
    path("tickets/<uuid:public_id>/rating", tickets.TicketRateApi.as_view(), name="ticket-rating"),
    path("surveys/invitations", surveys.SurveyInvitationListApi.as_view(), name="survey-invitations"),
    path("surveys/invitations/<uuid:public_id>/answer", surveys.SurveyAnswerApi.as_view(), name="survey-answer"),
    path("", include("feedback.api.urls_messages")),  # inbox, articles, products, leads
]
