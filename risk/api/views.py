"""Customer API of the risk app. Views are thin: validate, one service call, render."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Customer
from core.api_schema import error_responses
from core.fields import StrictCharField
from core.throttling import FailOpenUserRateThrottle, GuardedScopedRateThrottle
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
