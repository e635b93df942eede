"""History reads: one page of a customer's wallet entries in ONE query, keyset-paginated, any filter.

Contract: newest first by ``(created_at, id)``; a page never OFFSETs and never COUNTs. The page is
found per wallet through one of the posting_history* indexes (``payments.models.Posting``):

- ``counterparty`` given: ``(account, counterparty, created_at DESC, id DESC)``;
- ``kinds`` given: ``(account, kind, created_at DESC, id DESC)``, one index range per kind;
- otherwise: ``(account, created_at DESC, id DESC)``.

The date bounds and the cursor are index conditions; direction and amount bounds are checked on the
index's INCLUDE columns (an index-only scan: the table is visited only for the page's rows). Each
(wallet, kind) branch is a LATERAL scan stopping at ``limit`` rows, so a customer with several
wallets or several kinds costs a merge of a few short scans, never a sort of their whole history.
The page's rows are then joined to their transfer and counterparty in the same statement.

Raw SQL through a cursor: the ORM costs 0.5-1.9 ms of CPU per statement here against ~0.13 ms for a
cursor (ARCHITECTURE.md). Reads go to the read replica when one is configured (``core.db_router``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections

from accounts.models import Customer
from core.db_router import read_alias
from payments.models import LedgerAccount
from payments.selectors import counterparty_display

__all__ = [
    "HistoryCursor",
    "HistoryEntry",
    "HistoryPage",
    "HistoryQuery",
    "InvalidCursor",
    "history_entries",
    "history_page",
    "history_statement",
]

WALLET_KINDS = [LedgerAccount.Kind.CUSTOMER_WALLET.value, LedgerAccount.Kind.POINTS_WALLET.value]


class InvalidCursor(ValueError):
    """A ``cursor`` query parameter this API did not issue."""


@dataclass(frozen=True)
class HistoryCursor:
    """A position between two entries: ``(created_at, id)`` of the entry it follows, and the direction."""

    created_at: datetime
    entry_id: int
    reverse: bool = False

    def encode(self) -> str:
        raw = f"{'r' if self.reverse else 'f'}|{self.created_at.isoformat()}|{self.entry_id}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> HistoryCursor:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
            way, created_at, entry_id = raw.split("|")
            if way not in ("f", "r"):
                raise ValueError(way)
            moment = datetime.fromisoformat(created_at)
            if moment.tzinfo is None:
                raise ValueError(created_at)
            return cls(created_at=moment, entry_id=int(entry_id), reverse=way == "r")
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise InvalidCursor(token) from exc


@dataclass(frozen=True)
class HistoryQuery:
    """Validated filters. Amount bounds are on the absolute amount, in minor units."""

    kinds: tuple[str, ...] = ()
    currency: str | None = None
    created_from: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    min_abs_minor: int | None = None
    max_abs_minor: int | None = None
    direction: str | None = None  # "in" | "out"
    counterparty: str | None = None  # a ledger account's public id


@dataclass(frozen=True)
class HistoryEntry:
    entry_id: int
    created_at: datetime
    amount_minor: int
    currency: str
    balance_after_minor: int | None
    transaction_id: str
    kind: str
    memo: str
    reason_code: str
    counterparty: dict[str, str] | None


@dataclass(frozen=True)
class HistoryPage:
    entries: list[HistoryEntry]
    next: HistoryCursor | None = None
    previous: HistoryCursor | None = None


def _page_sql(query: HistoryQuery, cursor: HistoryCursor | None) -> tuple[str, dict[str, Any]]:
    """The statement and its parameters. Only the shape of the filters changes the text."""
    params: dict[str, Any] = {"wallet_kinds": WALLET_KINDS}
    wallets = "customer_id = %(customer)s AND kind = ANY(%(wallet_kinds)s)"
    if query.currency is not None:
        wallets += " AND currency = %(currency)s"
        params["currency"] = query.currency
    branches = "wallet w"
    where = ["p.account_id = w.id"]
    if query.counterparty is not None:
        where.append(
            "p.counterparty_account_id = (SELECT id FROM payments_ledgeraccount WHERE public_id = %(counterparty)s)"
        )
        params["counterparty"] = query.counterparty
        if query.kinds:
            where.append("p.kind = ANY(%(kinds)s)")
    elif query.kinds:
        branches = "wallet w CROSS JOIN unnest(%(kinds)s::varchar[]) AS k(kind)"
        where.append("p.kind = k.kind")
    if query.kinds:
        params["kinds"] = list(query.kinds)
    if query.created_from is not None:
        where.append("p.created_at >= %(created_from)s")
        params["created_from"] = query.created_from
    if query.created_before is not None:
        where.append("p.created_at < %(created_before)s")
        params["created_before"] = query.created_before
    if query.direction == "in":
        where.append("p.amount_minor > 0")
    elif query.direction == "out":
        where.append("p.amount_minor < 0")
    if query.min_abs_minor is not None:
        where.append("(p.amount_minor >= %(min_abs)s OR p.amount_minor <= -%(min_abs)s)")
        params["min_abs"] = query.min_abs_minor
    if query.max_abs_minor is not None:
        where.append("p.amount_minor BETWEEN -%(max_abs)s AND %(max_abs)s")
        params["max_abs"] = query.max_abs_minor
    reverse = cursor is not None and cursor.reverse
    older, order = (">", "ASC") if reverse else ("<", "DESC")
    if cursor is not None:
        # The first conjunct is an index condition; the second breaks ties on the same instant.
        where.append(
            f"p.created_at {older}= %(cursor_at)s AND (p.created_at {older} %(cursor_at)s OR p.id {older} %(cursor_id)s)"
        )
        params["cursor_at"], params["cursor_id"] = cursor.created_at, cursor.entry_id
    # Only fixed fragments are interpolated below; every value is a parameter.
    sql = f"""
WITH wallet AS (SELECT id FROM payments_ledgeraccount WHERE {wallets}),
page AS (
    SELECT e.id, e.created_at FROM {branches} CROSS JOIN LATERAL (
        SELECT p.id, p.created_at FROM payments_posting p
        WHERE {" AND ".join(where)}
        ORDER BY p.created_at {order}, p.id {order} LIMIT %(limit)s
    ) e
    ORDER BY e.created_at {order}, e.id {order} LIMIT %(limit)s
)
SELECT p.id, p.created_at, p.amount_minor, p.currency, p.balance_after_minor,
       t.public_id, t.kind, t.memo, t.reason_code,
       ca.public_id, ca.kind, ca.name, ca.customer_id, cu.legal_name, cu.phone
FROM page
JOIN payments_posting p ON p.id = page.id
JOIN payments_transfer t ON t.id = p.transfer_id
LEFT JOIN payments_ledgeraccount ca ON ca.id = p.counterparty_account_id
LEFT JOIN accounts_customer cu ON cu.id = ca.customer_id
ORDER BY page.created_at {order}, page.id {order}"""  # noqa: S608
    return sql, params


def history_statement(
    *, customer_id: int, query: HistoryQuery, cursor: HistoryCursor | None = None, size: int = 20
) -> tuple[str, dict[str, Any]]:
    """The page's SQL and parameters (``tools/bench_history.py`` EXPLAINs exactly this)."""
    sql, params = _page_sql(query, cursor)
    params["customer"], params["limit"] = customer_id, size + 1
    return sql, params


_LEGAL_NAME = Customer._meta.get_field("legal_name")
_PHONE = Customer._meta.get_field("phone")


def _entry(row: tuple[Any, ...]) -> HistoryEntry:
    (entry_id, created_at, amount, currency, balance, transfer_id, kind, memo, reason) = row[:9]
    cp_id, cp_kind, cp_name, cp_customer, cp_legal_name, cp_phone = row[9:]
    counterparty = None
    if cp_id is not None:
        counterparty = counterparty_display(
            public_id=str(cp_id),
            kind=cp_kind,
            name=cp_name,
            customer_id=cp_customer,
            legal_name=_LEGAL_NAME.from_db_value(cp_legal_name, None, None) if cp_customer else None,
            phone=_PHONE.from_db_value(cp_phone, None, None) if cp_customer else None,
        )
    return HistoryEntry(
        entry_id=entry_id,
        created_at=created_at,
        amount_minor=amount,
        currency=currency,
        balance_after_minor=balance,
        transaction_id=str(transfer_id),
        kind=kind,
        memo=memo,
        reason_code=reason,
        counterparty=counterparty,
    )


def history_page(
    *, customer_id: int, query: HistoryQuery, cursor: HistoryCursor | None = None, size: int = 20
) -> HistoryPage:
    """One page of the customer's entries matching ``query``, after ``cursor``: one statement.

    ``next`` is set when more entries follow (going older); ``previous`` when the page was reached
    through a cursor and newer entries exist (DRF's CursorPagination contract, without its OFFSET).
    """
    sql, params = history_statement(customer_id=customer_id, query=query, cursor=cursor, size=size)
    with connections[read_alias()].cursor() as db:
        db.execute(sql, params)
        rows = db.fetchall()
    more = len(rows) > size
    entries = [_entry(row) for row in rows[:size]]
    if cursor is not None and cursor.reverse:
        entries.reverse()
        newer, older = more, True
    else:
        newer, older = cursor is not None, more
    if not entries:
        return HistoryPage(entries=[])
    first, last = entries[0], entries[-1]
    return HistoryPage(
        entries=entries,
        next=HistoryCursor(last.created_at, last.entry_id) if older else None,
        previous=HistoryCursor(first.created_at, first.entry_id, reverse=True) if newer else None,
    )


def history_entries(*, customer_id: int, query: HistoryQuery, batch: int = 1000) -> Iterator[HistoryEntry]:
    """Every entry matching ``query``, newest first, fetched ``batch`` at a time by keyset (the CSV export)."""
    cursor: HistoryCursor | None = None
    while True:
        page = history_page(customer_id=customer_id, query=query, cursor=cursor, size=batch)
        yield from page.entries
        if page.next is None:
            return
        cursor = page.next
