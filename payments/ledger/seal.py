"""The tamper-evident chain over transfers, appended off the hot path.

Every transfer carries ``content_hash`` (sha256 of its canonical content and postings). The
sealer appends ``LedgerSeal(seq, transfer, prev_hash, hash = sha256(prev_hash + content_hash))``
for unsealed transfers in id order, under a transaction-level advisory lock (one sealer at a
time), so payments never wait on a chain head. A transfer that commits after a later one was
sealed is simply sealed in the next run: the frequent run searches back ``SEAL_WINDOW`` before
the last sealed transfer, which covers every transaction of the application role (its sessions are
bounded far below that: docs/ledger.md "Database roles"). A transfer that commits later still
(a clock skew between app servers, a write by the owner role) is found by the sweep
(``sweep=True``: every unsealed transfer, whatever its age), which beat runs every
``SEAL_SWEEP_INTERVAL`` and ``verify_ledger`` runs first, so verification never fails on it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import connection, transaction

from payments.models import LedgerSeal, Transfer

__all__ = ["GENESIS_HASH", "SEAL_SWEEP_INTERVAL", "SEAL_WINDOW", "ledger_seal_run", "seal_hash"]

GENESIS_HASH = "0" * 64
SEAL_WINDOW = timedelta(minutes=10)  # longer than any money transaction can stay open
SEAL_SWEEP_INTERVAL = timedelta(minutes=10)  # beat's `payments.ledger_seal_sweep`
_SEAL_LOCK_KEY = 0x7B_5EA1  # pg advisory lock id of the sealer


def seal_hash(prev_hash: str, content_hash: str) -> str:
    return hashlib.sha256((prev_hash + content_hash).encode()).hexdigest()


def ledger_seal_run(*, batch_size: int = 5000, max_batches: int = 20, sweep: bool = False) -> int:
    """Seal unsealed transfers; return how many. Returns 0 at once if another sealer runs.

    ``sweep``: look at every unsealed transfer, not only those within ``SEAL_WINDOW`` of the last
    sealed one (one anti-join over all transfers: run it every few minutes, not every second)."""
    sealed = 0
    for _ in range(max_batches):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_SEAL_LOCK_KEY])
                if not cursor.fetchone()[0]:
                    return sealed
            last = LedgerSeal.objects.select_related("transfer").order_by("-seq").first()
            prev_hash, seq = (last.hash, last.seq) if last is not None else (GENESIS_HASH, 0)
            candidates = Transfer.objects.filter(seal__isnull=True)
            if last is not None and not sweep:
                candidates = candidates.filter(created_at__gte=last.transfer.created_at - SEAL_WINDOW)
            rows = list(candidates.order_by("id").values_list("id", "content_hash")[:batch_size])
            seals = []
            for transfer_id, content_hash in rows:
                seq += 1
                digest = seal_hash(prev_hash, content_hash)
                seals.append(LedgerSeal(seq=seq, transfer_id=transfer_id, prev_hash=prev_hash, hash=digest))
                prev_hash = digest
            LedgerSeal.objects.bulk_create(seals)
            sealed += len(seals)
        if len(rows) < batch_size:
            break
    return sealed
