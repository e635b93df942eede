"""Wallets and P2P transfers (customer API). Thin views: validate, one service/selector call, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.pii import mask_name, mask_phone
from core.api_docs import api_operation
from core.fields import ApiDateTimeField, StrictCharField
from core.money import CURRENCY_EXPONENTS
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer, sequence_page
from core.timestamps import api_datetime
from core.validators import reject_card_numbers
from payments.api import error_codes as _error_codes  # noqa: F401 - documented codes
from payments.api import examples as ex
from payments.api.common import (
    IDEMPOTENCY_KEY_PARAMETER,
    ConfirmedMoneyInput,
    IdempotentMoneyApi,
    MoneyAmountField,
    MoneySerializer,
    money_parse,
)
from payments.errors import InvalidAmount, StepUpRequired
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
    @api_operation(
        "wallets_list",
        tag="Wallets",
        summary="The customer's wallets with their balances",
        description=(
            "CNY first. A customer without a CNY wallet yet sees an empty one with the id it will keep once "
            "opened (the first top-up opens it). `available` = `posted` - `pending` (held: withdrawals under way)."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("WalletPage", WalletOutputSerializer(many=True)),
        response_example=ex.page(ex.WALLET),
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        wallets = wallet_list_for_customer(customer=request.user)  # type: ignore[arg-type]
        page = sequence_page(wallets, key=lambda w: (w.currency != "CNY", w.currency, w.kind), token=token, size=size)
        return Response(page_body(request, [_wallet_body(w) for w in page.items], page))


class WalletDetailApi(APIView):
    @api_operation(
        "wallets_retrieve",
        tag="Wallets",
        summary="One wallet, by id or currency code",
        description="`ident` is the wallet's id or a currency code (`CNY`).",
        response=WalletOutputSerializer,
        response_example=ex.WALLET,
        errors=["wallet_not_found", "throttled"],
    )
    def get(self, request: Request, ident: str) -> Response:
        wallet = wallet_get_for_customer(customer=request.user, ident=ident)  # type: ignore[arg-type]
        return Response(_wallet_body(wallet))


@extend_schema_serializer(component_name="Recipient")
class RecipientSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Masked legal name")
    phone = serializers.CharField(help_text="Masked phone number")


class TransferCreateApi(IdempotentMoneyApi):
    """P2P transfer to another customer, by phone number or wallet id. Requires the payment PIN."""

    @extend_schema_serializer(component_name="TransferCreateInput")
    class InputSerializer(ConfirmedMoneyInput):
        to_phone = StrictCharField(required=False, max_length=32)
        to_wallet_id = serializers.UUIDField(required=False)
        amount = MoneyAmountField()
        currency = StrictCharField(max_length=3, default="CNY")
        memo = StrictCharField(
            max_length=200, required=False, allow_blank=True, default="", validators=[reject_card_numbers]
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            attrs = super().validate(attrs)
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
        to = RecipientSerializer()
        memo = serializers.CharField()
        created_at = ApiDateTimeField()
        balance_after = MoneySerializer()

    def payee(self, data: Any) -> str:
        return f"phone:{data['to_phone']}" if data.get("to_phone") else f"wallet:{data['to_wallet_id']}"

    @api_operation(
        "transfers_create",
        tag="Transfers",
        summary="Send money to another customer",
        description=format_lazy(
            "{}{}{}{}{}",
            "To a phone number (`to_phone`) or a wallet id (`to_wallet_id`), exactly one. Instant; the answer "
            "carries the sender's balance after it. Not to oneself (400 `self_transfer`).",
            ex.PIN_AND_KEY,
            ex.STEP_UP,
            ex.LIMITS_OUT,
            ex.LIMITS_IN.replace("receiving wallet", "recipient's wallet"),
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        request_example=ex.TRANSFER_IN,
        response=OutputSerializer,
        response_example=ex.TRANSFER_OUT,
        examples=[ex.STEP_UP_REQUIRED],
        status=201,
        errors=[
            *ex.MONEY_ERRORS,
            *ex.PASSKEY_ERRORS,
            "self_transfer",
            "card_number_in_text",
            "recipient_not_found",
            "balance_cap_exceeded",
            "step_up_required",
            "fx_rate_unavailable",
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = self.idempotency_key(request)
        fingerprint = self.fingerprint(request)
        data = self.validate_input(request)
        prepared = self.money_request(request, key=key, fingerprint=fingerprint, data=data)
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

        try:
            result = transfer_p2p_request(
                sender=request.user,  # type: ignore[arg-type]
                amount=money,
                memo=data["memo"],
                request=prepared,
                render=render,
                to_phone=data.get("to_phone"),
                to_wallet_id=data.get("to_wallet_id"),
            )
        except StepUpRequired as refused:  # nothing stored under the key: answered with a challenge
            raise self.step_up_answer(request, refused) from None
        return self.answer(idempotent_answer(result))


__all__ = ["TransferCreateApi", "WalletDetailApi", "WalletListApi"]
