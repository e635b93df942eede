"""Transaction history: cursor-paginated list with filters, detail with postings, streaming CSV export.

Every query is scoped to the authenticated customer's wallets; another customer's transaction is a 404.
A page is one statement (``payments.selectors_history``) after the token lookup: pinned in tests.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from core.fields import ApiDateTimeField
from core.money import Money
from core.timestamps import api_datetime, customer_timezone, local_datetime
from payments.api.common import MoneySerializer, error_responses, money_parse
from payments.errors import DomainError
from payments.models import Posting, Transfer
from payments.selectors import WALLET_KINDS, account_display, transfer_get_for_customer
from payments.selectors_history import (
    HistoryCursor,
    HistoryEntry,
    HistoryQuery,
    InvalidCursor,
    history_entries,
    history_page,
)

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
    ``currency``, ``counterparty`` (the counterparty id shown in history items).

    Used to validate and parse the query string only (its form); ``history_query`` turns the cleaned
    values into the selector's ``HistoryQuery``: the page is one raw statement, not this queryset."""

    kind = django_filters.CharFilter()  # repeatable and/or comma-separated
    date_from = django_filters.DateFilter()
    date_to = django_filters.DateFilter()
    created_after = UtcIsoDateTimeFilter()
    created_before = UtcIsoDateTimeFilter()
    min_amount = django_filters.CharFilter()
    max_amount = django_filters.CharFilter()
    direction = django_filters.ChoiceFilter(choices=[("in", "in"), ("out", "out")])
    currency = django_filters.CharFilter()
    counterparty = django_filters.UUIDFilter()

    class Meta:
        model = Posting
        fields: list[str] = []


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(a, b) if a is not None and b is not None else a or b


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(a, b) if a is not None and b is not None else a or b


def history_query(request: Request) -> HistoryQuery:
    """The validated filters of a history request; a 400 for any invalid one."""
    filterset = HistoryFilter(data=request.query_params, queryset=Posting.objects.none(), request=request)
    if not filterset.is_valid():
        raise DomainError(code="invalid_filter", message=str(filterset.errors.as_text()), details=filterset.errors)
    data = filterset.form.cleaned_data
    raw_kinds = request.query_params.getlist("kind")
    kinds = sorted({k.strip().upper() for v in raw_kinds for k in str(v).split(",") if k.strip()})
    currency = data.get("currency") or None
    amount_currency = str(currency or "CNY")

    def abs_minor(value: str | None) -> int | None:
        return abs(money_parse(value, amount_currency, positive=False).minor) if value else None

    start = end = None
    if data.get("date_from") is not None:
        start = timezone.make_aware(datetime.combine(data["date_from"], time.min))
    if data.get("date_to") is not None:
        end = timezone.make_aware(datetime.combine(data["date_to"] + timedelta(days=1), time.min))
    return HistoryQuery(
        kinds=tuple(kinds),
        currency=currency,
        created_from=_later(start, data.get("created_after")),
        created_before=_earlier(end, data.get("created_before")),
        min_abs_minor=abs_minor(data.get("min_amount")),
        max_abs_minor=abs_minor(data.get("max_amount")),
        direction=data.get("direction") or None,
        counterparty=str(data["counterparty"]) if data.get("counterparty") else None,
    )


def _amount(minor: int | None, currency: str) -> dict[str, str] | None:
    return Money(minor, currency).as_dict() if minor is not None else None


def history_item(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "transaction_id": entry.transaction_id,
        "entry_id": entry.entry_id,
        "kind": entry.kind,
        "direction": "in" if entry.amount_minor > 0 else "out",
        "amount": _amount(entry.amount_minor, entry.currency),
        "balance_after": _amount(entry.balance_after_minor, entry.currency),
        "counterparty": entry.counterparty,
        "memo": entry.memo,
        "reason_code": entry.reason_code,
        "created_at": api_datetime(entry.created_at),
    }


PAGE_SIZE, MAX_PAGE_SIZE = 20, 100


def _page_size(request: Request) -> int:
    try:
        size = int(request.query_params.get("page_size", PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE
    return min(size, MAX_PAGE_SIZE) if size > 0 else PAGE_SIZE


def _cursor(request: Request) -> HistoryCursor | None:
    token = request.query_params.get("cursor")
    if not token:
        return None
    try:
        return HistoryCursor.decode(token)
    except InvalidCursor:
        raise DomainError(code="not_found", message=gettext("Invalid cursor"), status_code=404) from None


def _customer_id(request: Request) -> int:
    pk = request.user.pk  # token authentication: the user is a saved Customer
    assert pk is not None
    return int(pk)


def _link(request: Request, cursor: HistoryCursor | None) -> str | None:
    if cursor is None:
        return None
    return replace_query_param(request.build_absolute_uri(), "cursor", cursor.encode())


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
    created_at = ApiDateTimeField()


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
        query, cursor, size = history_query(request), _cursor(request), _page_size(request)
        page = history_page(customer_id=_customer_id(request), query=query, cursor=cursor, size=size)
        return Response(
            {
                "next": _link(request, page.next),
                "previous": _link(request, page.previous),
                "results": [history_item(entry) for entry in page.entries],
            }
        )


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
        created_at = ApiDateTimeField()
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
                "created_at": api_datetime(transfer.created_at),
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
        description=(
            "CSV of your wallet entries with the same filters as the list (streamed). `created_at` is in "
            "your time zone with its offset (`2026-11-30T16:15:30+08:00`): the file is read by a person."
        ),
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        query, customer_id = history_query(request), _customer_id(request)
        writer = csv.writer(_Echo())
        zone = customer_timezone(request.user)  # read by a person: the customer's zone, with its offset

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
            for entry in history_entries(customer_id=customer_id, query=query):
                item = history_item(entry)
                counterparty = item["counterparty"] or {}
                yield writer.writerow(
                    [
                        local_datetime(entry.created_at, zone),
                        item["transaction_id"],
                        item["kind"],
                        item["direction"],
                        item["amount"]["amount"],
                        entry.currency,
                        item["balance_after"]["amount"] if item["balance_after"] else "",
                        _csv_safe(counterparty.get("name", "")),
                        _csv_safe(item["memo"]),
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="transactions.csv"'
        return response
