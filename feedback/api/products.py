"""The bank's products offered to me, and my interest or applications (leads) for them.

Thin views; documented with ``core.api_docs.api_operation`` (tag "Bank products"); lists page with
``core.pagination``. Own data only: another customer's lead is a 404. No credit decision is made
through this API: a lead asks the home branch to contact the customer."""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Customer
from core.api_docs import api_operation
from core.fields import ApiDateTimeField, StrictCharField
from core.pagination import PAGE_PARAMETERS, page_body, page_params, page_serializer, sequence_page
from core.throttling import FailOpenUserRateThrottle, GuardedScopedRateThrottle
from core.validators import reject_card_numbers
from feedback import selectors_messages as selectors
from feedback.api import examples_messages as ex
from feedback.models_messages import Lead, Product
from feedback.services.products import LeadNotFound, lead_create, lead_withdraw

__all__ = ["LeadApi", "LeadListApi", "LeadWithdrawApi", "ProductListApi"]

TAG = "Bank products"
PAGE_ERRORS = ["invalid_cursor", "invalid_page_size", "invalid_request", "throttled"]


def _customer(request: Request) -> Customer:
    user = request.user
    assert isinstance(user, Customer)
    return user


def _english(request: Request) -> bool:
    return str(getattr(request, "LANGUAGE_CODE", "") or "").startswith("en")


class ProductListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        category = serializers.ChoiceField(choices=Product.Category.choices, required=False)

    @extend_schema_serializer(component_name="BankProduct")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        code = serializers.CharField()
        category = serializers.ChoiceField(choices=Product.Category.choices)
        name = serializers.CharField(help_text="In the request's language (zh-hans or en).")
        description = serializers.CharField()

    @api_operation(
        "products_list",
        tag=TAG,
        summary="Bank products offered to me",
        description=(
            "The bank's wealth management, deposit, consumer-loan and small-business-loan products I am eligible "
            "for (by segment: customer type, age band, home branch, KYC tier...), in the catalogue's order. "
            "`category` filters. Express interest or apply with `POST /api/v1/leads`."
        ),
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter(
                "category", OpenApiTypes.STR, enum=Product.Category.values, description="Only this category."
            ),
        ],
        response=page_serializer("BankProductPage", OutputSerializer(many=True)),
        response_example=ex.PRODUCTS_PAGE,
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        token, size = page_params(request)
        products = selectors.products_for_customer(
            customer=_customer(request), category=filters.validated_data.get("category")
        )
        page = sequence_page(
            [(p.sort_order, p.code, p) for p in products], key=lambda row: row[:2], token=token, size=size
        )
        english = _english(request)
        results = self.OutputSerializer(
            [
                {
                    "id": p.public_id,
                    "code": p.code,
                    "category": p.category,
                    "name": p.name_en if english else p.name_zh,
                    "description": p.description_en if english else p.description_zh,
                }
                for _order, _code, p in page.items
            ],
            many=True,
        ).data
        return Response(page_body(request, results, page))


def _lead_body(lead: Lead, english: bool) -> dict[str, Any]:
    return {
        "id": lead.public_id,
        "product_id": lead.product.public_id,
        "product_name": lead.product.name_en if english else lead.product.name_zh,
        "kind": lead.kind,
        "status": lead.status,
        "note": lead.note,
        "contact_due_at": lead.sla_due_at,
        "created_at": lead.created_at,
        "closed_at": lead.closed_at,
    }


@extend_schema_serializer(component_name="ProductLead")
class LeadSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    product_id = serializers.UUIDField()
    product_name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Lead.Kind.choices)
    status = serializers.ChoiceField(
        choices=Lead.Status.choices,
        help_text="NEW, CONTACTED, IN_PROGRESS (open); CONVERTED, NOT_PROCEEDING, WITHDRAWN (closed).",
    )
    note = serializers.CharField()
    contact_due_at = ApiDateTimeField(help_text="My home branch contacts me by then (the product's SLA).")
    created_at = ApiDateTimeField()
    closed_at = ApiDateTimeField(allow_null=True)


class LeadListApi(APIView):
    throttle_classes = [FailOpenUserRateThrottle, GuardedScopedRateThrottle]
    throttle_scope = "sensitive"

    @extend_schema_serializer(component_name="ProductLeadInput")
    class InputSerializer(serializers.Serializer):
        product_id = serializers.UUIDField(help_text="From `GET /api/v1/products`.")
        kind = serializers.ChoiceField(choices=Lead.Kind.choices, help_text="INTEREST or APPLICATION.")
        note = StrictCharField(
            required=False, allow_blank=True, max_length=500, default="", validators=[reject_card_numbers]
        )

    def get_throttles(self) -> list[Any]:
        return super().get_throttles() if self.request.method == "POST" else [FailOpenUserRateThrottle()]

    @api_operation(
        "leads_list",
        tag=TAG,
        summary="My product requests",
        description="My interest and applications, newest first, with their status. Pages by `cursor`.",
        parameters=PAGE_PARAMETERS,
        response=page_serializer("ProductLeadPage", LeadSerializer(many=True)),
        response_example=ex.LEADS_PAGE,
        errors=PAGE_ERRORS,
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        page = selectors.leads_page_for_customer(customer=_customer(request), token=token, size=size)
        english = _english(request)
        return Response(
            page_body(request, LeadSerializer([_lead_body(x, english) for x in page.items], many=True).data, page)
        )

    @api_operation(
        "leads_create",
        tag=TAG,
        summary="Express interest in or apply for a product",
        description=(
            "Asks my home branch to contact me about a product I am eligible for (INTEREST), or to start an "
            "application (APPLICATION). The branch answers by `contact_due_at`; no credit decision is made "
            "here. `note`: up to 500 characters, no bank card number.\n\n"
            "Refusals: 404 `product_not_found` (not offered), 403 `product_not_eligible`, 409 `lead_already_open` "
            "(I already have an open request for it: nothing new is stored). Limited per customer (scope "
            "`sensitive`, 429 `throttled`)."
        ),
        request=InputSerializer,
        request_example=ex.LEAD_REQUEST,
        response=LeadSerializer,
        response_example=ex.LEAD,
        status=201,
        errors=[
            "invalid_request",
            "malformed_request",
            "card_number_in_text",
            "product_not_found",
            "product_not_eligible",
            "lead_already_open",
            "throttled",
            "rate_limit_unavailable",
        ],
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lead = lead_create(
            customer=_customer(request),
            product_id=data.validated_data["product_id"],
            kind=data.validated_data["kind"],
            note=data.validated_data["note"],
        )
        return Response(LeadSerializer(_lead_body(lead, _english(request))).data, status=status.HTTP_201_CREATED)


class LeadApi(APIView):
    @api_operation(
        "lead_get",
        tag=TAG,
        summary="One of my product requests",
        response=LeadSerializer,
        response_example=ex.LEAD,
        errors=["not_found", "throttled"],
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        lead = selectors.lead_get_for_customer(customer=_customer(request), lead_id=public_id)
        if lead is None:
            raise LeadNotFound()
        return Response(LeadSerializer(_lead_body(lead, _english(request))).data)


class LeadWithdrawApi(APIView):
    @api_operation(
        "lead_withdraw",
        tag=TAG,
        summary="Withdraw a product request",
        description="Closes one of my open requests (WITHDRAWN; no body). A closed one answers as it is. Another's: 404.",
        response=LeadSerializer,
        response_example=ex.LEAD_WITHDRAWN,
        errors=["not_found", "throttled"],
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        lead = lead_withdraw(customer=_customer(request), lead_id=public_id)
        return Response(LeadSerializer(_lead_body(lead, _english(request))).data)
