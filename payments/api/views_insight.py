"""Spending by category and month; the monthly statement PDF. Own data only."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.pii import mask_name
from core.money import Money
from payments.api.common import MoneySerializer, error_responses
from payments.selectors_insight import spending_by_category, statement_sections
from payments.statements import statement_pdf_render

__all__ = ["SpendingApi", "StatementPdfApi"]


class SpendingApi(APIView):
    @extend_schema_serializer(component_name="SpendingOutput")
    class OutputSerializer(serializers.Serializer):
        month = serializers.CharField()
        categories = serializers.ListField(child=serializers.DictField())
        totals = MoneySerializer(many=True)

    @extend_schema(
        operation_id="insights_spending",
        parameters=[OpenApiParameter("month", OpenApiTypes.STR, required=True, description="YYYY-MM")],
        responses={200: OutputSerializer, **error_responses(400, 401)},
        description="Spending of one month by category (merchant category, bill type, P2P), net of refunds.",
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
                "categories": [{"category": x.category, "amount": x.amount.as_dict(), "count": x.count} for x in lines],
                "totals": [Money(minor, cur).as_dict() for cur, minor in sorted(totals.items())],
            }
        )


class StatementPdfApi(APIView):
    @extend_schema(
        operation_id="statements_pdf",
        responses={
            (200, "application/pdf"): OpenApiResponse(response=OpenApiTypes.BINARY),
            **error_responses(400, 401, 404),
        },
        description="The monthly statement of the customer's wallets as a PDF.",
    )
    def get(self, request: Request, month: str) -> HttpResponse:
        customer = request.user
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
