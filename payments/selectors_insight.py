"""Reads for history insight: spending by category and month, and the monthly statement rows.

Months are calendar months in ``settings.TIME_ZONE`` (Asia/Shanghai). Every query is scoped to
one customer and aggregated in PostgreSQL; a constant number of queries per call.

Spending categories: a merchant payment counts under its merchant's MCC category (``mcc_category``:
DINING, GROCERIES, ...), a bill payment under ``BILLS_<biller category>``, a P2P transfer sent
under ``P2P``. Amounts are what the customer paid (after an instant discount), minus refunds
received in the same month for payments of that category. Top-ups, withdrawals and currency
exchange move the customer's own money and are not spending.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Sum

from accounts.pii import mask_name
from core.db_router import replica_reads
from core.money import Money
from payments.errors_movements import InvalidMonth, StatementNotFound
from payments.models import (
    BillPayment,
    LedgerAccount,
    MerchantPayment,
    Posting,
    Refund,
    Transfer,
    mcc_category,
)
from payments.statements import StatementRow, StatementSection

if TYPE_CHECKING:
    from accounts.models import Customer

__all__ = ["SpendingLine", "month_bounds", "spending_by_category", "statement_sections"]

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """``"2026-11"`` -> [start, end) as aware datetimes in the bank's time zone; ``InvalidMonth`` otherwise."""
    match = _MONTH_RE.fullmatch(month or "") if isinstance(month, str) else None
    if match is None:
        raise InvalidMonth()
    year, mon = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        raise InvalidMonth()
    tz = ZoneInfo(settings.TIME_ZONE)
    start = datetime(year, mon, 1, tzinfo=tz)
    end = datetime(year + (mon == 12), 1 if mon == 12 else mon + 1, 1, tzinfo=tz)
    return start, end


@dataclass(frozen=True)
class SpendingLine:
    category: str
    amount: Money
    count: int


@replica_reads
def spending_by_category(*, customer: Customer, month: str) -> list[SpendingLine]:
    """Spending of ``month`` per (category, currency), largest first. Four queries."""
    start, end = month_bounds(month)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    window = {"created_at__gte": start, "created_at__lt": end}

    for m_row in (
        MerchantPayment.objects.filter(customer=customer, **window)
        .values("merchant__mcc", "currency")
        .annotate(total=Sum(F("amount_minor") - F("discount_minor")), n=Count("id"))
    ):
        key = (mcc_category(m_row["merchant__mcc"]), m_row["currency"])
        totals[key] += m_row["total"]
        counts[key] += m_row["n"]
    for b_row in (
        BillPayment.objects.filter(customer=customer, **window)
        .values("biller__category", "currency")
        .annotate(total=Sum("amount_minor"), n=Count("id"))
    ):
        key = (f"BILLS_{b_row['biller__category']}", b_row["currency"])
        totals[key] += b_row["total"]
        counts[key] += b_row["n"]
    for p_row in (
        Posting.objects.filter(
            account__customer=customer,
            account__kind=LedgerAccount.Kind.CUSTOMER_WALLET,
            amount_minor__lt=0,
            transfer__kind=Transfer.Kind.P2P,
            **window,
        )
        .values("currency")
        .annotate(total=Sum("amount_minor"), n=Count("id"))
    ):
        key = ("P2P", p_row["currency"])
        totals[key] += -p_row["total"]
        counts[key] += p_row["n"]
    for r_row in (
        Refund.objects.filter(customer=customer, **window)
        .values("merchant_payment__merchant__mcc", "bill_payment__biller__category", "currency")
        .annotate(total=Sum("customer_amount_minor"))
    ):
        mcc = r_row["merchant_payment__merchant__mcc"]
        category = mcc_category(mcc) if mcc else f"BILLS_{r_row['bill_payment__biller__category']}"
        totals[(category, r_row["currency"])] -= r_row["total"]

    lines = [SpendingLine(cat, Money(max(total, 0), cur), counts[(cat, cur)]) for (cat, cur), total in totals.items()]
    return sorted(lines, key=lambda line: (line.amount.currency != "CNY", -line.amount.minor, line.category))


def _describe(posting: Posting, names: dict[int, str]) -> str:
    transfer = posting.transfer
    label = Transfer.Kind(transfer.kind).label if transfer.kind in Transfer.Kind.values else transfer.kind
    detail = names.get(transfer.pk) or transfer.memo
    return f"{label} {detail}".strip()


@replica_reads
def statement_sections(*, customer: Customer, month: str) -> list[StatementSection]:
    """One section per wallet of the customer (money wallets, not points) that existed by the end
    of ``month``: opening and closing posted balances and every posting of the month, oldest first.
    ``StatementNotFound`` (404) when the customer had no wallet yet by the end of that month."""
    start, end = month_bounds(month)
    wallets = list(
        LedgerAccount.objects.filter(
            customer=customer, kind=LedgerAccount.Kind.CUSTOMER_WALLET, created_at__lt=end
        ).order_by("currency")
    )
    if not wallets:
        raise StatementNotFound()
    sections: list[StatementSection] = []
    for wallet in wallets:
        before = (
            Posting.objects.filter(account=wallet, created_at__lt=start)
            .order_by("-id")
            .values_list("balance_after_minor", flat=True)
            .first()
        )
        opening = Money(before or 0, wallet.currency)
        postings = list(
            Posting.objects.filter(account=wallet, created_at__gte=start, created_at__lt=end)
            .select_related("transfer", "counterparty_account__customer")
            .order_by("id")
        )
        names = _counterparty_names(postings)
        rows = [
            StatementRow(
                occurred_at=p.created_at,
                description=_describe(p, names),
                reference=p.transfer.reference or str(p.transfer.public_id)[:8],
                amount=Money(p.amount_minor, p.currency),
                balance=Money(p.balance_after_minor or 0, p.currency),
            )
            for p in postings
        ]
        closing = rows[-1].balance if rows else opening
        sections.append(
            StatementSection(
                currency=wallet.currency,
                account_code=str(wallet.public_id)[:8],
                opening=opening,
                closing=closing,
                rows=rows,
            )
        )
    return sections


def _counterparty_names(postings: list[Posting]) -> dict[int, str]:
    """Transfer pk -> merchant name / biller name / masked P2P counterparty, in two queries."""
    transfer_ids = [p.transfer_id for p in postings]
    names: dict[int, str] = {}
    for transfer_id, name in MerchantPayment.objects.filter(transfer_id__in=transfer_ids).values_list(
        "transfer_id", "merchant__name"
    ):
        names[transfer_id] = name
    for transfer_id, name in BillPayment.objects.filter(transfer_id__in=transfer_ids).values_list(
        "transfer_id", "biller__name"
    ):
        names[transfer_id] = name
    for p in postings:
        other = p.counterparty_account
        if p.transfer.kind == Transfer.Kind.P2P and other is not None and other.customer is not None:
            names[p.transfer_id] = mask_name(other.customer.legal_name or "")
    return names


def statement_period_label(month: str) -> str:
    start, _end = month_bounds(month)
    return date(start.year, start.month, 1).strftime("%Y-%m")
