"""The baseline: the same double-entry transfer in plain SQL through psycopg, no Django.

Tables: ``bench_raw.*`` are ``LIKE payments_* INCLUDING ALL`` copies of the real ledger tables
(same columns, defaults, CHECK constraints and indexes) plus the posting foreign keys, filled with
the same wallets. The real tables are not used because a raw insert cannot produce the content
hash ``verify_ledger`` checks; the work per transfer is the same: lock both wallet rows in id order
(``FOR NO KEY UPDATE``), check the available balance under the lock, insert the transfer and its
two postings (with ``balance_after``), move both balances, commit (durable: synchronous_commit on).

Hot variants (payments to one merchant): ``locked`` also locks and updates the merchant row (what
ARCHITECTURE §4 warns about); ``append`` locks only the payer and appends a delta row for the
merchant, like the ledger's hot-account path.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import psycopg

SCHEMA_SQL = """
DROP SCHEMA IF EXISTS bench_raw CASCADE;
CREATE SCHEMA bench_raw;
CREATE TABLE bench_raw.account (LIKE public.payments_ledgeraccount INCLUDING ALL);
CREATE TABLE bench_raw.transfer (LIKE public.payments_transfer INCLUDING ALL);
CREATE TABLE bench_raw.posting (LIKE public.payments_posting INCLUDING ALL);
CREATE TABLE bench_raw.delta (LIKE public.payments_hotaccountdelta INCLUDING ALL);
ALTER TABLE bench_raw.posting ADD FOREIGN KEY (transfer_id) REFERENCES bench_raw.transfer(id);
ALTER TABLE bench_raw.posting ADD FOREIGN KEY (account_id) REFERENCES bench_raw.account(id);
CREATE INDEX ON bench_raw.posting (transfer_id);
INSERT INTO bench_raw.account SELECT * FROM public.payments_ledgeraccount;
"""


def create_schema(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA_SQL)
        conn.execute("ANALYZE bench_raw.account")


def _insert_transfer(cur: psycopg.Cursor, kind: str) -> int:
    cur.execute(
        "INSERT INTO bench_raw.transfer (public_id, kind, reference, memo, metadata, reason_code, created_at,"
        " content_hash) VALUES (gen_random_uuid(), %s, '', 'bench', '{}'::jsonb, '', now(), md5(random()::text))"
        " RETURNING id",
        (kind,),
    )
    row = cur.fetchone()
    assert row is not None
    return int(row[0])


def transfer_op(dsn: str, wallets: list[int], seed: int) -> tuple[Callable[[], str | None], Callable[[], None]]:
    """A P2P transfer between two random wallets; returns (op, close)."""
    conn = psycopg.connect(dsn)
    rng = random.Random(seed)

    def op() -> str | None:
        a, b = rng.sample(wallets, 2)
        amount = rng.randint(1, 100)
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(
                "SELECT id, posted_minor, pending_debit_minor FROM bench_raw.account WHERE id = ANY(%s)"
                " ORDER BY id FOR NO KEY UPDATE",
                ([a, b],),
            )
            rows = {r[0]: r for r in cur.fetchall()}
            if rows[a][1] - rows[a][2] < amount:
                return "insufficient"
            transfer_id = _insert_transfer(cur, "P2P")
            cur.execute(
                "INSERT INTO bench_raw.posting (transfer_id, account_id, counterparty_account_id, amount_minor,"
                " currency, balance_after_minor, created_at) VALUES (%s,%s,%s,%s,'CNY',%s,now()),"
                " (%s,%s,%s,%s,'CNY',%s,now())",
                (transfer_id, a, b, -amount, rows[a][1] - amount, transfer_id, b, a, amount, rows[b][1] + amount),
            )
            cur.execute("UPDATE bench_raw.account SET posted_minor = posted_minor - %s WHERE id = %s", (amount, a))
            cur.execute("UPDATE bench_raw.account SET posted_minor = posted_minor + %s WHERE id = %s", (amount, b))
        return None

    return op, conn.close


def payment_op(
    dsn: str, wallets: list[int], merchants: list[int], seed: int, *, mode: str = "locked"
) -> tuple[Callable[[], str | None], Callable[[], None]]:
    """A payment from a random wallet to a random merchant of ``merchants`` (one element = hot).

    ``mode="locked"``: the merchant row is locked and updated (serializes on a hot merchant);
    ``mode="append"``: only the payer is locked; the merchant gets an appended delta row.
    """
    conn = psycopg.connect(dsn)
    rng = random.Random(seed)

    def op() -> str | None:
        payer, merchant = rng.choice(wallets), rng.choice(merchants)
        amount = rng.randint(1, 100)
        with conn.transaction(), conn.cursor() as cur:
            ids = [payer, merchant] if mode == "locked" else [payer]
            cur.execute(
                "SELECT id, posted_minor, pending_debit_minor FROM bench_raw.account WHERE id = ANY(%s)"
                " ORDER BY id FOR NO KEY UPDATE",
                (ids,),
            )
            rows = {r[0]: r for r in cur.fetchall()}
            if rows[payer][1] - rows[payer][2] < amount:
                return "insufficient"
            transfer_id = _insert_transfer(cur, "MERCHANT_PAYMENT")
            merchant_after = rows[merchant][1] + amount if mode == "locked" else None
            cur.execute(
                "INSERT INTO bench_raw.posting (transfer_id, account_id, counterparty_account_id, amount_minor,"
                " currency, balance_after_minor, created_at) VALUES (%s,%s,%s,%s,'CNY',%s,now()),"
                " (%s,%s,%s,%s,'CNY',%s,now()) RETURNING id",
                (
                    transfer_id,
                    payer,
                    merchant,
                    -amount,
                    rows[payer][1] - amount,
                    transfer_id,
                    merchant,
                    payer,
                    amount,
                    merchant_after,
                ),
            )
            posting_ids = [r[0] for r in cur.fetchall()]
            cur.execute("UPDATE bench_raw.account SET posted_minor = posted_minor - %s WHERE id = %s", (amount, payer))
            if mode == "locked":
                cur.execute(
                    "UPDATE bench_raw.account SET posted_minor = posted_minor + %s WHERE id = %s", (amount, merchant)
                )
            else:
                cur.execute(
                    "INSERT INTO bench_raw.delta (account_id, posting_id, amount_minor) VALUES (%s,%s,%s)",
                    (merchant, posting_ids[-1], amount),
                )
        return None

    return op, conn.close
