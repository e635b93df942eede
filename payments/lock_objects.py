"""Row locks of the payments app, always taken in primary-key order (Saleor style) so two
transactions locking overlapping sets of accounts can never deadlock.

One order across kinds of rows (docs/ledger.md): adjustment request -> payment record
(``MerchantPayment``/``BillPayment``) -> the original transfer's unwind lock -> holds -> ledger
accounts. A transaction may skip a level, never go back up one.

``FOR NO KEY UPDATE`` (not ``FOR UPDATE``): it does not conflict with the ``FOR KEY SHARE``
lock that PostgreSQL takes on an account when a posting referencing it is inserted, so the
appended postings of a hot account never wait for a debit holding that account's lock.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from payments.models import AdjustmentRequest, BillPayment, Hold, LedgerAccount, MerchantPayment


def ledger_accounts_qs_select_for_update() -> QuerySet[LedgerAccount]:
    return LedgerAccount.objects.order_by("pk").select_for_update(no_key=True)


def ledger_accounts_lock(account_ids: Iterable[int]) -> dict[int, LedgerAccount]:
    """Lock the accounts (pk order) and return their current rows by id. Call inside a transaction."""
    ids = sorted(set(account_ids))
    if not ids:
        return {}
    return {account.pk: account for account in ledger_accounts_qs_select_for_update().filter(pk__in=ids)}


def holds_qs_select_for_update() -> QuerySet[Hold]:
    return Hold.objects.order_by("pk").select_for_update(no_key=True)


def holds_lock(hold_ids: Iterable[int]) -> list[Hold]:
    """Lock the holds (pk order, one statement) and return their current rows. Holds are always
    locked before the accounts they reserve on. Call inside a transaction."""
    ids = sorted(set(hold_ids))
    if not ids:
        return []
    return list(holds_qs_select_for_update().filter(pk__in=ids))


# Namespace of the transaction-level advisory locks on a transfer's unwinds (refunds, reversals,
# clawbacks). Two-key form: (namespace, transfer id) never collides with other advisory locks.
_UNWIND_LOCK_NAMESPACE = 0x0057_1D00


def transfer_unwind_lock(transfer_id: int) -> None:
    """Serialize every unwind of one transfer until commit. Taken BEFORE any hold or account lock.

    An advisory lock, not a row lock on ``payments_transfer``: transfers are append-only and the
    application role may not hold ``UPDATE`` on them, which ``SELECT ... FOR UPDATE`` requires.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_UNWIND_LOCK_NAMESPACE, transfer_id % 2_147_483_647])


def adjustment_requests_qs_select_for_update() -> QuerySet[AdjustmentRequest]:
    """Claiming a dual-control request (first in the lock order)."""
    return AdjustmentRequest.objects.order_by("pk").select_for_update(of=("self",))


def merchant_payments_qs_select_for_update() -> QuerySet[MerchantPayment]:
    """A merchant payment's record before its unwind lock (refunds)."""
    return MerchantPayment.objects.order_by("pk").select_for_update(of=("self",))


def bill_payments_qs_select_for_update() -> QuerySet[BillPayment]:
    """A bill payment's record before its unwind lock (refunds)."""
    return BillPayment.objects.order_by("pk").select_for_update(of=("self",))
