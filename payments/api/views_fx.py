"""Currency exchange: rates, quotes, conversions. Thin views over services.fx."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.fields import ApiDateTimeField, StrictCharField
from core.money import Money
from core.timestamps import api_datetime
from payments.api.common import (
    IDEMPOTENCY_KEY_PARAMETER,
    IdempotentMoneyApi,
    MoneyAmountField,
    MoneySerializer,
    error_responses,
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
                raise serializers.ValidationError("Give exactly one of sell_amount and buy_amount.")
            attrs["sell"] = (
                money_parse(attrs["sell_amount"], attrs["sell_currency"]) if "sell_amount" in attrs else None
            )
            attrs["buy"] = money_parse(attrs["buy_amount"], attrs["buy_currency"]) if "buy_amount" in attrs else None
            money_parse("1", attrs["sell_currency"])
            money_parse("1", attrs["buy_currency"])
            return attrs

    @extend_schema(
        operation_id="fx_quotes_create",
        request=InputSerializer,
        responses={201: QuoteSerializer, **error_responses(400, 401, 403)},
        description="A quote honoured for 60 seconds. Convert it with POST fx/conversions/.",
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
    @extend_schema_serializer(component_name="FxConversionCreateInput")
    class InputSerializer(serializers.Serializer):
        quote = serializers.UUIDField()

    def perform(self, request: Request, data: Any) -> tuple[int, dict[str, Any]]:
        quote = fx_conversion_create(customer=request.user, quote_public_id=data["quote"])  # type: ignore[arg-type]
        return status.HTTP_201_CREATED, quote_body(quote)

    @extend_schema(
        operation_id="fx_conversions_create",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={201: QuoteSerializer, **error_responses(400, 401, 403, 404, 409, 422)},
        description="Convert at a quote: 400 `quote_expired` after its expiry, 409 `quote_already_used`.",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)
