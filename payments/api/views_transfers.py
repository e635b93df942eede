"""Wallets and P2P transfers (customer API). Thin views: validate, one service/selector call, render."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.pii import mask_name, mask_phone
from accounts.selectors import customer_get_by_phone
from accounts.services import customer_payment_pin_verify
from core.fields import StrictCharField
from core.money import CURRENCY_EXPONENTS
from core.validators import reject_card_numbers
from payments.api.common import (
    IDEMPOTENCY_KEY_PARAMETER,
    IdempotentMoneyApi,
    MoneyAmountField,
    MoneySerializer,
    error_responses,
    money_parse,
)
from payments.errors import CurrencyMismatch, InvalidAmount, RecipientNotFound
from payments.ledger import Balance
from payments.models import LedgerAccount
from payments.selectors import wallet_balance, wallet_get_for_customer, wallet_list_for_customer
from payments.services.transfers import transfer_p2p_create


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
        created_at = serializers.DateTimeField()
        balance_after = MoneySerializer()

    def before_execute(self, request: Request, data: Any) -> None:
        # Commits its own failure counter: must run outside the money transaction.
        customer_payment_pin_verify(customer=request.user, pin=data["pin"])  # type: ignore[arg-type]

    def perform(self, request: Request, data: Any) -> tuple[int, dict[str, Any]]:
        sender = request.user
        money = data["money"]
        if data.get("to_phone"):
            recipient = customer_get_by_phone(data["to_phone"])
        else:
            wallet = (
                LedgerAccount.objects.select_related("customer")
                .filter(public_id=data["to_wallet_id"], kind=LedgerAccount.Kind.CUSTOMER_WALLET)
                .first()
            )
            recipient = wallet.customer if wallet is not None else None
            if wallet is not None and wallet.currency != money.currency:
                raise CurrencyMismatch(_("The recipient's wallet holds another currency."))
        if recipient is None:
            raise RecipientNotFound()
        transfer = transfer_p2p_create(sender=sender, recipient=recipient, amount=money, memo=data["memo"])  # type: ignore[arg-type]
        source = next(p for p in transfer.written_postings if p.amount_minor < 0)  # type: ignore[attr-defined]
        body = {
            "id": str(transfer.public_id),
            "status": "COMPLETED",
            "kind": transfer.kind,
            "amount": money.as_dict(),
            "to": {"name": mask_name(recipient.legal_name or ""), "phone": mask_phone(recipient.phone)},
            "memo": transfer.memo,
            "created_at": transfer.created_at.isoformat(),
            "balance_after": {
                "amount": _minor_str(source.balance_after_minor, money.currency),
                "currency": money.currency,
            },
        }
        return status.HTTP_201_CREATED, body

    @extend_schema(
        operation_id="transfers_create",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 401, 403, 404, 409, 422, 423)},
        description="Send money to another customer. `amount` is a decimal string; JSON numbers are refused.",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


def _minor_str(minor: int | None, currency: str) -> str | None:
    from core.money import Money

    return Money(minor, currency).amount_str() if minor is not None else None


__all__ = ["TransferCreateApi", "WalletDetailApi", "WalletListApi"]
