"""Merchant payments by QR code, and merchants' QR images. Thin views over services.merchant_payments."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from django.utils.text import format_lazy
from django.utils.translation import get_language, gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import api_operation
from core.fields import ApiDateTimeField, StrictCharField, StrictUUIDField
from core.money import Money
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
from payments.api.labels import spending_category_label
from payments.errors import DomainError, StepUpRequired
from payments.errors_movements import UnsupportedCurrency
from payments.idempotency import IdempotentResult, idempotent_answer
from payments.models import Merchant, MerchantPayment, Transfer
from payments.qr import qr_png, qr_svg
from payments.selectors_qr import merchant_qr_preview
from payments.services.merchant_payments import merchant_payment_request, merchant_static_qr

__all__ = [
    "MerchantPaymentCreateApi",
    "MerchantPaymentPreviewApi",
    "MerchantQrImageApi",
    "merchant_payment_body",
    "merchant_qr_response",
]


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
        "benefits": payment_benefits(payment.transfer.metadata),
        "created_at": api_datetime(payment.created_at),
    }


def payment_benefits(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """The instant benefits a payment's transfer recorded (``PromotionQuote.benefits``), as the
    customer sees them: each campaign applied (what it saved) or skipped (why), named in the
    request's language."""
    language = "en" if (get_language() or "").startswith("en") else "zh-hans"
    out = []
    for entry in metadata.get("benefits") or []:
        if not isinstance(entry, dict):
            continue
        names = entry.get("name") or {}
        out.append(
            {
                "campaign": entry.get("campaign"),
                "kind": entry.get("kind"),
                "name": names.get(language) or names.get("zh-hans") or "",
                "status": entry.get("status") or "APPLIED",
                "reason": entry.get("reason") or "",
                "amount": entry.get("amount"),
            }
        )
    return out


@extend_schema_serializer(component_name="MerchantRef")
class MerchantRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    category = serializers.CharField(help_text="Spending category code (DINING, GROCERIES, ...)")


@extend_schema_serializer(component_name="PaymentBenefit")
class PaymentBenefitSerializer(serializers.Serializer):
    campaign = serializers.UUIDField()
    kind = serializers.CharField(help_text="FIRST_ORDER, SPEND_THRESHOLD, COUPON, LIMITED_TIME, CO_FUNDED")
    name = serializers.CharField(help_text="The campaign's name in the request's language")
    status = serializers.ChoiceField(choices=["APPLIED", "SKIPPED"])
    reason = serializers.CharField(
        help_text="Why it was skipped (empty when applied): stacking_group, stacking_exclusive, "
        "first_order_used, per_person_limit, global_limit, budget_exhausted, exceeds_amount, holdout"
    )
    amount = MoneySerializer(help_text="What it saved (0 when skipped)")


@extend_schema_serializer(component_name="MerchantSummary")
class MerchantSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    category = serializers.CharField(help_text="Spending category code (DINING, GROCERIES, ...)")
    category_label = serializers.CharField(help_text="The category in the request's language")


class MerchantPaymentCreateApi(IdempotentMoneyApi):
    """Pay a merchant by scanning its QR code. Requires the payment PIN."""

    @extend_schema_serializer(component_name="MerchantPaymentCreateInput")
    class InputSerializer(ConfirmedMoneyInput):
        qr = StrictCharField(max_length=1024, trim_whitespace=True)
        amount = MoneyAmountField(required=False)
        currency = StrictCharField(max_length=8, required=False)
        coupon = StrictUUIDField(
            required=False, help_text="One of my coupons (`GET promotions/coupons` id) to apply to this payment"
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            attrs = super().validate(attrs)
            attrs["money"] = None
            if "amount" in attrs:
                if "currency" not in attrs:
                    raise DomainError(code="currency_required", message=gettext("currency is required with amount"))
                attrs["money"] = money_parse(attrs["amount"], attrs["currency"])
            elif "currency" in attrs:
                money_parse("1", attrs["currency"])  # unknown currency -> 400 unknown_currency
            return attrs

    @extend_schema_serializer(component_name="MerchantPaymentCreateOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        transfer_id = serializers.UUIDField()
        status = serializers.CharField()
        merchant = MerchantRefSerializer()
        order_id = serializers.UUIDField(allow_null=True)
        amount = MoneySerializer()
        discount = MoneySerializer(help_text="What instant benefits saved (the sum of the applied `benefits`)")
        paid = MoneySerializer()
        benefits = PaymentBenefitSerializer(many=True, help_text="Campaigns applied, and those skipped and why")
        created_at = ApiDateTimeField()

    def payee(self, data: Any) -> str:
        return f"qr:{data['qr']}"

    @api_operation(
        "merchant_payments_create",
        tag="Merchant payments",
        summary="Pay a merchant by QR code",
        description=format_lazy(
            "{}{}{}{}",
            "Send the scanned text as `qr` (show `POST /api/v1/payments/preview` first). Static QR: `amount` "
            "and `currency` required. Dynamic QR (an order): `amount` may be omitted, and must equal the "
            "order's if sent (400 `amount_mismatch`). Instant benefits of campaigns lower `paid` (`discount`, "
            "and `benefits`: each campaign applied or skipped, and why); `coupon` names one of my coupons (400 "
            "`coupon_not_applicable` with `details.reason` when it cannot be used; nothing moves). Forged "
            "or altered QR: 400 `qr_invalid`; expired: 400 `qr_expired`; an order already paid: 409 "
            "`order_already_paid`.",
            ex.PIN_AND_KEY,
            ex.STEP_UP,
            ex.LIMITS_OUT,
        ),
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        request=InputSerializer,
        request_example=ex.PAYMENT_IN,
        response=OutputSerializer,
        response_example=ex.PAYMENT_OUT,
        examples=[ex.STEP_UP_REQUIRED],
        status=201,
        errors=[
            *ex.MONEY_ERRORS,
            *ex.PASSKEY_ERRORS,
            "qr_invalid",
            "qr_expired",
            "currency_required",
            "currency_mismatch",
            "amount_required",
            "amount_mismatch",
            "merchant_unavailable",
            "order_already_paid",
            "order_cancelled",
            "fx_rate_unavailable",
            "step_up_required",
            "coupon_not_applicable",
            "promotion_changed",
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        key = self.idempotency_key(request)
        fingerprint = self.fingerprint(request)
        data = self.validate_input(request)
        prepared = self.money_request(request, key=key, fingerprint=fingerprint, data=data)
        if isinstance(prepared, IdempotentResult):
            return self.answer(prepared)

        def render(transfer: Transfer, payment: MerchantPayment) -> tuple[int, dict[str, Any]]:
            payment.transfer = transfer
            return status.HTTP_201_CREATED, merchant_payment_body(payment, order_public_id=transfer.metadata["order"])

        try:
            result = merchant_payment_request(
                customer=request.user,  # type: ignore[arg-type]
                qr=data["qr"],
                amount=data["money"],
                currency=data.get("currency"),
                request=prepared,
                render=render,
                coupon=str(data["coupon"]) if data.get("coupon") else None,
            )
        except StepUpRequired as refused:  # nothing stored under the key: answered with a challenge
            raise self.step_up_answer(request, refused) from None
        return self.answer(idempotent_answer(result))


class MerchantPaymentPreviewApi(APIView):
    """What a scanned QR code will pay, before the customer confirms with the PIN."""

    @extend_schema_serializer(component_name="MerchantPaymentPreviewInput")
    class InputSerializer(serializers.Serializer):
        qr = StrictCharField(max_length=1024, trim_whitespace=True, help_text="The scanned text, `TBPAY1.`...")

    @extend_schema_serializer(component_name="MerchantPaymentPreview")
    class OutputSerializer(serializers.Serializer):
        merchant = MerchantSummarySerializer()
        currency = serializers.CharField()
        amount = MoneySerializer(
            allow_null=True, help_text="Fixed by a dynamic QR (an order); null: the customer types it"
        )
        amount_required = serializers.BooleanField(help_text="Send `amount` with `POST /api/v1/payments`")
        order_id = serializers.UUIDField(allow_null=True)
        description = serializers.CharField(help_text="The merchant's description of the order, if any")
        expires_at = ApiDateTimeField(allow_null=True, help_text="A dynamic QR is refused after this moment")

    @api_operation(
        "merchant_payments_preview",
        tag="Merchant payments",
        summary="What a scanned QR code will pay, before confirming",
        description=(
            "Shows the merchant's name and category, the currency and, for a dynamic QR (an order), the fixed "
            "amount and expiry, so the app can ask for the PIN with everything on screen. Moves and reserves "
            "nothing (no Idempotency-Key, no PIN); the payment checks everything again."
        ),
        request=InputSerializer,
        request_example=ex.PREVIEW_IN,
        response=OutputSerializer,
        response_example=ex.PREVIEW_OUT,
        errors=[
            "invalid_request",
            "qr_invalid",
            "qr_expired",
            "merchant_unavailable",
            "order_already_paid",
            "order_cancelled",
            "throttled",
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        preview = merchant_qr_preview(qr=data.validated_data["qr"])
        merchant = preview.merchant
        return Response(
            {
                "merchant": {
                    "id": str(merchant.public_id),
                    "name": merchant.name,
                    "category": merchant.category,
                    "category_label": spending_category_label(merchant.category),
                },
                "currency": preview.currency,
                "amount": preview.amount.as_dict() if preview.amount is not None else None,
                "amount_required": preview.amount is None,
                "order_id": str(preview.order_public_id) if preview.order_public_id else None,
                "description": preview.order_description,
                "expires_at": api_datetime(preview.expires_at),
            }
        )


class MerchantQrImageApi(APIView):
    """A merchant's static QR code as SVG or PNG. Public (on the authorization allow-list of
    tests/evidence/routes.py): it is printed on the counter, and the payload is signed (it carries
    no secret and cannot be altered). Staff also see it in the admin (``MerchantAdmin``)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @api_operation(
        "merchant_qr_image",
        tag="Merchant payments",
        summary="A merchant's static QR code image (public)",
        description=(
            "SVG or PNG, as printed on the counter; the signed payload carries no secret. Scanning it gives "
            "the `qr` text for the preview and the payment."
        ),
        parameters=[
            OpenApiParameter("currency", OpenApiTypes.STR, required=False, description="Default: the merchant's first"),
            OpenApiParameter("fmt", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["svg", "png"]),
        ],
        response=OpenApiTypes.BINARY,
        response_media_type="image/svg+xml",
        response_example="<svg xmlns=...>...</svg>",
        errors=["merchant_not_found", "unsupported_currency", "throttled"],
        public=True,
    )
    def get(self, request: Request, public_id: uuid.UUID, fmt: str) -> HttpResponse:
        merchant = Merchant.objects.filter(public_id=public_id, status=Merchant.Status.ACTIVE).first()
        if merchant is None or fmt not in ("svg", "png"):
            raise DomainError(code="merchant_not_found", message=gettext("Merchant not found."), status_code=404)
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
