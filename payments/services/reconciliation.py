"""Reconciliation of the bank's settlement file against top-ups, withdrawals and the ledger.

File format (CSV, UTF-8, header row required; documented in docs/payments-movements.md)::

    value_date,type,reference,gateway_ref,amount,currency
    2026-11-23,CHARGE,TU20261123AB12CD34EF56AB78,SIM0123456789ABCDEF,100.00,CNY

``type`` is CHARGE (card -> bank, our top-up) or PAYOUT (bank -> card, our withdrawal);
``reference`` is the reference we sent to the gateway. Every line is money the bank settled.

Mismatches reported:

- ``missing_in_ledger``: the bank settled it, but we have no such operation, or it is not booked
  (not COMPLETED / SUSPENSE, or no ledger transfer);
- ``amount_differs``: the file's amount or currency differs from our record or from the ledger's
  settlement leg;
- ``missing_in_file``: we booked it (completed on a value date covered by the file) but the bank
  did not settle it;
- ``duplicate_in_file``: the same reference twice in the file;
- ``malformed_line``: a line we cannot read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TextIO

from django.db.models import Q
from django.utils import timezone

from core.money import Money, MoneyError
from payments.models import LedgerAccount, Posting, TopUp, Withdrawal
from payments.models.funding import FundingStatus

__all__ = ["REQUIRED_COLUMNS", "Mismatch", "settlement_reconcile"]

REQUIRED_COLUMNS = ("value_date", "type", "reference", "gateway_ref", "amount", "currency")
BOOKED = (FundingStatus.COMPLETED, FundingStatus.SUSPENSE)


@dataclass(frozen=True)
class Mismatch:
    kind: str
    reference: str
    detail: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{self.kind:<18} {self.reference:<34} {where}{self.detail}"


def _settlement_leg(record: TopUp | Withdrawal) -> Money | None:
    """The settlement account's leg of the record's transfer (negative for a top-up, positive for a payout)."""
    if record.transfer_id is None:
        return None
    posting = Posting.objects.filter(
        transfer_id=record.transfer_id, account__kind=LedgerAccount.Kind.SETTLEMENT
    ).first()
    return Money(posting.amount_minor, posting.currency) if posting is not None else None


def settlement_reconcile(file: TextIO, *, period: tuple[date, date] | None = None) -> tuple[int, list[Mismatch]]:
    """Read the file and return (lines read, mismatches). ``period`` (inclusive local dates)
    defaults to the file's first..last value date."""
    reader = csv.DictReader(file)
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"settlement file lacks columns: {', '.join(missing)}")
    mismatches: list[Mismatch] = []
    seen: dict[tuple[str, str], int] = {}
    dates: list[date] = []
    count = 0
    for line_no, row in enumerate(reader, start=2):
        count += 1
        reference = (row.get("reference") or "").strip()
        kind = (row.get("type") or "").strip().upper()
        try:
            value_date = date.fromisoformat((row.get("value_date") or "").strip())
            amount = Money.parse((row.get("amount") or "").strip(), (row.get("currency") or "").strip().upper())
            if kind not in ("CHARGE", "PAYOUT") or not reference:
                raise ValueError(kind)
        except (ValueError, MoneyError) as exc:
            mismatches.append(Mismatch("malformed_line", reference or "-", f"cannot read ({exc})", line_no))
            continue
        dates.append(value_date)
        if (kind, reference) in seen:
            mismatches.append(
                Mismatch("duplicate_in_file", reference, f"also on line {seen[(kind, reference)]}", line_no)
            )
            continue
        seen[(kind, reference)] = line_no
        model = TopUp if kind == "CHARGE" else Withdrawal
        record = model.objects.filter(reference=reference).first()
        if record is None:
            mismatches.append(
                Mismatch("missing_in_ledger", reference, f"{kind} {amount} settled by the bank, unknown here", line_no)
            )
            continue
        ours = Money(record.amount_minor, record.currency)
        if record.status not in BOOKED or record.transfer_id is None:
            mismatches.append(
                Mismatch("missing_in_ledger", reference, f"{kind} {amount} settled, ours is {record.status}", line_no)
            )
            continue
        if ours != amount:
            mismatches.append(Mismatch("amount_differs", reference, f"file {amount}, ours {ours}", line_no))
            continue
        leg = _settlement_leg(record)
        expected_leg = -amount if kind == "CHARGE" else amount
        if leg != expected_leg:
            mismatches.append(
                Mismatch("amount_differs", reference, f"file {amount}, ledger settlement leg {leg}", line_no)
            )

    if period is None and dates:
        period = (min(dates), max(dates))
    if period is not None:
        mismatches.extend(_missing_in_file(period, {ref for (_kind, ref) in seen}))
    return count, mismatches


def _missing_in_file(period: tuple[date, date], in_file: set[str]) -> Iterable[Mismatch]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(period[0], time.min, tzinfo=tz)
    end = datetime.combine(period[1] + timedelta(days=1), time.min, tzinfo=tz)
    window = Q(status__in=BOOKED, completed_at__gte=start, completed_at__lt=end)
    for model, kind in ((TopUp, "CHARGE"), (Withdrawal, "PAYOUT")):
        for reference, minor, currency in (
            model.objects.filter(window).order_by("completed_at").values_list("reference", "amount_minor", "currency")
        ):
            if reference not in in_file:
                yield Mismatch(
                    "missing_in_file", reference, f"{kind} {Money(minor, currency)} booked here, not settled"
                )
