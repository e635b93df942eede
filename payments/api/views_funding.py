"""Top-ups, withdrawals and the bank gateway's callback endpoint. Thin views over services.funding."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.text import format_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import api_operation
from core.client_address import client_address
from core.fields import ApiDateTimeField, StrictCharField
from core.money import Money
from core.timestamps import api_datetime
from payments.api import error_codes as _error_codes  # noqa: F401 - documented codes
from payments.api import examples as ex
from payments.api.common import (
    IDEMPOTENCY_KEY_PARAMETER,
    REPLAYED_HEADER,
    ConfirmedMoneyInput,
    IdempotentMoneyApi,
    MoneyAmountField,
    MoneySerializer,
    money_parse,
)
from payments.callback_guard import gateway_callback_receive
from payments.errors_movements import TopUpNotFound, WithdrawalNotFound
from payments.integrations import SIGNATURE_HEADER
from payments.models import TopUp, Withdrawal
from payments.services.funding import (
    topup_create,
    topup_submit,
    withdrawal_create,
    withdrawal_submit,
)

__all__ = [
    "GatewayCallbackApi",
    "TopUpCreateApi",
    "TopUpDetailApi",
    "WithdrawalCreateApi",
    "WithdrawalDetailApi",
]


class FundingCardSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    bank = serializers.CharField()
    last4 = serializers.CharField()


class FundingOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=TopUp.Status.choices)
    amount = MoneySerializer()
    card = FundingCardSerializer()
    failure_code = serializers.CharField()
    created_at = ApiDateTimeField()
    completed_at = ApiDateTimeField(allow_null=True)


def funding_body(record: TopUp | Withdrawal) -> dict[str, Any]:
    return {
        "id": str(record.public_id),
        "reference": record.reference,
        "status": record.status,
        "amount": Money(record.amount_minor, record.currency).as_dict(),
        "card": {"id": str(record.card.public_id), "bank": record.card.bank_name, "last4": record.card.last4},
        "failure_code": record.failure_code,
        "created_at": api_datetime(record.created_at),
        "completed_at": api_datetime(record.completed_at),
    }


@extend_schema_serializer(component_name="FundingCreateInput")
class _FundingInput(ConfirmedMoneyInput):
    card = serializers.UUIDField()
    amount = MoneyAmountField()
    currency = StrictCharField(max_length=8, default="CNY")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        attrs["money"] = money_parse(attrs["amount"], attrs["currency"])
        return attrs


class _FundingCreateApi(IdempotentMoneyApi):
    """Step 1 (the record) commits with the idempotency record; step 2 (the bank call) runs after
    commit, outside any transaction, only for the first request of a key (never for a replay)."""

    InputSerializer = _FundingInput

    def before_execute(self, request: Request, data: Any) -> None:
        self.confirm_payment(request, data)

    payee_kind = "card"

    def payee(self, data: Any) -> str:
        return f"{self.payee_kind}:{data['card']}"

    def submit(self, public_id: str) -> None:
        raise NotImplementedError

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().post(request, *args, **kwargs)
        if response.status_code == status.HTTP_202_ACCEPTED and not response.has_header(REPLAYED_HEADER):
            self.submit(response.data["id"])
        return response


class TopUpCreateApi(_FundingCreateApi):
    payee_kind = "topup"  # the operation is part of what a passkey confirms

    def perform(self, request: Request, data: Any) -> tuple[int, dict[str, Any]]:
        topup = topup_create(customer=request.user, card_public_id=data["card"], amount=data["money"])  # type: ignore[arg-type]
        return status.HTTP_202_ACCEPTED, funding_body(topup)

    def submit(self, public_id: str) -> None:
        topup_submit(topup_id=TopUp.objects.values_list("pk", flat=True).get(public_id=public_id))

    @api_operation(
        "topups_create",
        tag="Top-ups and withdrawals",
        summary="Top up the wallet from a linked card",
        description=format_lazy(
            "{}{}{}",
            "Answers 202 with a PENDING top-up; the bank confirms asynchronously and the wallet is credited "
            "then: poll `GET /api/v1/topups/{id}` until COMPLETED or FAILED (`failure_code`). In development "
            "the simulated bank calls back within a few seconds. CNY only.",
            ex.PIN_AND_KEY,
            ex.LIMITS_IN,
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=_FundingInput,
        request_example=ex.FUNDING_IN,
        response=FundingOutputSerializer,
        response_example=ex.FUNDING_OUT,
        status=202,
        errors=[
            *ex.MONEY_ERRORS,
            *ex.PASSKEY_ERRORS,
            "card_not_found",
            "unsupported_currency",
            "balance_cap_exceeded",
            "fx_rate_unavailable",
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class WithdrawalCreateApi(_FundingCreateApi):
    payee_kind = "withdrawal"

    def perform(self, request: Request, data: Any) -> tuple[int, dict[str, Any]]:
        withdrawal = withdrawal_create(
            customer=request.user,  # type: ignore[arg-type]
            card_public_id=data["card"],
            amount=data["money"],
            step_up=self.step_up_input(data),
        )
        return status.HTTP_202_ACCEPTED, funding_body(withdrawal)

    def submit(self, public_id: str) -> None:
        withdrawal_submit(withdrawal_id=Withdrawal.objects.values_list("pk", flat=True).get(public_id=public_id))

    @api_operation(
        "withdrawals_create",
        tag="Top-ups and withdrawals",
        summary="Withdraw to a linked card",
        description=format_lazy(
            "{}{}{}{}",
            "The amount is held at once (202, PENDING: `pending` in the wallet's balance); the bank's answer "
            "captures it (COMPLETED) or releases it (FAILED). Poll `GET /api/v1/withdrawals/{id}`. CNY only.",
            ex.PIN_AND_KEY,
            ex.LIMITS_OUT,
            ex.STEP_UP,
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=_FundingInput,
        request_example=ex.FUNDING_IN,
        response=FundingOutputSerializer,
        response_example=ex.FUNDING_OUT,
        examples=[ex.STEP_UP_REQUIRED],
        status=202,
        errors=[
            *ex.MONEY_ERRORS,
            *ex.PASSKEY_ERRORS,
            "card_not_found",
            "unsupported_currency",
            "balance_cap_exceeded",
            "fx_rate_unavailable",
            "step_up_required",
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class TopUpDetailApi(APIView):
    @api_operation(
        "topups_retrieve",
        tag="Top-ups and withdrawals",
        summary="One top-up and its status",
        response=FundingOutputSerializer,
        response_example=ex.FUNDING_DONE,
        errors=["topup_not_found", "throttled"],
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        topup = TopUp.objects.select_related("card").filter(public_id=public_id, customer=request.user).first()  # type: ignore[misc]
        if topup is None:
            raise TopUpNotFound()
        return Response(funding_body(topup))


class WithdrawalDetailApi(APIView):
    @api_operation(
        "withdrawals_retrieve",
        tag="Top-ups and withdrawals",
        summary="One withdrawal and its status",
        response=FundingOutputSerializer,
        response_example=ex.FUNDING_DONE,
        errors=["withdrawal_not_found", "throttled"],
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        withdrawal = (
            Withdrawal.objects.select_related("card").filter(public_id=public_id, customer=request.user).first()  # type: ignore[misc]
        )
        if withdrawal is None:
            raise WithdrawalNotFound()
        return Response(funding_body(withdrawal))


GATEWAY_CALLBACK_INPUT = inline_serializer(
    name="GatewayCallback",
    fields={
        "operation": serializers.ChoiceField(choices=["CHARGE", "PAYOUT"]),
        "reference": serializers.CharField(),
        "gateway_ref": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["SUCCEEDED", "DECLINED"]),
        "amount": serializers.CharField(),
        "currency": serializers.CharField(),
        "decline_code": serializers.CharField(required=False),
    },
)
GATEWAY_CALLBACK_RESULT = inline_serializer(name="GatewayCallbackResult", fields={"result": serializers.CharField()})


class GatewayCallbackApi(APIView):
    """The bank's asynchronous confirmation. Not customer-authenticated: the HMAC signature over the
    raw body (``X-Gateway-Signature``) is the authentication. Not rate-limited by request count (the
    bank bursts and retries); failed attempts spend a per-address budget (payments/callback_guard.py)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes: list[type] = []

    @api_operation(
        "gateway_callbacks_create",
        tag="Bank gateway",
        summary="The bank's confirmation of a charge or payout (bank only)",
        description=(
            "Called by the bank gateway, not by apps: signed with HMAC-SHA256 over the raw body "
            "(docs/payments-movements.md). Idempotent: a repeated confirmation answers the same result."
        ),
        request=GATEWAY_CALLBACK_INPUT,
        request_example=ex.CALLBACK_IN,
        response=GATEWAY_CALLBACK_RESULT,
        response_example={"result": "applied"},
        errors=[
            "gateway_signature_invalid",
            "gateway_callback_malformed",
            "gateway_reference_unknown",
            "gateway_amount_mismatch",
            "throttled",
        ],
        public=True,
        parameters=[
            OpenApiParameter(
                name=SIGNATURE_HEADER,
                type=OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                required=True,
                description="t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.' + raw body> (docs/payments-movements.md)",
            )
        ],
    )
    def post(self, request: Request) -> Response:
        result = gateway_callback_receive(
            body=request.body,
            signature=request.headers.get(SIGNATURE_HEADER, ""),
            address=client_address(request),
        )
        return Response({"result": result})
