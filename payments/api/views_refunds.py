"""The customer's refunds (read-only: staff create refunds in the admin, services.refunds)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import api_operation
from core.fields import ApiDateTimeField
from core.money import Money
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer, queryset_page
from core.timestamps import api_datetime
from payments.api import examples as ex
from payments.api.common import MoneySerializer
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

    @api_operation(
        "refunds_list",
        tag="History",
        summary="Refunds of the customer's payments",
        description=(
            "Newest first. Refunds are made by the bank's staff (a second person approves); the money is "
            "back in the wallet when the refund is listed, and shows in the history as a REFUND."
        ),
        parameters=PAGE_PARAMETERS,
        response=page_serializer("RefundPage", OutputSerializer(many=True)),
        response_example=ex.page(ex.REFUND),
        errors=["invalid_cursor", "invalid_page_size", "throttled"],
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        refunds = Refund.objects.filter(customer=request.user).select_related(  # type: ignore[misc]
            "original_transfer", "transfer", "merchant_payment__merchant", "bill_payment__biller"
        )
        page = queryset_page(refunds, ordering=("-created_at", "-id"), token=token, size=size)
        return Response(
            page_body(
                request,
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
                    for r in page.items
                ],
                page,
            )
        )
