"""Transaction history: cursor-paginated list with filters, detail with postings, streaming CSV export.

Every query is scoped to the authenticated customer's wallets; another customer's transaction is a 404.
A page is one query (postings joined with transfer and counterparty): query counts are pinned in tests.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.money import Money
from payments.api.common import MoneySerializer, error_responses, money_parse
from payments.errors import DomainError
from payments.models import LedgerAccount, Posting, Transfer
from payments.selectors import WALLET_KINDS, account_display, posting_history_qs, transfer_get_for_customer

__all__ = ["TransactionDetailApi", "TransactionExportApi", "TransactionListApi"]


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, normalised to UTC. Python accepts offsets PostgreSQL refuses
    (``-17:53``: "time zone displacement out of range", a 500 found by schemathesis), and an
    offset can push a date past year 1 or 9999: both are a 400 on this field instead."""

    def clean(self, value: Any) -> datetime | None:
        cleaned = super().clean(value)
        if cleaned is None:
            return None
        offset = cleaned.utcoffset()
        if offset is not None and abs(offset) > timedelta(hours=14):  # no real zone is further from UTC
            raise forms.ValidationError(gettext("Enter a valid date and time."), code="invalid")
        try:
            if timezone.is_naive(cleaned):
                cleaned = timezone.make_aware(cleaned)
            return cleaned.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(gettext("Enter a valid date and time."), code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class HistoryFilter(django_filters.FilterSet):
    """``kind``, ``date_from``/``date_to`` (local dates, inclusive), ``created_after``/``created_before``,
    ``min_amount``/``max_amount`` (decimal strings, on the absolute amount), ``direction`` (in/out),
    ``currency``, ``counterparty`` (the counterparty id shown in history items)."""

    kind = django_filters.CharFilter(method="filter_kind")  # repeatable and/or comma-separated
    date_from = django_filters.DateFilter(method="filter_date_from")
    date_to = django_filters.DateFilter(method="filter_date_to")
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    min_amount = django_filters.CharFilter(method="filter_min_amount")
    max_amount = django_filters.CharFilter(method="filter_max_amount")
    direction = django_filters.ChoiceFilter(choices=[("in", "in"), ("out", "out")], method="filter_direction")
    currency = django_filters.CharFilter(field_name="currency")
    counterparty = django_filters.UUIDFilter(method="filter_counterparty")

    class Meta:
        model = Posting
        fields: list[str] = []

    def _currency(self) -> str:
        return str(self.data.get("currency") or "CNY")

    def _money(self, value: str) -> Money:
        return money_parse(value, self._currency(), positive=False)

    def filter_kind(self, qs: QuerySet[Posting], name: str, value: str) -> QuerySet[Posting]:
        values = self.data.getlist("kind") if hasattr(self.data, "getlist") else [value]
        kinds = {k.strip().upper() for v in values for k in str(v).split(",") if k.strip()}
        return qs.filter(transfer__kind__in=kinds) if kinds else qs

    def filter_date_from(self, qs: QuerySet[Posting], name: str, value: Any) -> QuerySet[Posting]:
        start = timezone.make_aware(datetime.combine(value, time.min))
        return qs.filter(created_at__gte=start)

    def filter_date_to(self, qs: QuerySet[Posting], name: str, value: Any) -> QuerySet[Posting]:
        end = timezone.make_aware(datetime.combine(value + timedelta(days=1), time.min))
        return qs.filter(created_at__lt=end)

    def filter_min_amount(self, qs: QuerySet[Posting], name: str, value: str) -> QuerySet[Posting]:
        minor = abs(self._money(value).minor)
        return qs.filter(Q(amount_minor__gte=minor) | Q(amount_minor__lte=-minor))

    def filter_max_amount(self, qs: QuerySet[Posting], name: str, value: str) -> QuerySet[Posting]:
        minor = abs(self._money(value).minor)
        return qs.filter(amount_minor__lte=minor, amount_minor__gte=-minor)

    def filter_direction(self, qs: QuerySet[Posting], name: str, value: str) -> QuerySet[Posting]:
        return qs.filter(amount_minor__gt=0) if value == "in" else qs.filter(amount_minor__lt=0)

    def filter_counterparty(self, qs: QuerySet[Posting], name: str, value: uuid.UUID) -> QuerySet[Posting]:
        return qs.filter(counterparty_account__in=LedgerAccount.objects.filter(public_id=value).values("pk"))


def _filtered(request: Request) -> QuerySet[Posting]:
    qs = posting_history_qs(customer=request.user)  # type: ignore[arg-type]
    filterset = HistoryFilter(data=request.query_params, queryset=qs, request=request)
    if not filterset.is_valid():
        raise DomainError(code="invalid_filter", message=str(filterset.errors.as_text()), details=filterset.errors)
    return filterset.qs


def _amount(minor: int | None, currency: str) -> dict[str, str] | None:
    return Money(minor, currency).as_dict() if minor is not None else None


def history_item(posting: Posting) -> dict[str, Any]:
    transfer = posting.transfer
    return {
        "transaction_id": str(transfer.public_id),
        "entry_id": posting.pk,
        "kind": transfer.kind,
        "direction": "in" if posting.amount_minor > 0 else "out",
        "amount": _amount(posting.amount_minor, posting.currency),
        "balance_after": _amount(posting.balance_after_minor, posting.currency),
        "counterparty": account_display(posting.counterparty_account),
        "memo": transfer.memo,
        "reason_code": transfer.reason_code,
        "created_at": posting.created_at.isoformat(),
    }


class HistoryPagination(CursorPagination):
    ordering = "-id"  # posting ids are unique and increasing: a stable cursor
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CounterpartySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    name = serializers.CharField()
    phone = serializers.CharField()


class HistoryItemSerializer(serializers.Serializer):
    transaction_id = serializers.UUIDField()
    entry_id = serializers.IntegerField()
    kind = serializers.CharField()
    direction = serializers.ChoiceField(choices=["in", "out"])
    amount = MoneySerializer()
    balance_after = MoneySerializer(allow_null=True)
    counterparty = CounterpartySerializer(allow_null=True)
    memo = serializers.CharField()
    reason_code = serializers.CharField()
    created_at = serializers.DateTimeField()


_FILTER_PARAMETERS = [
    OpenApiParameter("kind", OpenApiTypes.STR, many=True, enum=Transfer.Kind.values, description="Transfer kind(s)"),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="From this local date (inclusive)"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Up to this local date (inclusive)"),
    OpenApiParameter("created_after", OpenApiTypes.DATETIME),
    OpenApiParameter("created_before", OpenApiTypes.DATETIME),
    OpenApiParameter("min_amount", OpenApiTypes.STR, description="Decimal string, on the absolute amount"),
    OpenApiParameter("max_amount", OpenApiTypes.STR, description="Decimal string, on the absolute amount"),
    OpenApiParameter("direction", OpenApiTypes.STR, enum=["in", "out"]),
    OpenApiParameter("currency", OpenApiTypes.STR, description="Currency of the entries and of the amount filters"),
    OpenApiParameter("counterparty", OpenApiTypes.UUID, description="A counterparty id shown in history items"),
]


# The page as the paginator returns it (cursor links + results), so the schema matches the response.
HistoryPageSerializer = inline_serializer(
    name="HistoryPage",
    fields={
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": HistoryItemSerializer(many=True),
    },
)


class TransactionListApi(APIView):
    @extend_schema(
        operation_id="transactions_list",
        parameters=[
            *_FILTER_PARAMETERS,
            OpenApiParameter("cursor", OpenApiTypes.STR),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="At most 100"),
        ],
        responses={200: HistoryPageSerializer, **error_responses(400, 401)},
        description="Your wallet entries, newest first, cursor-paginated (`next`/`previous` links).",
    )
    def get(self, request: Request) -> Response:
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(_filtered(request), request, view=self)
        return paginator.get_paginated_response([history_item(p) for p in page or []])


@extend_schema_serializer(component_name="TransactionPosting")
class TransactionPostingSerializer(serializers.Serializer):
    account = CounterpartySerializer()
    own = serializers.BooleanField()
    amount = MoneySerializer()
    balance_after = MoneySerializer(allow_null=True)


class TransactionDetailApi(APIView):
    @extend_schema_serializer(component_name="TransactionDetail")
    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField()
        kind = serializers.CharField()
        memo = serializers.CharField()
        reference = serializers.CharField()
        reason_code = serializers.CharField()
        reverses = serializers.UUIDField(allow_null=True)
        created_at = serializers.DateTimeField()
        postings = TransactionPostingSerializer(many=True)

    @extend_schema(operation_id="transactions_retrieve", responses={200: OutputSerializer, **error_responses(401, 404)})
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        customer = request.user
        transfer = transfer_get_for_customer(customer=customer, public_id=public_id)  # type: ignore[arg-type]
        if transfer is None:
            raise DomainError(code="not_found", message="Transaction not found.", status_code=404)
        postings = []
        for posting in transfer.postings.all():
            account = posting.account
            own = account.customer_id == customer.pk and account.kind in WALLET_KINDS
            postings.append(
                {
                    "account": account_display(account),
                    "own": own,
                    "amount": _amount(posting.amount_minor, posting.currency),
                    "balance_after": _amount(posting.balance_after_minor, posting.currency) if own else None,
                }
            )
        return Response(
            {
                "id": str(transfer.public_id),
                "kind": transfer.kind,
                "memo": transfer.memo,
                "reference": transfer.reference,
                "reason_code": transfer.reason_code,
                "reverses": str(transfer.reverses.public_id) if transfer.reverses is not None else None,
                "created_at": transfer.created_at.isoformat(),
                "postings": postings,
            }
        )


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(text: str) -> str:
    """Spreadsheet formula injection: text cells never start with a formula character."""
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


class TransactionExportApi(APIView):
    @extend_schema(
        operation_id="transactions_export",
        parameters=_FILTER_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR, **error_responses(400, 401)},
        description="CSV of your wallet entries with the same filters as the list (streamed).",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        qs = _filtered(request)
        writer = csv.writer(_Echo())

        def rows() -> Iterator[str]:
            yield "\ufeff"  # BOM: spreadsheet apps open UTF-8 (Chinese names) correctly
            yield writer.writerow(
                [
                    "created_at",
                    "transaction_id",
                    "kind",
                    "direction",
                    "amount",
                    "currency",
                    "balance_after",
                    "counterparty",
                    "memo",
                ]
            )
            for posting in qs.iterator(chunk_size=2000):
                item = history_item(posting)
                counterparty = item["counterparty"] or {}
                yield writer.writerow(
                    [
                        item["created_at"],
                        item["transaction_id"],
                        item["kind"],
                        item["direction"],
                        item["amount"]["amount"],
                        posting.currency,
                        item["balance_after"]["amount"] if item["balance_after"] else "",
                        _csv_safe(counterparty.get("name", "")),
                        _csv_safe(item["memo"]),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="transactions.csv"'
        return response
