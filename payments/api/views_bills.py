"""Billers and bill payments with receipts. Thin views over services.bills."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import api_operation
from core.fields import ApiDateTimeField, StrictCharField
from core.money import Money
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer, queryset_page
from core.timestamps import api_datetime
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
from payments.billers import luhn_check_digit, mod11_check_char, weighted31_check_digit
from payments.errors_movements import BillPaymentNotFound
from payments.models import Biller, BillPayment
from payments.services.bills import bill_payment_create

__all__ = ["BillPaymentCreateApi", "BillPaymentDetailApi", "BillerListApi"]


class BillerRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()


class ReceiptSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    receipt_no = serializers.CharField()
    transfer_id = serializers.UUIDField()
    status = serializers.CharField()
    biller = BillerRefSerializer()
    account_number = serializers.CharField()
    amount = MoneySerializer()
    refunded = MoneySerializer()
    paid_at = ApiDateTimeField()


def receipt_body(payment: BillPayment) -> dict[str, Any]:
    return {
        "id": str(payment.public_id),
        "receipt_no": payment.receipt_no,
        "transfer_id": str(payment.transfer.public_id),
        "status": "COMPLETED",
        "biller": {"code": payment.biller.code, "name": payment.biller.name, "category": payment.biller.category},
        "account_number": payment.account_number,
        "amount": Money(payment.amount_minor, payment.currency).as_dict(),
        "refunded": Money(payment.refunded_minor, payment.currency).as_dict(),
        "paid_at": api_datetime(payment.created_at),
    }


def _formats() -> dict[str, dict[str, Any]]:
    """What each biller kind's account number looks like (``payments.billers``), with a valid example."""
    electricity = "123456789" + luhn_check_digit("123456789")
    water = "1234567" + weighted31_check_digit("1234567")
    gas = "123456789" + mod11_check_char("123456789")
    return {
        "electricity": {
            "description": _("10 to 13 digits; the last one is a check digit (Luhn)."),
            "pattern": "^[0-9]{10,13}$",
            "example": electricity,
        },
        "water": {
            "description": _("8 to 12 digits; the last one is a check digit (weights 3,1)."),
            "pattern": "^[0-9]{8,12}$",
            "example": water,
        },
        "gas": {
            "description": _("10 to 12 characters: digits, the last one a check character (0-9 or X)."),
            "pattern": "^[0-9]{9,11}[0-9X]$",
            "example": gas,
        },
        "mobile": {
            "description": _("A mainland China mobile number (11 digits)."),
            "pattern": "^1[0-9]{10}$",
            "example": "13912345678",
        },
        "broadband": {
            "description": _("6 to 20 letters, digits or hyphens, starting with a letter or digit."),
            "pattern": "^[A-Za-z0-9][A-Za-z0-9-]{5,19}$",
            "example": "BJ-HD-0012345",
        },
        "generic": {
            "description": _("4 to 30 letters or digits, as printed on the bill."),
            "pattern": "^[A-Za-z0-9]{4,30}$",
            "example": "AC88001234",
        },
    }


def account_number_format(validator: str) -> dict[str, Any]:
    entry = _formats().get(validator, {"description": "", "pattern": "", "example": ""})
    return {"kind": validator, **{k: str(v) for k, v in entry.items()}}


@extend_schema_serializer(component_name="AccountNumberFormat")
class AccountNumberFormatSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="electricity, water, gas, mobile, broadband or generic")
    description = serializers.CharField(help_text="For the customer, in the request's language")
    pattern = serializers.CharField(help_text="Regular expression of the digits (spaces and hyphens are ignored)")
    example = serializers.CharField(help_text="A number that passes the check (an example, not a real account)")


class BillerListApi(APIView):
    @extend_schema_serializer(component_name="BillerListOutput")
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        category = serializers.CharField()
        currency = serializers.CharField()
        min_amount = MoneySerializer()
        max_amount = MoneySerializer()
        account_number_format = AccountNumberFormatSerializer()

    @api_operation(
        "billers_list",
        tag="Bills",
        summary="Billers and their account-number formats",
        description=(
            "Active billers by category. Each says what its account numbers look like "
            "(`account_number_format`: a description for the customer, a pattern and a valid example), so "
            "the app can check the number before asking for the PIN; the server checks it again "
            "(400 `bill_account_invalid`). Each payment must lie within `min_amount`..`max_amount`."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("BillerPage", OutputSerializer(many=True)),
        response_example=ex.page(ex.BILLER),
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        billers = Biller.objects.filter(status=Biller.Status.ACTIVE)
        page = queryset_page(billers, ordering=("category", "code"), token=token, size=size)
        return Response(
            page_body(
                request,
                [
                    {
                        "code": b.code,
                        "name": b.name,
                        "category": b.category,
                        "currency": b.currency,
                        "min_amount": Money(b.min_amount_minor, b.currency).as_dict(),
                        "max_amount": Money(b.max_amount_minor, b.currency).as_dict(),
                        "account_number_format": account_number_format(b.validator),
                    }
                    for b in page.items
                ],
                page,
            )
        )


class BillPaymentCreateApi(IdempotentMoneyApi):
    """Pay a bill. The account number is checked by the biller's rule first. Requires the payment PIN."""

    @extend_schema_serializer(component_name="BillPaymentCreateInput")
    class InputSerializer(ConfirmedMoneyInput):
        biller = StrictCharField(max_length=40)
        account_number = StrictCharField(max_length=40, trim_whitespace=False)
        amount = MoneyAmountField()
        currency = StrictCharField(max_length=8, default="CNY")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            attrs = super().validate(attrs)
            attrs["money"] = money_parse(attrs["amount"], attrs["currency"])
            return attrs

    def before_execute(self, request: Request, data: Any) -> None:
        self.confirm_payment(request, data)

    def payee(self, data: Any) -> str:
        return f"bill:{data['biller']}:{data['account_number']}"

    def perform(self, request: Request, data: Any) -> tuple[int, dict[str, Any]]:
        payment = bill_payment_create(
            customer=request.user,  # type: ignore[arg-type]
            biller_code=data["biller"],
            account_number=data["account_number"],
            amount=data["money"],
            step_up=self.step_up_input(data),
        )
        return status.HTTP_201_CREATED, receipt_body(payment)

    @api_operation(
        "bill_payments_create",
        tag="Bills",
        summary="Pay a bill",
        description=format_lazy(
            "{}{}{}{}",
            "Pays `biller` for `account_number` (checked by the biller's format first: 400 "
            "`bill_account_invalid`); the answer is the receipt. The amount must lie within the biller's "
            "`min_amount`..`max_amount` (400 `bill_amount_out_of_range`).",
            ex.PIN_AND_KEY,
            ex.LIMITS_OUT,
            ex.STEP_UP,
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        request_example=ex.BILL_IN,
        response=ReceiptSerializer,
        response_example=ex.RECEIPT,
        examples=[ex.STEP_UP_REQUIRED],
        status=201,
        errors=[
            *ex.MONEY_ERRORS,
            *ex.PASSKEY_ERRORS,
            "bill_account_invalid",
            "bill_amount_out_of_range",
            "biller_not_found",
            "biller_unavailable",
            "currency_mismatch",
            "fx_rate_unavailable",
            "step_up_required",
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class BillPaymentDetailApi(APIView):
    @api_operation(
        "bill_payments_retrieve",
        tag="Bills",
        summary="A bill payment's receipt",
        response=ReceiptSerializer,
        response_example=ex.RECEIPT,
        errors=["bill_payment_not_found", "throttled"],
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        payment = (
            BillPayment.objects.select_related("biller", "transfer")
            .filter(public_id=public_id, customer=request.user)  # type: ignore[misc]
            .first()
        )
        if payment is None:
            raise BillPaymentNotFound()
        return Response(receipt_body(payment))
