"""Billers and bill payments with receipts. Thin views over services.bills."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.services import customer_payment_pin_verify
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
from payments.errors_movements import BillPaymentNotFound
from payments.models import Biller, BillPayment
from payments.services.bills import bill_payment_create

__all__ = ["BillPaymentCreateApi", "BillPaymentDetailApi", "BillerListApi"]


class ReceiptSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    receipt_no = serializers.CharField()
    transfer_id = serializers.UUIDField()
    status = serializers.CharField()
    biller = serializers.DictField()
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


class BillerListApi(APIView):
    @extend_schema_serializer(component_name="BillerListOutput")
    class OutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        category = serializers.CharField()
        currency = serializers.CharField()
        min_amount = MoneySerializer()
        max_amount = MoneySerializer()

    @extend_schema(operation_id="billers_list", responses={200: OutputSerializer(many=True), **error_responses(401)})
    def get(self, request: Request) -> Response:
        billers = Biller.objects.filter(status=Biller.Status.ACTIVE).order_by("category", "code")
        return Response(
            [
                {
                    "code": b.code,
                    "name": b.name,
                    "category": b.category,
                    "currency": b.currency,
                    "min_amount": Money(b.min_amount_minor, b.currency).as_dict(),
                    "max_amount": Money(b.max_amount_minor, b.currency).as_dict(),
                }
                for b in billers
            ]
        )


class BillPaymentCreateApi(IdempotentMoneyApi):
    """Pay a bill. The account number is checked by the biller's rule first. Requires the payment PIN."""

    @extend_schema_serializer(component_name="BillPaymentCreateInput")
    class InputSerializer(serializers.Serializer):
        biller = StrictCharField(max_length=40)
        account_number = StrictCharField(max_length=40, trim_whitespace=False)
        amount = MoneyAmountField()
        currency = StrictCharField(max_length=8, default="CNY")
        pin = StrictCharField(max_length=12, trim_whitespace=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            attrs["money"] = money_parse(attrs["amount"], attrs["currency"])
            return attrs

    def before_execute(self, request: Request, data: Any) -> None:
        customer_payment_pin_verify(customer=request.user, pin=data["pin"])  # type: ignore[arg-type]

    def perform(self, request: Request, data: Any) -> tuple[int, dict[str, Any]]:
        payment = bill_payment_create(
            customer=request.user,  # type: ignore[arg-type]
            biller_code=data["biller"],
            account_number=data["account_number"],
            amount=data["money"],
        )
        return status.HTTP_201_CREATED, receipt_body(payment)

    @extend_schema(
        operation_id="bill_payments_create",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={201: ReceiptSerializer, **error_responses(400, 401, 403, 404, 409, 422, 423)},
        description="Pay a bill; the response is the receipt. A wrong account number: 400 `bill_account_invalid`.",
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().post(request, *args, **kwargs)


class BillPaymentDetailApi(APIView):
    @extend_schema(
        operation_id="bill_payments_retrieve", responses={200: ReceiptSerializer, **error_responses(401, 404)}
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
