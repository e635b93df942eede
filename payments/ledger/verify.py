"""``ledger_verify``: recompute the ledger from its postings and report every drift.

Runs in one REPEATABLE READ, READ ONLY transaction (one consistent snapshot while payments go on).
Checks: every transfer has >= 2 postings summing to zero per currency; all postings sum to zero
per currency; each account's postings equal its posted balance (``posted_minor`` + unfolded hot
deltas), its pending equals its active holds, no account that may not go negative is below zero
available; every hot delta matches its posting; ``balance_after_minor`` equals the running sum
for every locked posting; every ``content_hash`` recomputes; the seal chain is contiguous and
every hash recomputes and matches the daily anchors kept outside the database
(payments.ledger.anchor); no transfer older than the seal window is unsealed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from payments.ledger.accounts import HOT_KINDS, NEGATIVE_ALLOWED_KINDS
from payments.ledger.anchor import anchored_seqs, anchors_check
from payments.ledger.seal import GENESIS_HASH, SEAL_WINDOW, seal_hash
from payments.ledger.transfers import transfer_content_hash

__all__ = ["VerifyReport", "ledger_verify"]

MAX_LISTED = 50  # drifts listed per check; the count is always exact


@dataclass
class VerifyReport:
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)  # sum of all postings per currency (must be 0)
    drifts: list[str] = field(default_factory=list)
    drift_count: int = 0

    @property
    def ok(self) -> bool:
        return self.drift_count == 0

    def add(self, message: str) -> None:
        self.drift_count += 1
        if len(self.drifts) < MAX_LISTED * 6:
            self.drifts.append(message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "counts": self.counts,
            "totals": self.totals,
            "drift_count": self.drift_count,
            "drifts": self.drifts,
        }


def _rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def _counts(report: VerifyReport) -> None:
    for name, table in (
        ("accounts", "payments_ledgeraccount"),
        ("transfers", "payments_transfer"),
        ("postings", "payments_posting"),
        ("seals", "payments_ledgerseal"),
        ("hot_deltas", "payments_hotaccountdelta"),
    ):
        report.counts[name] = _rows(f"SELECT COUNT(*) FROM {table}")[0][0]  # noqa: S608 - fixed table names
    report.counts["active_holds"] = _rows("SELECT COUNT(*) FROM payments_hold WHERE status = 'AUTHORIZED'")[0][0]


def _check_transfers(report: VerifyReport) -> None:
    for currency, total in _rows("SELECT currency, SUM(amount_minor) FROM payments_posting GROUP BY currency"):
        report.totals[currency] = int(total)
        if total != 0:
            report.add(f"all postings in {currency} sum to {total}, not 0")
    for tid, n in _rows(
        "SELECT t.id, COUNT(p.id) FROM payments_transfer t LEFT JOIN payments_posting p ON p.transfer_id = t.id "
        "GROUP BY t.id HAVING COUNT(p.id) < 2 LIMIT %s",
        [MAX_LISTED],
    ):
        report.add(f"transfer {tid} has {n} posting(s)")
    for tid, currency, total in _rows(
        "SELECT transfer_id, currency, SUM(amount_minor) FROM payments_posting GROUP BY transfer_id, currency "
        "HAVING SUM(amount_minor) <> 0 LIMIT %s",
        [MAX_LISTED],
    ):
        report.add(f"transfer {tid} does not balance in {currency}: {total}")


_ACCOUNTS_SQL = """
SELECT a.id, a.code, a.kind, a.allow_negative, a.is_hot, a.posted_minor, a.pending_debit_minor,
       COALESCE(p.total, 0), COALESCE(d.total, 0), COALESCE(h.total, 0)
  FROM payments_ledgeraccount a
  LEFT JOIN (SELECT account_id, SUM(amount_minor) AS total FROM payments_posting GROUP BY account_id) p
         ON p.account_id = a.id
  LEFT JOIN (SELECT account_id, SUM(amount_minor) AS total FROM payments_hotaccountdelta GROUP BY account_id) d
         ON d.account_id = a.id
  LEFT JOIN (SELECT account_id, SUM(amount_minor) AS total FROM payments_hold WHERE status = 'AUTHORIZED'
              GROUP BY account_id) h ON h.account_id = a.id
 ORDER BY a.id
"""


def _check_accounts(report: VerifyReport) -> None:
    for aid, code, kind, allow_negative, is_hot, posted, pending, postings_total, deltas, holds in _rows(_ACCOUNTS_SQL):
        # Flags that contradict the kind (a customer wallet "allowed negative" spends money it has not).
        if allow_negative and kind not in NEGATIVE_ALLOWED_KINDS:
            report.add(f"account {aid} {code}: a {kind} account flagged as allowed to go negative")
        if is_hot and kind not in HOT_KINDS:
            report.add(f"account {aid} {code}: a {kind} account flagged as hot")
        balance = posted + deltas
        if postings_total != balance:
            report.add(f"account {aid} {code}: postings sum to {postings_total}, balance says {balance}")
        if deltas and not is_hot:
            report.add(f"account {aid} {code}: has hot deltas but is not a hot account")
        if pending != holds:
            report.add(f"account {aid} {code}: pending {pending} but active holds total {holds}")
        if not allow_negative and postings_total - holds < 0:
            report.add(f"account {aid} {code}: available {postings_total - holds} is below zero")
    for delta_id, posting_id in _rows(
        "SELECT d.id, d.posting_id FROM payments_hotaccountdelta d JOIN payments_posting p ON p.id = d.posting_id "
        "WHERE p.account_id <> d.account_id OR p.amount_minor <> d.amount_minor LIMIT %s",
        [MAX_LISTED],
    ):
        report.add(f"hot delta {delta_id} does not match posting {posting_id}")
    for pid, aid, after, running in _rows(
        """SELECT id, account_id, balance_after_minor, running FROM (
             SELECT p.id, p.account_id, p.balance_after_minor,
                    SUM(p.amount_minor) OVER (PARTITION BY p.account_id ORDER BY p.id) AS running
               FROM payments_posting p JOIN payments_ledgeraccount a ON a.id = p.account_id
              WHERE NOT a.is_hot) s
            WHERE balance_after_minor IS DISTINCT FROM running LIMIT %s""",
        [MAX_LISTED],
    ):
        report.add(f"posting {pid} (account {aid}): balance_after {after}, running sum {running}")


_HASH_SQL = """
SELECT t.id, t.public_id, t.kind, t.reference, t.memo, t.metadata::text, r.public_id, t.reason_code,
       c.public_id, t.created_at, t.content_hash, a.code, p.amount_minor, p.currency
  FROM payments_transfer t
  JOIN payments_posting p ON p.transfer_id = t.id
  JOIN payments_ledgeraccount a ON a.id = p.account_id
  LEFT JOIN payments_transfer r ON r.id = t.reverses_id
  LEFT JOIN accounts_customer c ON c.id = t.initiated_by_id
 ORDER BY t.id, p.id
"""


def _check_hashes(report: VerifyReport) -> None:
    def finish(head: tuple[Any, ...] | None, postings: list[tuple[str, int, str]]) -> None:
        if head is None:
            return
        tid, public_id, kind, reference, memo, metadata, reverses, reason, initiated_by, created_at, stored = head
        expected = transfer_content_hash(
            public_id=str(public_id),
            kind=kind,
            reference=reference,
            memo=memo,
            metadata=json.loads(metadata),
            reverses_public_id=str(reverses) if reverses is not None else None,
            reason_code=reason,
            initiated_by_public_id=str(initiated_by) if initiated_by is not None else None,
            created_at=created_at,
            postings=postings,
        )
        if expected != stored:
            report.add(f"transfer {tid}: content hash does not match its content")

    head: tuple[Any, ...] | None = None
    postings: list[tuple[str, int, str]] = []
    with connection.chunked_cursor() as cursor:
        cursor.execute(_HASH_SQL)
        while rows := cursor.fetchmany(5000):
            for row in rows:
                if head is None or head[0] != row[0]:
                    finish(head, postings)
                    head, postings = row[:11], []
                postings.append((row[11], int(row[12]), row[13]))
    finish(head, postings)


def _check_seals(report: VerifyReport) -> None:
    prev_hash, expected_seq = GENESIS_HASH, 1
    anchored = set(anchored_seqs())
    anchored_hashes: dict[int, str] = {}
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            "SELECT s.seq, s.prev_hash, s.hash, t.content_hash FROM payments_ledgerseal s "
            "JOIN payments_transfer t ON t.id = s.transfer_id ORDER BY s.seq"
        )
        while rows := cursor.fetchmany(5000):
            for seq, stored_prev, stored_hash, content_hash in rows:
                if seq != expected_seq:
                    report.add(f"seal chain: expected seq {expected_seq}, found {seq}")
                if stored_prev != prev_hash:
                    report.add(f"seal {seq}: prev_hash does not match the previous seal")
                if stored_hash != seal_hash(stored_prev, content_hash):
                    report.add(f"seal {seq}: hash does not recompute")
                prev_hash, expected_seq = stored_hash, seq + 1
                if seq in anchored:
                    anchored_hashes[seq] = stored_hash
    report.counts["anchors"] = len(anchored)
    for drift in anchors_check(anchored_hashes):
        report.add(drift)
    cutoff = timezone.now() - SEAL_WINDOW
    late = _rows(
        "SELECT COUNT(*) FROM payments_transfer t WHERE t.created_at < %s AND NOT EXISTS "
        "(SELECT 1 FROM payments_ledgerseal s WHERE s.transfer_id = t.id)",
        [cutoff],
    )[0][0]
    recent = _rows(
        "SELECT COUNT(*) FROM payments_transfer t WHERE t.created_at >= %s AND NOT EXISTS "
        "(SELECT 1 FROM payments_ledgerseal s WHERE s.transfer_id = t.id)",
        [cutoff],
    )[0][0]
    report.counts["unsealed_recent"] = recent
    if late:
        report.add(f"{late} transfer(s) older than {SEAL_WINDOW} are not sealed")


def ledger_verify() -> VerifyReport:
    """Run every check on one snapshot; the report lists drifts (``report.ok`` is False on any)."""
    report = VerifyReport()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:  # inside a caller's transaction (tests) its snapshot rules
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                # A read-only scan of the whole ledger may outlast the application role's session bounds.
                cursor.execute("SET LOCAL statement_timeout = 0")
                if int(getattr(connection, "pg_version", 0)) >= 170000:  # transaction_timeout is new in 17
                    cursor.execute("SET LOCAL transaction_timeout = 0")
        _counts(report)
        _check_transfers(report)
        _check_accounts(report)
        _check_hashes(report)
        _check_seals(report)
    return report
