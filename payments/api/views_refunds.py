"""The customer's refunds (read-only: staff create refunds in the admin, services.refunds)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.fields import ApiDateTimeField
from core.money import Money
from core.timestamps import api_datetime
from payments.api.common import MoneySerializer, error_responses
from payments.models import Refund

__all__ = ["RefundListApi"]


class RefundListApi(APIView):
    @extend_schema_serializer(component_name="RefundListOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        original_transfer_id = serializers.UUIDField()
        transfer_id = serializers.UUIDField()
        payee = serializers.CharField()
        amount = MoneySerializer()
        reason = serializers.CharField()
        created_at = ApiDateTimeField()

    @extend_schema(
        operation_id="refunds_list",
        description="Refunds of the customer's payments, newest first (at most 100).",
        responses={200: OutputSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        refunds = (
            Refund.objects.filter(customer=request.user)  # type: ignore[misc]
            .select_related("original_transfer", "transfer", "merchant_payment__merchant", "bill_payment__biller")
            .order_by("-created_at", "-id")[:100]
        )
        return Response(
            [
                {
                    "id": str(r.public_id),
                    "original_transfer_id": str(r.original_transfer.public_id),
                    "transfer_id": str(r.transfer.public_id),
                    "payee": r.merchant_payment.merchant.name if r.merchant_payment else r.bill_payment.biller.name,  # type: ignore[union-attr]
                    "amount": Money(r.customer_amount_minor, r.currency).as_dict(),
                    "reason": r.reason,
                    "created_at": api_datetime(r.created_at),
                }
                for r in refunds
            ]
        )
