"""Holds (two-phase): authorize, capture, void, expire.

Part of the ledger kernel (``payments.ledger``): call inside ``transaction.atomic()``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import BigIntegerField, Case, F, Value, When
from django.utils import timezone

from core.money import Money
from payments.errors import CurrencyMismatch, HoldAmountInvalid, HoldNotActive, InsufficientFunds
from payments.ledger.accounts import _ensure_account_usable, _require_atomic, hot_account_fold
from payments.ledger.transfers import Leg, _lock_for_legs, transfer_post
from payments.lock_objects import holds_lock, holds_qs_select_for_update, ledger_accounts_lock
from payments.models import Hold, LedgerAccount, Transfer


def holds_authorize(
    *,
    reservations: Sequence[tuple[LedgerAccount, Money]],
    kind: str,
    expires_at: datetime,
    reference: str = "",
    metadata: dict[str, Any] | None = None,
    correction: bool = False,
) -> list[Hold]:
    """Reserve each ``(account, amount)``: it counts against available balance at once.

    Locks every account in one statement in pk order (``ledger_accounts_lock``), checks what is
    available under the lock per account (``InsufficientFunds``; two reservations on one account
    are checked together), raises ``pending_debit_minor`` with ``F()``. CLOSED accounts refuse;
    FROZEN ones refuse unless ``correction`` (a dual-control reversal must still be able to
    reserve the money it will take back). Holds are returned in the order given. Call inside
    ``transaction.atomic()``.
    """
    _require_atomic()
    wanted: dict[int, int] = defaultdict(int)
    for account, amount in reservations:
        if amount.currency != account.currency:
            raise CurrencyMismatch()
        if amount.minor <= 0:
            raise HoldAmountInvalid()
        wanted[account.pk] += amount.minor
    if not wanted:
        raise HoldAmountInvalid()
    locked = ledger_accounts_lock(wanted)
    for pk in sorted(wanted):
        row = locked[pk]
        _ensure_account_usable(row, Transfer.Kind.REVERSAL if correction else "HOLD")
        if row.is_hot:
            hot_account_fold(row)
        if not row.allow_negative and row.posted_minor - row.pending_debit_minor < wanted[pk]:
            raise InsufficientFunds(details={"currency": row.currency})
    LedgerAccount.objects.filter(pk__in=wanted).update(
        pending_debit_minor=F("pending_debit_minor")
        + Case(*(When(pk=pk, then=Value(amount)) for pk, amount in wanted.items()), output_field=BigIntegerField())
    )
    for account, _amount in reservations:
        account.pending_debit_minor = locked[account.pk].pending_debit_minor + wanted[account.pk]
    return Hold.objects.bulk_create(
        [
            Hold(
                account=locked[account.pk],
                amount_minor=amount.minor,
                currency=amount.currency,
                kind=kind,
                reference=reference,
                metadata=metadata or {},
                expires_at=expires_at,
            )
            for account, amount in reservations
        ]
    )


def hold_authorize(
    *,
    account: LedgerAccount,
    amount: Money,
    kind: str,
    expires_at: datetime,
    reference: str = "",
    metadata: dict[str, Any] | None = None,
    correction: bool = False,
) -> Hold:
    """Reserve ``amount`` on ``account`` (``holds_authorize`` with one reservation)."""
    return holds_authorize(
        reservations=[(account, amount)],
        kind=kind,
        expires_at=expires_at,
        reference=reference,
        metadata=metadata,
        correction=correction,
    )[0]


def holds_release(*, holds: Sequence[Hold], reason: str = "") -> int:
    """Void every hold of ``holds`` that is still AUTHORIZED; return how many it released.

    Lock order: the holds (pk order, one statement), then their accounts (pk order, one
    statement). A hold already captured, voided or expired is skipped (the sweeper may have
    expired it first: nothing is held any more). Call inside ``transaction.atomic()``.
    """
    _require_atomic()
    rows = [row for row in holds_lock(hold.pk for hold in holds) if row.status == Hold.Status.AUTHORIZED]
    if not rows:
        return 0
    ledger_accounts_lock(row.account_id for row in rows)
    for row in rows:
        _hold_release(row)
    Hold.objects.filter(pk__in=[row.pk for row in rows]).update(
        status=Hold.Status.VOIDED, reason=reason[:200], closed_at=timezone.now()
    )
    return len(rows)


def _hold_claim(hold: Hold) -> Hold:
    """Lock the hold row and check it is still AUTHORIZED and not past its expiry."""
    row = holds_qs_select_for_update().filter(pk=hold.pk).first()
    if row is None or row.status != Hold.Status.AUTHORIZED or row.expires_at <= timezone.now():
        raise HoldNotActive(details={"status": row.status if row is not None else None})
    return row


def _hold_release(row: Hold) -> None:
    LedgerAccount.objects.filter(pk=row.account_id).update(
        pending_debit_minor=F("pending_debit_minor") - row.amount_minor
    )


def hold_capture(
    *,
    hold: Hold,
    to_account: LedgerAccount,
    amount: Money | None = None,
    kind: str = "HOLD_CAPTURE",
    metadata: dict[str, Any] | None = None,
) -> Transfer:
    """Capture all or part of a hold into ``to_account``; the whole hold is released.

    A second capture or a capture after void/expiry raises ``HoldNotActive`` (409) and moves
    nothing. Lock order: the hold row, then the accounts in pk order.
    """
    _require_atomic()
    with transaction.atomic():
        row = _hold_claim(hold)
        capture = amount if amount is not None else Money(row.amount_minor, row.currency)
        if capture.currency != row.currency:
            raise CurrencyMismatch()
        if capture.minor <= 0 or capture.minor > row.amount_minor:
            raise HoldAmountInvalid()
        legs = [Leg(row.account, -capture), Leg(to_account, capture)]
        _lock_for_legs(legs)
        _hold_release(row)
        transfer = transfer_post(
            kind=kind,
            legs=legs,
            reference=row.reference,
            metadata={**(metadata or {}), "hold": str(row.public_id)},
        )
        now = timezone.now()
        Hold.objects.filter(pk=row.pk).update(
            status=Hold.Status.CAPTURED, captured_minor=capture.minor, capture_transfer=transfer, closed_at=now
        )
        hold.status, hold.captured_minor, hold.capture_transfer, hold.closed_at = (
            Hold.Status.CAPTURED,
            capture.minor,
            transfer,
            now,
        )
        return transfer


def hold_void(*, hold: Hold, reason: str = "") -> None:
    """Release a hold without moving money. A second void (or after capture) raises ``HoldNotActive`` (409)."""
    _require_atomic()
    with transaction.atomic():
        row = _hold_claim(hold)
        ledger_accounts_lock([row.account_id])
        _hold_release(row)
        now = timezone.now()
        Hold.objects.filter(pk=row.pk).update(status=Hold.Status.VOIDED, reason=reason[:200], closed_at=now)
        hold.status, hold.closed_at = Hold.Status.VOIDED, now


def hold_expire(*, hold_id: int) -> bool:
    """Expire one hold past ``expires_at`` (the sweeper's unit of work). True if this call expired it.

    Claimed with ``SKIP LOCKED`` and a status re-check under the lock: two sweepers never release twice.
    """
    _require_atomic()
    row = holds_qs_select_for_update().select_for_update(no_key=True, skip_locked=True).filter(pk=hold_id).first()
    if row is None or row.status != Hold.Status.AUTHORIZED or row.expires_at > timezone.now():
        return False
    ledger_accounts_lock([row.account_id])
    _hold_release(row)
    Hold.objects.filter(pk=row.pk).update(status=Hold.Status.EXPIRED, closed_at=timezone.now())
    return True
