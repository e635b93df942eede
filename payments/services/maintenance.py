"""Periodic ledger maintenance: fold hot-account deltas, expire holds. Each unit of work is its own
short transaction and safe to run twice or concurrently (row locks with SKIP LOCKED + re-checks)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from payments.ledger import hold_expire, hot_account_fold
from payments.lock_objects import ledger_accounts_qs_select_for_update
from payments.models import Hold, HotAccountDelta

__all__ = ["holds_expire_run", "hot_accounts_rollup_run"]


def hot_accounts_rollup_run() -> int:
    """Fold the committed deltas of every hot account into its checkpoint; return accounts folded.

    An account whose row is locked right now (a debit is folding it) is skipped: next run.
    """
    folded = 0
    account_ids = list(HotAccountDelta.objects.values_list("account_id", flat=True).distinct())
    for account_id in account_ids:
        with transaction.atomic():
            account = ledger_accounts_qs_select_for_update().select_for_update(no_key=True, skip_locked=True)
            row = account.filter(pk=account_id).first()
            if row is None:
                continue
            hot_account_fold(row)
            folded += 1
    return folded


def holds_expire_run(*, batch_size: int = 500) -> int:
    """Expire AUTHORIZED holds past ``expires_at``: release their pending amount. Returns how many."""
    expired = 0
    ids = list(
        Hold.objects.filter(status=Hold.Status.AUTHORIZED, expires_at__lte=timezone.now())
        .order_by("expires_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    for hold_id in ids:
        with transaction.atomic():
            if hold_expire(hold_id=hold_id):
                expired += 1
    return expired
