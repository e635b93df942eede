"""Customer API of the risk app: confirm a payment's step-up challenge, my notices, my human-review
requests.

Thin views: validate, one selector or service call, render; the one error format; documented with
``core.api_docs.api_operation`` (tag "Risk"); the two lists page with ``core.pagination`` (keyset
cursors). Paths have no trailing slash. Own data only: every read is scoped to the authenticated
customer (another customer's challenge or notice is a 404)."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Customer
from core.api_docs import api_operation
from core.api_schema import MoneySerializer
from core.fields import ApiDateTimeField, StrictCharField
from core.money import Money
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer
from core.throttling import FailOpenUserRateThrottle, GuardedScopedRateThrottle
from core.validators import reject_card_numbers
from risk import selectors, services
from risk.api import error_codes as _error_codes  # noqa: F401 - registers the documented codes
from risk.api import examples as ex
from risk.models import CustomerNotice, ReviewRequest

__all__ = ["ChallengeConfirmApi", "NoticeListApi", "ReviewListApi"]

TAG = "Risk"
PAGE_ERRORS = ["invalid_cursor", "invalid_page_size", "throttled"]


def _customer(request: Request) -> Customer:
    """The signed-in customer (``CustomerTokenAuthentication`` puts a Customer in ``request.user``)."""
    user = request.user
    assert isinstance(user, Customer)
    return user


class ChallengeConfirmApi(APIView):
    throttle_classes = [FailOpenUserRateThrottle, GuardedScopedRateThrottle]
    throttle_scope = "otp"

    @extend_schema_serializer(component_name="RiskChallengeConfirmInput")
    class InputSerializer(serializers.Serializer):
        otp_code = StrictCharField(max_length=6, min_length=6, help_text="The 6-digit code from the SMS.")

    @extend_schema_serializer(component_name="RiskChallengeConfirmOutput")
    class OutputSerializer(serializers.Serializer):
        challenge_id = serializers.UUIDField(source="public_id")
        confirmed = serializers.SerializerMethodField()
        amount = serializers.SerializerMethodField()
        expires_at = ApiDateTimeField(help_text="Use it for the payment before then.")

        def get_confirmed(self, obj: object) -> bool:
            return getattr(obj, "confirmed_at", None) is not None

        @extend_schema_field(MoneySerializer)
        def get_amount(self, obj: object) -> dict[str, str]:
            return Money(obj.amount_minor, obj.currency).as_dict()  # type: ignore[attr-defined]

    @api_operation(
        "risk_challenge_confirm",
        tag=TAG,
        summary="Confirm a step-up challenge",
        description=(
            "Confirm a payment's step-up challenge with the STEP_UP code sent by SMS to my phone. The challenge "
            "comes from a payment answered 403 `step_up_required` (`details.challenge_id`). Once confirmed, repeat "
            "the payment with the same Idempotency-Key and body plus `step_up_challenge`: the challenge serves "
            "that payment only (same customer, payment and amount), once, before `expires_at`. Confirming a "
            "confirmed challenge again answers the same.\n\n"
            "Refusals: 404 `not_found` (unknown id, or another customer's; checked before the body), 400 "
            "`otp_invalid` (wrong code, `details.attempts_left`), `otp_expired`, `otp_used`; 409 `step_up_used` "
            "(a payment used it already) and `step_up_expired` (repeat the payment for a new one); 429 "
            "`otp_too_many_attempts` after 5 wrong codes (send the payment again after `resend_after_seconds` for a new code; a code "
            "from `POST /api/v1/me/otp` does not confirm a payment). "
            "Confirming is rate-limited (scope `otp`, 429 `throttled`); when the attempts cannot be counted, "
            "503 `rate_limit_unavailable` (try again later)."
        ),
        request=InputSerializer,
        request_example=ex.CONFIRM,
        response=OutputSerializer,
        response_example=ex.CHALLENGE,
        errors=[
            "invalid_request",
            "malformed_request",
            "otp_invalid",
            "otp_expired",
            "otp_used",
            "not_found",
            "step_up_used",
            "step_up_expired",
            "otp_too_many_attempts",
            "throttled",
            "rate_limit_unavailable",
        ],
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        data = self.InputSerializer(data=request.data)
        valid = data.is_valid()
        selectors.step_up_challenge_get(customer=_customer(request), challenge_id=public_id)  # 404 before a 400
        if not valid:
            raise serializers.ValidationError(data.errors)
        challenge = services.step_up_challenge_confirm(
            customer=_customer(request), challenge_id=public_id, otp_code=data.validated_data["otp_code"]
        )
        return Response(self.OutputSerializer(challenge).data)


class NoticeListApi(APIView):
    @extend_schema_serializer(component_name="RiskNotice")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="public_id")
        kind = serializers.ChoiceField(choices=CustomerNotice.Kind.choices)
        message = serializers.SerializerMethodField(help_text="The reason, in the request's language.")
        created_at = ApiDateTimeField()

        def get_message(self, obj: object) -> str:
            return selectors.notice_message(obj)

    @api_operation(
        "risk_notices",
        tag=TAG,
        summary="My risk notices",
        description=(
            "Notices about my account from the fraud checks, newest first: a freeze (ACCOUNT_FROZEN), a held "
            "payment (PAYMENT_HELD), the end of either (ACCOUNT_UNFROZEN, PAYMENT_RELEASED, PAYMENT_REVERSED), "
            "or a code to be asked on the next payment (STEP_UP), each with a reason in the request's language "
            "(`Accept-Language`). A freeze or a held payment can be the subject of a human review "
            "(`POST /api/v1/risk/reviews` with its `id` as `notice_id`). Pages by `cursor` (newest first)."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("RiskNoticePage", OutputSerializer(many=True)),
        response_example=ex.NOTICES_PAGE,
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = selectors.notices_page_for_customer(customer=_customer(request), token=token, size=size)
        return Response(page_body(request, self.OutputSerializer(page.items, many=True).data, page))


@extend_schema_serializer(component_name="RiskReview")
class ReviewSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    notice_id = serializers.SerializerMethodField(help_text="The notice reviewed; null: my account in general.")
    message = serializers.CharField()
    status = serializers.ChoiceField(choices=ReviewRequest.Status.choices)
    answer = serializers.CharField(help_text="The officer's written answer; empty while OPEN.")
    created_at = ApiDateTimeField()
    answered_at = ApiDateTimeField(allow_null=True)

    def get_notice_id(self, obj: object) -> uuid.UUID | None:
        notice = getattr(obj, "notice", None)
        return notice.public_id if notice is not None else None


class ReviewListApi(APIView):
    throttle_classes = [FailOpenUserRateThrottle, GuardedScopedRateThrottle]
    throttle_scope = "sensitive"

    @extend_schema_serializer(component_name="RiskReviewInput")
    class InputSerializer(serializers.Serializer):
        notice_id = serializers.UUIDField(
            required=False,
            allow_null=True,
            help_text="A notice of mine (`GET /api/v1/risk/notices`); omit for my account.",
        )
        message = StrictCharField(min_length=5, max_length=1000, validators=[reject_card_numbers])

    def get_throttles(self) -> list[Any]:
        return super().get_throttles() if self.request.method == "POST" else [FailOpenUserRateThrottle()]

    @api_operation(
        "risk_reviews",
        tag=TAG,
        summary="My review requests",
        description=(
            "My requests for a person to review an automated decision, newest first: OPEN until an officer "
            "answers in writing, then ANSWERED with `answer` and `answered_at`. Pages by `cursor`."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("RiskReviewPage", ReviewSerializer(many=True)),
        response_example=ex.REVIEWS_PAGE,
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = selectors.reviews_page_for_customer(customer=_customer(request), token=token, size=size)
        return Response(page_body(request, ReviewSerializer(page.items, many=True).data, page))

    @api_operation(
        "risk_reviews_create",
        tag=TAG,
        summary="Ask for a human review",
        description=(
            "Ask a person to review an automated decision about me (PIPL art. 24): a freeze or a held payment "
            "(`notice_id` from `GET /api/v1/risk/notices`), or my account in general (no `notice_id`). "
            "`message`: 5 to 1000 characters, no bank card number (400 `card_number_in_text`). An officer "
            "answers in writing; the answer appears in `GET /api/v1/risk/reviews`.\n\n"
            "Refusals: 404 `not_found` (no such notice of mine), 409 `review_already_open` (one open request "
            "per notice). Limited per customer (scope `sensitive`, 429 `throttled`); when the requests cannot "
            "be counted, 503 `rate_limit_unavailable` (try again later)."
        ),
        request=InputSerializer,
        request_example=ex.REVIEW_REQUEST,
        response=ReviewSerializer,
        response_example=ex.REVIEW,
        status=201,
        errors=[
            "invalid_request",
            "malformed_request",
            "card_number_in_text",
            "not_found",
            "review_already_open",
            "throttled",
            "rate_limit_unavailable",
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_request_create(
            customer=_customer(request),
            message=data.validated_data["message"],
            notice_id=data.validated_data.get("notice_id"),
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
