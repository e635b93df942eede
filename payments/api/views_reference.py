"""Public reference data of payments: the currencies the wallet speaks and what each can do (issue 16)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import api_operation
from core.money import CURRENCY_EXPONENTS
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer, sequence_page
from payments.services.funding import FUNDING_CURRENCIES
from payments.services.fx import FX_CURRENCIES

__all__ = ["CurrencyListApi"]

_NAMES = {
    "CNY": _("Chinese yuan"),
    "HKD": _("Hong Kong dollar"),
    "USD": _("US dollar"),
    "EUR": _("Euro"),
    "GBP": _("Pound sterling"),
    "JPY": _("Japanese yen"),
    "SGD": _("Singapore dollar"),
    "MOP": _("Macanese pataca"),
}


@extend_schema_serializer(component_name="Currency")
class CurrencyOutputSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 4217")
    name = serializers.CharField(help_text="In the request's language")
    decimals = serializers.IntegerField(help_text="Digits after the decimal point an amount may have (JPY: 0)")
    example_amount = serializers.CharField(help_text="An amount written as the API takes it")
    top_up_and_withdraw = serializers.BooleanField(help_text="Top-ups and withdrawals with a bank card")
    exchange = serializers.BooleanField(help_text="Can be bought or sold with `POST /api/v1/fx/quotes`")
    limits_currency = serializers.CharField(help_text="KYC limits count this currency at its CNY equivalent")


def _currency(code: str) -> dict[str, Any]:
    decimals = CURRENCY_EXPONENTS[code]
    return {
        "code": code,
        "name": str(_NAMES.get(code, code)),
        "decimals": decimals,
        "example_amount": "1280" if decimals == 0 else "12.80",
        "top_up_and_withdraw": code in FUNDING_CURRENCIES,
        "exchange": code in FX_CURRENCIES,
        "limits_currency": "CNY",
    }


class CurrencyListApi(APIView):
    """Supported currencies."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @api_operation(
        "currencies_list",
        tag="Reference data",
        summary="Supported currencies",
        description=(
            "Every currency a wallet can hold, CNY first. Amounts are decimal strings with at most `decimals` "
            'digits after the point (`"12.80"` CNY, `"1280"` JPY); a JSON number is refused (400 '
            "`invalid_amount`), more digits too (400 `too_many_decimals`), another code 400 "
            "`unknown_currency`. Top-ups and withdrawals are CNY; the others are reached by exchange."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("CurrencyPage", CurrencyOutputSerializer(many=True)),
        response_example={
            "results": [
                {
                    "code": "CNY",
                    "name": "Chinese yuan",
                    "decimals": 2,
                    "example_amount": "12.80",
                    "top_up_and_withdraw": True,
                    "exchange": True,
                    "limits_currency": "CNY",
                }
            ],
            "next_cursor": None,
            "previous_cursor": None,
            "next": None,
            "previous": None,
        },
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
        public=True,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        codes = sorted((c for c in CURRENCY_EXPONENTS if c != "PTS"), key=lambda c: (c != "CNY", c))
        page = sequence_page(codes, key=lambda c: (c != "CNY", c), token=token, size=size)
        return Response(page_body(request, [_currency(c) for c in page.items], page))
