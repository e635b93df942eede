"""Wallets and P2P transfers (customer API). Thin views: validate, one service/selector call, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.pii import mask_name, mask_phone
from core.fields import ApiDateTimeField, StrictCharField
from core.money import CURRENCY_EXPONENTS
from core.timestamps import api_datetime
from core.validators import reject_card_numbers
from payments.api.common import (
    IDEMPOTENCY_KEY_PARAMETER,
    IdempotentMoneyApi,
    MoneyAmountField,
    MoneySerializer,
    error_responses,
    money_parse,
)
from payments.errors import InvalidAmount
from payments.idempotency import IdempotentResult, idempotent_answer
from payments.ledger import Balance
from payments.models import LedgerAccount, Transfer
from payments.selectors import wallet_balance, wallet_get_for_customer, wallet_list_for_customer
from payments.services.transfers import transfer_p2p_request

if TYPE_CHECKING:
    from accounts.models import Customer


class BalanceSerializer(serializers.Serializer):
    posted = MoneySerializer()
    pending = MoneySerializer()
    available = MoneySerializer()


class WalletOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    currency = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    balance = BalanceSerializer()


def _wallet_body(wallet: LedgerAccount) -> dict[str, Any]:
    balance: Balance = wallet_balance(wallet)
    return {
        "id": str(wallet.public_id),
        "currency": wallet.currency,
        "kind": wallet.kind,
        "status": wallet.status,
        "balance": balance.as_dict(),
    }


class WalletListApi(APIView):
    @extend_schema(
        operation_id="wallets_list", responses={200: WalletOutputSerializer(many=True), **error_responses(401)}
    )
    def get(self, request: Request) -> Response:
        wallets = wallet_list_for_customer(customer=request.user)  # type: ignore[arg-type]
        return Response([_wallet_body(w) for w in wallets])


class WalletDetailApi(APIView):
    @extend_schema(
        operation_id="wallets_retrieve",
        description="A wallet by its id or by currency code (e.g. `CNY`).",
        responses={200: WalletOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request: Request, ident: str) -> Response:
        wallet = wallet_get_for_customer(customer=request.user, ident=ident)  # type: ignore[arg-type]
        return Response(_wallet_body(wallet))


class TransferCreateApi(IdempotentMoneyApi):
    """P2P transfer to another customer, by phone number or wallet id. Requires the payment PIN."""

    @extend_schema_serializer(component_name="TransferCreateInput")
    class InputSerializer(serializers.Serializer):
        to_phone = StrictCharField(required=False, max_length=32)
        to_wallet_id = serializers.UUIDField(required=False)
        amount = MoneyAmountField()
        currency = StrictCharField(max_length=3, default="CNY")
        pin = StrictCharField(max_length=12, trim_whitespace=False)
        memo = StrictCharField(
            max_length=200, required=False, allow_blank=True, default="", validators=[reject_card_numbers]
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if bool(attrs.get("to_phone")) == bool(attrs.get("to_wallet_id")):
                raise serializers.ValidationError(_("Give exactly one of to_phone and to_wallet_id."))
            if attrs["currency"] not in CURRENCY_EXPONENTS or attrs["currency"] == "PTS":
                raise InvalidAmount(_("Unknown currency."), code="unknown_currency")
            attrs["money"] = money_parse(attrs["amount"], attrs["currency"])
            return attrs

    @extend_schema_serializer(component_name="TransferCreateOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        status = serializers.CharField()
        kind = serializers.CharField()
        amount = MoneySerializer()
        to = serializers.DictField()
        memo = serializers.CharField()
        created_at = ApiDateTimeField()
        balance_after = MoneySerializer()

    @extend_schema(
        operation_id="transfers_create",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 401, 403, 404, 409, 422, 423)},
        description="Send money to another customer. `amount` is a decimal string; JSON numbers are refused.",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = self.idempotency_key(request)
        fingerprint = self.fingerprint(request)
        data = self.validate_input(request)
        prepared = self.money_request(request, key=key, fingerprint=fingerprint, pin=data["pin"])
        if isinstance(prepared, IdempotentResult):
            return self.answer(prepared)
        money = data["money"]

        def render(transfer: Transfer, recipient: Customer) -> tuple[int, dict[str, Any]]:
            return status.HTTP_201_CREATED, {
                "id": str(transfer.public_id),
                "status": "COMPLETED",
                "kind": transfer.kind,
                "amount": money.as_dict(),
                "to": {"name": mask_name(recipient.legal_name or ""), "phone": mask_phone(recipient.phone)},
                "memo": transfer.memo,
                "created_at": api_datetime(transfer.created_at),
                "balance_after": {"amount": None, "currency": money.currency},  # filled by the database
            }

        result = transfer_p2p_request(
            sender=request.user,  # type: ignore[arg-type]
            amount=money,
            memo=data["memo"],
            request=prepared,
            render=render,
            to_phone=data.get("to_phone"),
            to_wallet_id=data.get("to_wallet_id"),
        )
        return self.answer(idempotent_answer(result))


__all__ = ["TransferCreateApi", "WalletDetailApi", "WalletListApi"]
