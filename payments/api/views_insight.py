"""Spending by category and month; the monthly statement PDF. Own data only."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.pii import mask_name
from core.api_docs import api_operation
from core.money import Money
from payments.api import examples as ex
from payments.api.common import MoneySerializer
from payments.api.labels import spending_category_label
from payments.errors_movements import StatementNotFound
from payments.selectors_insight import month_bounds, spending_by_category, statement_sections
from payments.statements import statement_pdf_render

__all__ = ["SpendingApi", "StatementPdfApi"]


@extend_schema_serializer(component_name="SpendingCategory")
class SpendingCategorySerializer(serializers.Serializer):
    category = serializers.CharField(help_text="Stable code: DINING, GROCERIES, ..., BILLS_<biller category>, P2P")
    label = serializers.CharField(help_text="The category's name in the request's language (Accept-Language)")  # type: ignore[assignment]
    amount = MoneySerializer()
    count = serializers.IntegerField()


class SpendingApi(APIView):
    @extend_schema_serializer(component_name="SpendingOutput")
    class OutputSerializer(serializers.Serializer):
        month = serializers.CharField()
        categories = SpendingCategorySerializer(many=True)
        totals = MoneySerializer(many=True)

    @api_operation(
        "insights_spending",
        tag="Insights",
        summary="Spending of a month by category",
        description=(
            "A calendar month in the customer's time zone, by category: the merchant's category, the bill "
            "type (`BILLS_<category>`), transfers to people (`P2P`), net of refunds. `label` is the category's "
            "name in the request's language (Accept-Language); `category` stays a stable code."
        ),
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, required=True, description="YYYY-MM")],
        response=OutputSerializer,
        response_example=ex.SPENDING,
        errors=["invalid_month", "throttled"],
    )
    def get(self, request: Request) -> Response:
        month = request.query_params.get("month", "")
        lines = spending_by_category(customer=request.user, month=month)  # type: ignore[arg-type]
        totals: dict[str, int] = {}
        for line in lines:
            totals[line.amount.currency] = totals.get(line.amount.currency, 0) + line.amount.minor
        return Response(
            {
                "month": month,
                "categories": [
                    {
                        "category": x.category,
                        "label": spending_category_label(x.category),
                        "amount": x.amount.as_dict(),
                        "count": x.count,
                    }
                    for x in lines
                ],
                "totals": [Money(minor, cur).as_dict() for cur, minor in sorted(totals.items())],
            }
        )


class StatementPdfApi(APIView):
    @api_operation(
        "statements_pdf",
        tag="Insights",
        summary="The monthly statement as a PDF",
        description=(
            "One section per money wallet: opening and closing balance and every movement of the month, times "
            "in the customer's time zone. A month that has not begun, or before the first wallet, is 404 "
            "`statement_not_found`; the current month is the statement so far."
        ),
        response=OpenApiTypes.BINARY,
        response_media_type="application/pdf",
        response_example="%PDF-1.4 ...",
        errors=["invalid_month", "statement_not_found", "throttled"],
    )
    def get(self, request: Request, month: str) -> HttpResponse:
        customer = request.user
        if month_bounds(month)[0] > timezone.now():  # 400 invalid_month first; a month not begun has no statement
            raise StatementNotFound()
        sections = statement_sections(customer=customer, month=month)  # type: ignore[arg-type]
        pdf = statement_pdf_render(
            customer_label=mask_name(customer.legal_name or "") or str(customer.public_id)[:8],  # type: ignore[union-attr]
            period=month,
            sections=sections,
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="tongbao-statement-{month}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
