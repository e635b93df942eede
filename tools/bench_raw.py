"""The baseline: the same double-entry transfer in plain SQL through psycopg, no Django.

It runs on the REAL ledger tables of the bench's throwaway database (``payments_ledgeraccount``,
``payments_transfer``, ``payments_posting``, ``payments_hotaccountdelta``) as the schema owner (the
application role may write them only through the kernel's functions since payments 0010; the owner
is held by the same triggers and constraints), so it pays for exactly the database work the
application pays for: every trigger the
migrations attach (the commit-time balanced-transfer constraint trigger, the posting-currency
check, append-only guards, and whatever a later migration adds), every constraint, index and
foreign key. Copies of the tables could not do that truthfully: ``LIKE … INCLUDING ALL`` copies no
trigger, and the trigger functions name the real tables in their bodies, so attached to copies
they would check the wrong rows. Running on the real tables also needs no upkeep when the schema
changes.

Per transfer, the work the ledger does: lock the rows that must change in id order
(``FOR NO KEY UPDATE``), check status and available balance under the lock, compute the content
hash the application computes (``payments.ledger.transfer_content_hash``, so the rows pass
``verify_ledger``), insert the transfer and its two postings (``balance_after``), move the
balances, commit (durable: synchronous_commit on). Seven round trips: BEGIN, lock, transfer,
postings, two balance UPDATEs, COMMIT.

Payment variants (to merchants): ``locked`` also locks and updates the merchant row (an ordinary
account; on ONE merchant it is what ARCHITECTURE §4 warns about); ``append`` locks only the payer
and appends a ``payments_hotaccountdelta`` row for the merchant, like the ledger's hot-account path.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class Party:
    """A ledger account as the baseline needs it: its code (hashed) and who initiates from it."""

    account_id: int
    code: str
    customer_id: int | None = None
    customer_public_id: str | None = None


def parties(dsn: str, account_ids: Sequence[int], customers: dict[int, tuple[int, str]] | None = None) -> list[Party]:
    """``Party`` rows for ``account_ids``; ``customers`` maps account id -> (customer pk, public id)."""
    customers = customers or {}
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, code FROM payments_ledgeraccount WHERE id = ANY(%s)", (list(account_ids),))
        codes = dict(rows.fetchall())
    return [Party(pk, codes[pk], *customers.get(pk, (None, None))) for pk in account_ids]


def _hash_fn() -> Callable[..., str]:
    """The application's content hash (imported, not copied: the baseline must do the same work)."""
    from payments.ledger import transfer_content_hash

    return transfer_content_hash


def _write_transfer(
    cur: psycopg.Cursor[Any],
    kind: str,
    initiator: Party,
    legs: list[tuple[Party, int, int | None]],
    content_hash: Callable[..., str],
) -> list[int]:
    """Insert the transfer (hashed like the ledger) and its postings; returns the posting ids.

    ``legs``: (account, signed amount, balance_after or None for a hot account's credit).
    """
    public_id, now, memo = str(uuid.uuid4()), datetime.now(UTC), "bench"
    digest = content_hash(
        public_id=public_id,
        kind=kind,
        reference="",
        memo=memo,
        metadata={},
        reverses_public_id=None,
        reason_code="",
        initiated_by_public_id=initiator.customer_public_id,
        created_at=now,
        postings=[(p.code, amount, "CNY") for p, amount, _ in legs],
    )
    cur.execute(
        "INSERT INTO payments_transfer (public_id, kind, reference, memo, metadata, reason_code, initiated_by_id,"
        " created_at, content_hash) VALUES (%s, %s, '', %s, %s::jsonb, '', %s, %s, %s) RETURNING id",
        (public_id, kind, memo, json.dumps({}), initiator.customer_id, now, digest),
    )
    row = cur.fetchone()
    assert row is not None
    (a, amount_a, after_a), (b, amount_b, after_b) = legs
    cur.execute(
        "INSERT INTO payments_posting (transfer_id, account_id, counterparty_account_id, amount_minor, currency,"
        " balance_after_minor, created_at) VALUES (%s,%s,%s,%s,'CNY',%s,%s), (%s,%s,%s,%s,'CNY',%s,%s) RETURNING id",
        (
            *(row[0], a.account_id, b.account_id, amount_a, after_a, now),
            *(row[0], b.account_id, a.account_id, amount_b, after_b, now),
        ),
    )
    return [r[0] for r in cur.fetchall()]


def _lock(cur: psycopg.Cursor[Any], ids: list[int]) -> dict[int, tuple[int, int, str]]:
    """Lock ``ids`` in id order; {id: (posted, pending debit, status)}."""
    cur.execute(
        "SELECT id, posted_minor, pending_debit_minor, status FROM payments_ledgeraccount WHERE id = ANY(%s)"
        " ORDER BY id FOR NO KEY UPDATE",
        (ids,),
    )
    return {r[0]: (r[1], r[2], r[3]) for r in cur.fetchall()}


def _refusal(rows: dict[int, tuple[int, int, str]], payer: int, amount: int) -> str | None:
    if any(status != ACTIVE for _, _, status in rows.values()):
        return "account_not_active"
    posted, pending, _ = rows[payer]
    return "insufficient" if posted - pending < amount else None


def transfer_op(dsn: str, wallets: list[Party], seed: int) -> tuple[Callable[[], str | None], Callable[[], None]]:
    """A P2P transfer between two random wallets; returns (op, close)."""
    conn = psycopg.connect(dsn)
    rng = random.Random(seed)
    content_hash = _hash_fn()

    def op() -> str | None:
        a, b = rng.sample(wallets, 2)
        amount = rng.randint(1, 100)
        with conn.transaction(), conn.cursor() as cur:
            rows = _lock(cur, [a.account_id, b.account_id])
            refused = _refusal(rows, a.account_id, amount)
            if refused:
                return refused
            legs = [(a, -amount, rows[a.account_id][0] - amount), (b, amount, rows[b.account_id][0] + amount)]
            _write_transfer(cur, "P2P", a, legs, content_hash)
            cur.execute(
                "UPDATE payments_ledgeraccount SET posted_minor = posted_minor - %s WHERE id = %s",
                (amount, a.account_id),
            )
            cur.execute(
                "UPDATE payments_ledgeraccount SET posted_minor = posted_minor + %s WHERE id = %s",
                (amount, b.account_id),
            )
        return None

    return op, conn.close


def payment_op(
    dsn: str, wallets: list[Party], merchants: list[Party], seed: int, *, mode: str = "locked"
) -> tuple[Callable[[], str | None], Callable[[], None]]:
    """A payment from a random wallet to a random merchant of ``merchants`` (one element = hot).

    ``mode="locked"``: the merchant row is locked and updated (an ordinary account);
    ``mode="append"``: only the payer is locked; the merchant gets an appended delta row.
    """
    if mode not in ("locked", "append"):
        raise ValueError(mode)
    conn = psycopg.connect(dsn)
    rng = random.Random(seed)
    content_hash = _hash_fn()

    def op() -> str | None:
        payer, merchant = rng.choice(wallets), rng.choice(merchants)
        amount = rng.randint(1, 100)
        locked = mode == "locked"
        with conn.transaction(), conn.cursor() as cur:
            rows = _lock(cur, [payer.account_id, merchant.account_id] if locked else [payer.account_id])
            refused = _refusal(rows, payer.account_id, amount)
            if refused:
                return refused
            merchant_after = rows[merchant.account_id][0] + amount if locked else None
            legs = [(payer, -amount, rows[payer.account_id][0] - amount), (merchant, amount, merchant_after)]
            posting_ids = _write_transfer(cur, "MERCHANT_PAYMENT", payer, legs, content_hash)
            cur.execute(
                "UPDATE payments_ledgeraccount SET posted_minor = posted_minor - %s WHERE id = %s",
                (amount, payer.account_id),
            )
            if locked:
                cur.execute(
                    "UPDATE payments_ledgeraccount SET posted_minor = posted_minor + %s WHERE id = %s",
                    (amount, merchant.account_id),
                )
            else:
                cur.execute(
                    "INSERT INTO payments_hotaccountdelta (account_id, posting_id, amount_minor) VALUES (%s,%s,%s)",
                    (merchant.account_id, posting_ids[-1], amount),
                )
        return None

    return op, conn.close
