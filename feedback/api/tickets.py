"""Customer API of feedback and tickets: send feedback (with screenshots), my feedback, a
screenshot's bytes, my tickets, answer a ticket, rate its handling.

Thin views: validate, one selector or service call, render; the one error format; documented with
``core.api_docs.api_operation`` (tag "Feedback"); lists page with ``core.pagination``. Own data only:
another customer's feedback, screenshot or ticket is the same 404 as one that does not exist."""

from __future__ import annotations

import uuid
from typing import Any

from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Customer
from core.api_docs import api_operation
from core.fields import ApiDateTimeField, StrictCharField
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer
from core.parsers import BoundedJSONParser
from core.throttling import FailOpenUserRateThrottle, GuardedScopedRateThrottle
from core.validators import reject_card_numbers
from feedback import selectors_tickets as selectors
from feedback.api import examples_tickets as ex
from feedback.downloads import attachment_response
from feedback.errors_tickets import FeedbackNotFound
from feedback.models import Feedback, Ticket, TicketMessage
from feedback.services import tickets as services

__all__ = [
    "AttachmentDownloadApi",
    "FeedbackDetailApi",
    "FeedbackListApi",
    "TicketDetailApi",
    "TicketListApi",
    "TicketMessageCreateApi",
    "TicketRateApi",
]

TAG = "Feedback"
PAGE_ERRORS = ["invalid_cursor", "invalid_page_size", "throttled"]
TEXT_MAX = 2000


def _customer(request: Request) -> Customer:
    user = request.user
    assert isinstance(user, Customer)
    return user


class FeedbackDailyThrottle(GuardedScopedRateThrottle):
    """A second scope on sending feedback (``feedback``, per customer and day): each request may store
    up to 1 MiB of screenshots, so the per-minute ``sensitive`` scope alone left the disk unbounded."""

    scope_attr = "daily_throttle_scope"


class _WriteThrottled(APIView):
    """POSTs are limited per customer (scope ``sensitive``); reads by the general user rate."""

    throttle_classes = [FailOpenUserRateThrottle, GuardedScopedRateThrottle]
    throttle_scope = "sensitive"

    def get_throttles(self) -> list[Any]:
        return super().get_throttles() if self.request.method == "POST" else [FailOpenUserRateThrottle()]


@extend_schema_serializer(component_name="FeedbackAttachment")
class AttachmentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    content_type = serializers.CharField(help_text="Sniffed from the bytes: image/png, image/jpeg or image/webp.")
    size_bytes = serializers.IntegerField()


@extend_schema_serializer(component_name="Feedback")
class FeedbackSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    category = serializers.ChoiceField(choices=Feedback.Category.choices)
    rating = serializers.IntegerField()
    text = serializers.CharField()
    transaction_id = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True)
    ticket_id = serializers.SerializerMethodField(help_text="The ticket a COMPLAINT opened; null otherwise.")
    created_at = ApiDateTimeField()

    @extend_schema_field(OpenApiTypes.UUID)
    def get_transaction_id(self, obj: Feedback) -> str | None:
        return str(obj.transfer.public_id) if obj.transfer_id and obj.transfer else None

    @extend_schema_field(OpenApiTypes.UUID)
    def get_ticket_id(self, obj: Feedback) -> str | None:
        ticket = getattr(obj, "ticket", None)  # a missing reverse one-to-one raises an AttributeError subclass
        return str(ticket.public_id) if ticket is not None else None


@extend_schema_serializer(component_name="TicketMessage")
class TicketMessageSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    author = serializers.ChoiceField(choices=[c for c in TicketMessage.Author.choices if c[0] != "SYSTEM"])
    text = serializers.CharField()
    created_at = ApiDateTimeField()


@extend_schema_serializer(component_name="TicketSummary")
class TicketSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    feedback_id = serializers.UUIDField(source="feedback.public_id")
    status = serializers.ChoiceField(choices=Ticket.Status.choices)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices)
    due_at = ApiDateTimeField(help_text="When the bank promised an answer (SLA by priority).")
    resolved_at = ApiDateTimeField(allow_null=True)
    closed_at = ApiDateTimeField(allow_null=True)
    handling_rating = serializers.IntegerField(allow_null=True, help_text="My rating of the handling (1-5), once.")
    created_at = ApiDateTimeField()


@extend_schema_serializer(component_name="Ticket")
class TicketSerializer(TicketSummarySerializer):
    messages = serializers.SerializerMethodField(help_text="The conversation, oldest first (mine and the bank's).")

    @extend_schema_field(TicketMessageSerializer(many=True))
    def get_messages(self, obj: Ticket) -> list[dict[str, Any]]:
        shown = [m for m in obj.messages.all() if m.author != TicketMessage.Author.SYSTEM]
        return list(TicketMessageSerializer(shown, many=True).data)


class FeedbackListApi(_WriteThrottled):
    parser_classes = [MultiPartParser, BoundedJSONParser]
    daily_throttle_scope = "feedback"

    def get_throttles(self) -> list[Any]:
        throttles = super().get_throttles()
        return [*throttles, FeedbackDailyThrottle()] if self.request.method == "POST" else throttles

    @extend_schema_serializer(component_name="FeedbackCreateInput")
    class InputSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=Feedback.Category.choices)
        rating = serializers.IntegerField(min_value=1, max_value=5, help_text="1 (very bad) to 5 (very good).")
        text = StrictCharField(max_length=TEXT_MAX, validators=[reject_card_numbers])
        transaction_id = serializers.UUIDField(
            required=False, allow_null=True, help_text="One of my transactions (`GET /api/v1/transactions`)."
        )
        attachments = serializers.ListField(
            child=serializers.FileField(allow_empty_file=False),
            required=False,
            help_text="Screenshots (multipart only): PNG, JPEG or WebP, checked from their bytes.",
        )

    @api_operation(
        "feedback_list",
        tag=TAG,
        summary="My feedback",
        description="The feedback I sent, newest first, with its screenshots and the ticket a complaint opened.",
        parameters=PAGE_PARAMETERS,
        response=page_serializer("FeedbackPage", FeedbackSerializer(many=True)),
        response_example=ex.page("feedback", ex.FEEDBACK),
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = selectors.feedback_page_for_customer(customer=_customer(request), token=token, size=size)
        return Response(page_body(request, FeedbackSerializer(page.items, many=True).data, page))

    @api_operation(
        "feedback_create",
        tag=TAG,
        summary="Send feedback",
        description=(
            "Send a problem, suggestion, complaint or praise: `rating` 1-5, `text` (1-2000 characters, no bank "
            "card number), optionally `transaction_id` (one of my transactions) and, as `multipart/form-data`, "
            "up to 3 `attachments` (screenshots). A screenshot's type is read from its bytes: PNG, JPEG or "
            "WebP only (a renamed file of another type is refused), each at most 512 KiB by default and the "
            "whole request at most 1 MiB. At most 20 feedback a day by default (429 `throttled`). A COMPLAINT opens a ticket (`ticket_id`) for my home branch; its "
            "answers appear in `GET /api/v1/tickets/{id}`.\n\n"
            "Refusals (nothing is stored): 400 `invalid_request` (empty text, rating out of range...), 404 "
            "`transaction_not_found` (no such transaction of mine), 413 `attachment_too_large`, 415 "
            "`attachment_type_not_allowed`, 400 `too_many_attachments`."
        ),
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        request_example=ex.FEEDBACK_REQUEST,
        response=FeedbackSerializer,
        response_example=ex.FEEDBACK,
        status=201,
        errors=[
            "invalid_request",
            "malformed_request",
            "card_number_in_text",
            "transaction_not_found",
            "too_many_attachments",
            "attachment_too_large",
            "attachment_type_not_allowed",
            "request_too_large",
            "throttled",
            "rate_limit_unavailable",
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        feedback = services.feedback_create(
            customer=_customer(request),
            category=values["category"],
            rating=values["rating"],
            text=values["text"],
            transaction_id=values.get("transaction_id"),
            files=values.get("attachments") or [],
        )
        shown = selectors.feedback_get_for_customer(customer=_customer(request), public_id=feedback.public_id)
        return Response(FeedbackSerializer(shown).data, status=status.HTTP_201_CREATED)


class FeedbackDetailApi(APIView):
    @api_operation(
        "feedback_get",
        tag=TAG,
        summary="One feedback of mine",
        response=FeedbackSerializer,
        response_example=ex.FEEDBACK,
        errors=["not_found", "throttled"],
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        feedback = selectors.feedback_get_for_customer(customer=_customer(request), public_id=public_id)
        if feedback is None:
            raise FeedbackNotFound()
        return Response(FeedbackSerializer(feedback).data)


class AttachmentDownloadApi(APIView):
    @api_operation(
        "feedback_attachment_get",
        tag=TAG,
        summary="A screenshot of mine",
        description=(
            "The bytes of a screenshot I attached, with the type sniffed at upload (`Content-Type`), as a "
            "download. Another customer's screenshot is a 404."
        ),
        response=OpenApiTypes.BINARY,
        response_media_type="image/png",
        response_example="<PNG bytes>",
        errors=["not_found", "throttled"],
    )
    def get(self, request: Request, public_id: uuid.UUID) -> HttpResponseBase:
        attachment = selectors.attachment_get_for_customer(customer=_customer(request), public_id=public_id)
        if attachment is None:
            raise FeedbackNotFound()
        return attachment_response(attachment)


class TicketListApi(APIView):
    @api_operation(
        "tickets_list",
        tag=TAG,
        summary="My tickets",
        description="Tickets my complaints opened, newest first, with their status and SLA deadline.",
        parameters=PAGE_PARAMETERS,
        response=page_serializer("TicketPage", TicketSummarySerializer(many=True)),
        response_example=ex.page("tickets", ex.TICKET_SUMMARY),
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = selectors.ticket_page_for_customer(customer=_customer(request), token=token, size=size)
        return Response(page_body(request, TicketSummarySerializer(page.items, many=True).data, page))


class TicketDetailApi(APIView):
    @api_operation(
        "tickets_get",
        tag=TAG,
        summary="One ticket of mine, with the conversation",
        description=(
            "Status: OPEN, IN_PROGRESS, WAITING_FOR_CUSTOMER (the bank asked me something: answer with "
            "`POST .../messages`), RESOLVED (rate the handling with `POST .../rating`), CLOSED."
        ),
        response=TicketSerializer,
        response_example=ex.TICKET,
        errors=["not_found", "throttled"],
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        ticket = selectors.ticket_get_for_customer(customer=_customer(request), public_id=public_id)
        if ticket is None:
            raise FeedbackNotFound()
        return Response(TicketSerializer(ticket).data)


class TicketMessageCreateApi(_WriteThrottled):
    @extend_schema_serializer(component_name="TicketMessageInput")
    class InputSerializer(serializers.Serializer):
        text = StrictCharField(max_length=TEXT_MAX, validators=[reject_card_numbers])

    @api_operation(
        "tickets_message_create",
        tag=TAG,
        summary="Answer a ticket",
        description=(
            "Write to the bank on my ticket. A ticket WAITING_FOR_CUSTOMER or RESOLVED goes back to "
            "IN_PROGRESS. Refusals: 404 `not_found` (no such ticket of mine; checked before the body), 409 "
            "`ticket_closed`, 400 `invalid_request` (empty text)."
        ),
        request=InputSerializer,
        request_example=ex.REPLY_REQUEST,
        response=TicketMessageSerializer,
        response_example=ex.REPLY,
        status=201,
        errors=[
            "invalid_request",
            "malformed_request",
            "card_number_in_text",
            "not_found",
            "ticket_closed",
            "throttled",
            "rate_limit_unavailable",
        ],
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        customer = _customer(request)
        if selectors.ticket_get_for_customer(customer=customer, public_id=public_id) is None:
            raise FeedbackNotFound()  # 404 before a 400: another customer learns nothing from the body check
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.ticket_customer_reply(
            customer=customer, public_id=public_id, text=data.validated_data["text"]
        )
        return Response(TicketMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class TicketRateApi(_WriteThrottled):
    @extend_schema_serializer(component_name="TicketRatingInput")
    class InputSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5)
        comment = StrictCharField(
            max_length=TEXT_MAX, required=False, allow_blank=True, validators=[reject_card_numbers]
        )

    @api_operation(
        "tickets_rate",
        tag=TAG,
        summary="Rate how my ticket was handled",
        description=(
            "Once, after the ticket was resolved: `rating` 1-5 and an optional comment. Refusals: 404 "
            "`not_found`, 409 `ticket_not_resolved`, 409 `ticket_already_rated`, 400 `invalid_request`."
        ),
        request=InputSerializer,
        request_example=ex.RATING_REQUEST,
        response=TicketSerializer,
        response_example=ex.RATED,
        errors=[
            "invalid_request",
            "malformed_request",
            "card_number_in_text",
            "not_found",
            "ticket_not_resolved",
            "ticket_already_rated",
            "throttled",
            "rate_limit_unavailable",
        ],
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        customer = _customer(request)
        if selectors.ticket_get_for_customer(customer=customer, public_id=public_id) is None:
            raise FeedbackNotFound()
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ticket_rate(
            customer=customer,
            public_id=public_id,
            rating=data.validated_data["rating"],
            comment=data.validated_data.get("comment", ""),
        )
        ticket = selectors.ticket_get_for_customer(customer=customer, public_id=public_id)
        return Response(TicketSerializer(ticket).data)
