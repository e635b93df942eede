"""Merchant payments by QR code, and merchants' QR images. Thin views over services.merchant_payments."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
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
from payments.errors import DomainError
from payments.errors_movements import UnsupportedCurrency
from payments.idempotency import IdempotentResult, idempotent_answer
from payments.models import Merchant, MerchantPayment, Transfer
from payments.qr import qr_png, qr_svg
from payments.services.merchant_payments import merchant_payment_request, merchant_static_qr

__all__ = ["MerchantPaymentCreateApi", "MerchantQrImageApi", "merchant_payment_body", "merchant_qr_response"]


def merchant_payment_body(payment: MerchantPayment, *, order_public_id: str | None = None) -> dict[str, Any]:
    """The answer for a merchant payment; ``order_public_id`` when the order is not loaded (the
    payment is being written by the same statement that stores this answer)."""
    amount = Money(payment.amount_minor, payment.currency)
    if order_public_id is None and payment.order is not None:
        order_public_id = str(payment.order.public_id)
    paid = Money(payment.customer_paid_minor, payment.currency)
    return {
        "id": str(payment.public_id),
        "transfer_id": str(payment.transfer.public_id),
        "status": "COMPLETED",
        "merchant": {
            "id": str(payment.merchant.public_id),
            "name": payment.merchant.name,
            "category": payment.merchant.category,
        },
        "order_id": order_public_id,
        "amount": amount.as_dict(),
        "discount": Money(payment.discount_minor, payment.currency).as_dict(),
        "paid": paid.as_dict(),
        "created_at": api_datetime(payment.created_at),
    }


class MerchantPaymentCreateApi(IdempotentMoneyApi):
    """Pay a merchant by scanning its QR code. Requires the payment PIN."""

    @extend_schema_serializer(component_name="MerchantPaymentCreateInput")
    class InputSerializer(serializers.Serializer):
        qr = StrictCharField(max_length=1024, trim_whitespace=True)
        amount = MoneyAmountField(required=False)
        currency = StrictCharField(max_length=8, required=False)
        pin = StrictCharField(max_length=12, trim_whitespace=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            attrs["money"] = None
            if "amount" in attrs:
                if "currency" not in attrs:
                    raise DomainError(code="currency_required", message="currency is required with amount")
                attrs["money"] = money_parse(attrs["amount"], attrs["currency"])
            elif "currency" in attrs:
                money_parse("1", attrs["currency"])  # unknown currency -> 400 unknown_currency
            return attrs

    @extend_schema_serializer(component_name="MerchantPaymentCreateOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        transfer_id = serializers.UUIDField()
        status = serializers.CharField()
        merchant = serializers.DictField()
        order_id = serializers.UUIDField(allow_null=True)
        amount = MoneySerializer()
        discount = MoneySerializer()
        paid = MoneySerializer()
        created_at = ApiDateTimeField()

    @extend_schema(
        operation_id="merchant_payments_create",
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 401, 403, 409, 422, 423)},
        description=(
            "Pay the merchant of a scanned QR code. Static QR: `amount` and `currency` required. Dynamic QR "
            "(an order): `amount` may be omitted, and must equal the order's if sent. Forged or altered QR: "
            "400 `qr_invalid`; expired: 400 `qr_expired`; an order already paid: 409 `order_already_paid`."
        ),
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        key = self.idempotency_key(request)
        fingerprint = self.fingerprint(request)
        data = self.validate_input(request)
        prepared = self.money_request(request, key=key, fingerprint=fingerprint, pin=data["pin"])
        if isinstance(prepared, IdempotentResult):
            return self.answer(prepared)

        def render(transfer: Transfer, payment: MerchantPayment) -> tuple[int, dict[str, Any]]:
            payment.transfer = transfer
            return status.HTTP_201_CREATED, merchant_payment_body(payment, order_public_id=transfer.metadata["order"])

        result = merchant_payment_request(
            customer=request.user,  # type: ignore[arg-type]
            qr=data["qr"],
            amount=data["money"],
            currency=data.get("currency"),
            request=prepared,
            render=render,
        )
        return self.answer(idempotent_answer(result))


class MerchantQrImageApi(APIView):
    """A merchant's static QR code as SVG or PNG. Public (on the authorization allow-list of
    tests/evidence/routes.py): it is printed on the counter, and the payload is signed (it carries
    no secret and cannot be altered). Staff also see it in the admin (``MerchantAdmin``)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="merchant_qr_image",
        auth=[],
        parameters=[
            OpenApiParameter("currency", OpenApiTypes.STR, required=False),
            OpenApiParameter("fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["svg", "png"]),
        ],
        responses={
            (200, "image/svg+xml"): OpenApiResponse(response=OpenApiTypes.BINARY),
            (200, "image/png"): OpenApiResponse(response=OpenApiTypes.BINARY),
            **error_responses(400, 404),
        },
    )
    def get(self, request: Request, public_id: uuid.UUID, fmt: str) -> HttpResponse:
        merchant = Merchant.objects.filter(public_id=public_id, status=Merchant.Status.ACTIVE).first()
        if merchant is None or fmt not in ("svg", "png"):
            raise DomainError(code="merchant_not_found", message="Merchant not found.", status_code=404)
        currency = request.query_params.get("currency") or (merchant.currencies or ["CNY"])[0]
        if not merchant.accepts(currency):
            raise UnsupportedCurrency()
        return merchant_qr_response(merchant, currency, fmt)


def merchant_qr_response(merchant: Merchant, currency: str, fmt: str) -> HttpResponse:
    """The static QR image of ``merchant`` (``fmt`` svg or png); shared with the admin."""
    payload = merchant_static_qr(merchant, currency)
    if fmt == "png":
        response = HttpResponse(qr_png(payload), content_type="image/png")
    else:
        response = HttpResponse(qr_svg(payload), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response
