"""Customer API of the risk app. Views are thin: validate, one service call, render."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Customer
from core.api_schema import error_responses
from core.fields import StrictCharField
from core.throttling import FailOpenUserRateThrottle, GuardedScopedRateThrottle
from core.validators import reject_card_numbers
from risk import selectors, services


def _customer(request: Request) -> Customer:
    user = request.user
    assert isinstance(user, Customer)
    return user


class ChallengeConfirmApi(APIView):
    """Confirm a payment's step-up challenge with the SMS code sent to the customer's phone.

    The challenge comes from a payment answered 403 ``step_up_required`` (``details.challenge_id``).
    Once confirmed, repeat the payment with the same Idempotency-Key and body plus
    ``step_up_challenge``: the challenge is used by that payment only (same customer, payment and
    amount), once, before ``expires_at``. Wrong codes are counted (5 per code, then request a new
    one with ``POST /api/v1/me/otp``)."""

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
        expires_at = serializers.DateTimeField()

        def get_confirmed(self, obj: object) -> bool:
            return getattr(obj, "confirmed_at", None) is not None

        def get_amount(self, obj: object) -> dict[str, str]:
            from core.money import Money

            return Money(obj.amount_minor, obj.currency).as_dict()  # type: ignore[attr-defined]

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, **error_responses(400, 401, 404, 409, 429)},
        summary="Confirm a step-up challenge",
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
    """Notices about the customer's account from our fraud checks: a freeze, a held payment, the
    end of either, or a step-up on the next payment, each with a reason in the request's language
    (newest first, at most 50). Any of them can be the subject of a human review (``/risk/reviews``)."""

    @extend_schema_serializer(component_name="RiskNotice")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="public_id")
        kind = serializers.CharField()
        message = serializers.SerializerMethodField()
        created_at = serializers.DateTimeField()

        def get_message(self, obj: object) -> str:
            return selectors.notice_message(obj)

    @extend_schema(responses={200: OutputSerializer(many=True), **error_responses(401)}, summary="Risk notices")
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.notices_for_customer(_customer(request)), many=True).data)


class ReviewListApi(APIView):
    """Ask a person to review an automated decision about you (PIPL art. 24): a freeze or a held
    payment (``notice_id`` from ``GET /risk/notices``), or your account in general. An officer
    answers in writing; the answer appears here. One open request per notice."""

    throttle_classes = [FailOpenUserRateThrottle, GuardedScopedRateThrottle]
    throttle_scope = "sensitive"

    @extend_schema_serializer(component_name="RiskReviewInput")
    class InputSerializer(serializers.Serializer):
        notice_id = serializers.UUIDField(required=False, allow_null=True)
        message = StrictCharField(min_length=5, max_length=1000, validators=[reject_card_numbers])

    @extend_schema_serializer(component_name="RiskReview")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="public_id")
        notice_id = serializers.SerializerMethodField()
        message = serializers.CharField()
        status = serializers.CharField()
        answer = serializers.CharField()
        created_at = serializers.DateTimeField()
        answered_at = serializers.DateTimeField(allow_null=True)

        def get_notice_id(self, obj: object) -> str | None:
            notice = getattr(obj, "notice", None)
            return str(notice.public_id) if notice is not None else None

    def get_throttles(self) -> list[Any]:
        return super().get_throttles() if self.request.method == "POST" else [FailOpenUserRateThrottle()]

    @extend_schema(responses={200: OutputSerializer(many=True), **error_responses(401)}, summary="My review requests")
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.reviews_for_customer(_customer(request)), many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 401, 404, 409, 429)},
        summary="Ask for a human review",
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_request_create(
            customer=_customer(request),
            message=data.validated_data["message"],
            notice_id=data.validated_data.get("notice_id"),
        )
        return Response(self.OutputSerializer(review).data, status=status.HTTP_201_CREATED)
