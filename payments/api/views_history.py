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
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_docs import api_operation
from core.fields import ApiDateTimeField
from core.money import Money
from core.pagination import PAGE_PARAMETERS, Page, page_body, page_params, page_serializer
from core.pagination import InvalidCursor as InvalidPageCursor
from core.timestamps import api_datetime, customer_timezone, local_datetime
from payments.api import error_codes as _error_codes  # noqa: F401 - documented codes
from payments.api import examples as ex
from payments.api.common import MoneySerializer, money_parse
from payments.api.labels import counterparty_for_customer
from payments.api.views_merchants import PaymentBenefitSerializer, payment_benefits
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
        "counterparty": counterparty_for_customer(entry.counterparty),
        "memo": entry.memo,
        "reason_code": entry.reason_code,
        "created_at": api_datetime(entry.created_at),
    }


def _cursor(token: str | None) -> HistoryCursor | None:
    if not token:
        return None
    try:
        return HistoryCursor.decode(token)
    except InvalidCursor:
        raise InvalidPageCursor() from None


def _customer_id(request: Request) -> int:
    pk = request.user.pk  # token authentication: the user is a saved Customer
    assert pk is not None
    return int(pk)


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


HistoryPageSerializer = page_serializer("HistoryPage", HistoryItemSerializer(many=True))


class TransactionListApi(APIView):
    @api_operation(
        "transactions_list",
        tag="History",
        summary="Transaction history, newest first",
        description=(
            "One entry per movement of the customer's wallets, newest first, with the balance after it and the "
            "other side as the customer knows it (a masked person, a merchant or biller by name, `Bank card` "
            "for top-ups and withdrawals, `Currency exchange`...). Paged by keyset cursor (`next_cursor`): the "
            "same cost on the first page and the thousandth. Filters combine."
        ),
        parameters=[*_FILTER_PARAMETERS, *PAGE_PARAMETERS],
        response=HistoryPageSerializer,
        response_example=ex.HISTORY_PAGE,
        errors=[
            "invalid_filter",
            "invalid_amount",
            "too_many_decimals",
            "unknown_currency",
            "invalid_cursor",
            "invalid_page_size",
            "throttled",
        ],
    )
    def get(self, request: Request) -> Response:
        token, size = page_params(request)
        query, cursor = history_query(request), _cursor(token)
        page = history_page(customer_id=_customer_id(request), query=query, cursor=cursor, size=size)
        cursors = Page(
            items=page.entries,
            next=page.next.encode() if page.next else None,
            previous=page.previous.encode() if page.previous else None,
        )
        return Response(page_body(request, [history_item(entry) for entry in page.entries], cursors))


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
        saved = MoneySerializer(allow_null=True, help_text="What instant benefits saved on this payment (null: none)")
        benefits = PaymentBenefitSerializer(many=True, help_text="Campaigns applied, and those skipped and why")

    @api_operation(
        "transactions_retrieve",
        tag="History",
        summary="One transaction with every posting",
        description="Both sides of the movement; `own` marks the customer's wallets (with their balance after).",
        response=OutputSerializer,
        response_example=ex.TRANSACTION,
        errors=["not_found", "throttled"],
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        customer = request.user
        transfer = transfer_get_for_customer(customer=customer, public_id=public_id)  # type: ignore[arg-type]
        if transfer is None:
            raise DomainError(code="not_found", message=gettext("Transaction not found."), status_code=404)
        postings = []
        for posting in transfer.postings.all():
            account = posting.account
            own = account.customer_id == customer.pk and account.kind in WALLET_KINDS
            postings.append(
                {
                    "account": counterparty_for_customer(account_display(account)),
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
                **_savings(transfer.metadata or {}),
            }
        )


def _savings(metadata: dict[str, Any]) -> dict[str, Any]:
    """What a payment's instant benefits saved and the campaigns applied or skipped (its metadata)."""
    benefits = payment_benefits(metadata)
    applied = [b["amount"] for b in benefits if b["status"] == "APPLIED" and isinstance(b["amount"], dict)]
    saved = None
    if applied:
        total = sum(Money.parse(a["amount"], a["currency"]).minor for a in applied)
        saved = Money(total, applied[0]["currency"]).as_dict()
    return {"saved": saved, "benefits": benefits}


class _Echo:
    def write(self, value: str) -> str:
        return value


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(text: str) -> str:
    """Spreadsheet formula injection: text cells never start with a formula character."""
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


class TransactionExportApi(APIView):
    @api_operation(
        "transactions_export",
        tag="History",
        summary="Transaction history as CSV",
        description=(
            "Every entry matching the same filters as the list, streamed (UTF-8 with a BOM for spreadsheet "
            "apps). `created_at` is in the customer's time zone with its offset (`2026-11-30T16:15:30+08:00`): "
            "the file is read by a person. Text cells never start with a formula character."
        ),
        parameters=_FILTER_PARAMETERS,
        response=OpenApiTypes.STR,
        response_media_type="text/csv",
        response_example=ex.CSV_EXAMPLE,
        errors=["invalid_filter", "invalid_amount", "too_many_decimals", "unknown_currency", "throttled"],
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
