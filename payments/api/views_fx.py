"""Currency exchange: rates, quotes, conversions. Thin views over services.fx."""

from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import customer_payment_pin_verify
from core.api_docs import api_operation
from core.fields import ApiDateTimeField, StrictCharField
from core.money import Money
from core.timestamps import api_datetime
from payments.api import error_codes as _error_codes  # noqa: F401 - documented codes
from payments.api import examples as ex
from payments.api.common import (
    IDEMPOTENCY_KEY_PARAMETER,
    IdempotentMoneyApi,
    MoneyAmountField,
    MoneySerializer,
    money_parse,
)
from payments.models import FxQuote
from payments.services.fx import fx_conversion_create, fx_quote_create

__all__ = ["FxConversionCreateApi", "FxQuoteCreateApi"]


class QuoteSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    sell = MoneySerializer()
    buy = MoneySerializer()
    rate = serializers.CharField(help_text="buy-currency units per 1 sell-currency unit, spread included")
    expires_at = ApiDateTimeField()
    status = serializers.CharField()
    transfer_id = serializers.UUIDField(allow_null=True)


def quote_body(quote: FxQuote) -> dict[str, Any]:
    return {
        "id": str(quote.public_id),
        "sell": Money(quote.sell_minor, quote.sell_currency).as_dict(),
        "buy": Money(quote.buy_minor, quote.buy_currency).as_dict(),
        "rate": format(quote.rate.normalize(), "f"),
        "expires_at": api_datetime(quote.expires_at),
        "status": quote.status,
        "transfer_id": str(quote.transfer.public_id) if quote.transfer is not None else None,
    }


class FxQuoteCreateApi(APIView):
    """Price a conversion between two of the customer's currencies. Moves no money (no Idempotency-Key)."""

    @extend_schema_serializer(component_name="FxQuoteCreateInput")
    class InputSerializer(serializers.Serializer):
        sell_currency = StrictCharField(max_length=8)
        buy_currency = StrictCharField(max_length=8)
        sell_amount = MoneyAmountField(required=False)
        buy_amount = MoneyAmountField(required=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if ("sell_amount" in attrs) == ("buy_amount" in attrs):
                raise serializers.ValidationError(gettext("Give exactly one of sell_amount and buy_amount."))
            attrs["sell"] = (
                money_parse(attrs["sell_amount"], attrs["sell_currency"]) if "sell_amount" in attrs else None
            )
            attrs["buy"] = money_parse(attrs["buy_amount"], attrs["buy_currency"]) if "buy_amount" in attrs else None
            money_parse("1", attrs["sell_currency"])
            money_parse("1", attrs["buy_currency"])
            return attrs

    @api_operation(
        "fx_quotes_create",
        tag="Currency exchange",
        summary="Price a currency exchange",
        description=(
            "Give `sell_amount` or `buy_amount` (exactly one). The quote is honoured for 60 seconds "
            "(`expires_at`); convert it with `POST /api/v1/fx/conversions`. Moves no money: no PIN, no "
            "Idempotency-Key. Currencies: `GET /api/v1/currencies` (`exchange`)."
        ),
        request=InputSerializer,
        request_example=ex.QUOTE_IN,
        response=QuoteSerializer,
        response_example=ex.QUOTE,
        status=201,
        errors=[
            "invalid_request",
            "invalid_amount",
            "too_many_decimals",
            "amount_too_large",
            "amount_not_positive",
            "unknown_currency",
            "unsupported_currency",
            "same_currency",
            "fx_rate_unavailable",
            "fx_amount_too_small",
            "throttled",
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        quote = fx_quote_create(
            customer=request.user,  # type: ignore[arg-type]
            sell_currency=data["sell_currency"],
            buy_currency=data["buy_currency"],
            sell_amount=data["sell"],
            buy_amount=data["buy"],
        )
        return Response(quote_body(quote), status=status.HTTP_201_CREATED)


class FxConversionCreateApi(IdempotentMoneyApi):
    """Convert at a quote: money moves between two of the customer's wallets, so the payment PIN is
    required like every other movement (checked before the money transaction, as for bills)."""

    @extend_schema_serializer(component_name="FxConversionCreateInput")
    class InputSerializer(serializers.Serializer):
        quote = serializers.UUIDField()
        pin = StrictCharField(max_length=12, trim_whitespace=False, help_text="Payment PIN (6 digits)")

    def before_execute(self, request: Request, data: Any) -> None:
        customer_payment_pin_verify(customer=request.user, pin=data["pin"])  # type: ignore[arg-type]

    def perform(self, request: Request, data: Any) -> tuple[int, dict[str, Any]]:
        quote = fx_conversion_create(customer=request.user, quote_public_id=data["quote"])  # type: ignore[arg-type]
        return status.HTTP_201_CREATED, quote_body(quote)

    @api_operation(
        "fx_conversions_create",
        tag="Currency exchange",
        summary="Exchange currency at a quote",
        description=format_lazy(
            "{}{}{}{}",
            "Moves money between two of the customer's wallets at the quote's rate: 400 `quote_expired` after "
            "its expiry, 409 `quote_already_used` the second time (a retry with the same Idempotency-Key "
            "answers the first conversion again).",
            ex.PIN_ONLY,
            ex.LIMITS_OUT.replace("Counts against", "The side sold counts against"),
            ex.LIMITS_IN.replace("receiving wallet", "wallet bought into"),
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        request_example=ex.CONVERSION_IN,
        response=QuoteSerializer,
        response_example=ex.CONVERSION,
        status=201,
        errors=[
            *ex.MONEY_ERRORS,
            "quote_not_found",
            "quote_expired",
            "quote_already_used",
            "balance_cap_exceeded",
            "fx_rate_unavailable",
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)
