"""Staff adjustments and staff refunds under dual control: request (maker, places a hold) ->
approve (a different staff member with ``payments.approve_adjustment``; posts) | reject | expire.

Each function owns its durable transaction and writes an audit record
(``payments.adjustment.request|approve|reject|expire``). Decisions claim the request row with
``SELECT ... FOR UPDATE`` and re-check ``status='PENDING'`` under the lock, so two checkers (or a
checker and the expiry task) never both act.

What is held and posted:

- MANUAL_CREDIT: a hold on SUSPENSE (the bank's account for corrections) for the amount; approval
  captures it into the target account.
- FEE_WAIVER: a hold on FEE_INCOME; approval captures it into the target (customer) account.
- REVERSAL: a hold on every credited, non-negative-allowed account of the original transfer (the
  money that must come back is reserved now, also on a FROZEN account: a correction); approval
  releases the holds and posts ``transfer_reverse`` (the ledger's unwind) in the same transaction.
- REFUND: a hold on the payee's account (merchant or biller) for the amount; approval releases it
  and posts ``refunds.refund_post`` (the ledger's unwind, with the customer's balance cap check).

Guards at request time: the maker may only name accounts and transfers of customers they may
see (``accounts.selectors.customers_visible_to_staff``: every customer party must be in their
branch scope; bank-side only objects need bank-wide staff), at most one open (PENDING) request
per transfer (``AdjustmentAlreadyOpen``, backed by a partial unique index), and a deadline no
later than ``settings.ADJUSTMENT_MAX_DEADLINE_HOURS`` from now. Every hold goes through the
ledger's ordered helpers (``holds_authorize`` / ``holds_release``: accounts in pk order).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.selectors import customers_visible_to_staff
from accounts.services.staff import approver_ensure_independent
from core.audit import audit_record
from core.money import Money
from payments.errors import AlreadyReversed, TransferNotReversible, UnwindExceedsRemaining
from payments.errors_movements import (
    AdjustmentAlreadyOpen,
    AdjustmentInvalid,
    AdjustmentNotPending,
    AdjustmentOutOfScope,
    ApprovalPermissionRequired,
    MakerCannotApprove,
    ReasonRequired,
)
from payments.events import TOPIC_TRANSFER_REVERSED, transfer_event_publish
from payments.ledger import (
    UNWIND_KINDS,
    customer_ensure_can_transact,
    hold_capture,
    holds_authorize,
    holds_release,
    system_account,
    transfer_reverse,
    transfer_unwound,
)
from payments.lock_objects import adjustment_requests_qs_select_for_update
from payments.models import AdjustmentRequest, Hold, LedgerAccount, Posting, Transfer
from payments.services.refunds import refund_check, refund_payee_account, refund_post, refund_record_get

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

__all__ = [
    "DEFAULT_DEADLINE",
    "adjustment_approve",
    "adjustment_expire",
    "adjustment_reject",
    "adjustment_request_create",
    "adjustments_expire_due",
]

DEFAULT_DEADLINE = timedelta(hours=24)
# The ledger's hold sweeper must never beat our expiry task: holds live a little longer.
_HOLD_MARGIN = timedelta(hours=1)
_SOURCE_KIND: dict[str, str] = {
    AdjustmentRequest.Kind.MANUAL_CREDIT: LedgerAccount.Kind.SUSPENSE,
    AdjustmentRequest.Kind.FEE_WAIVER: LedgerAccount.Kind.FEE_INCOME,
}
# Kinds that name a transfer (at most one open request each) rather than an account.
_TRANSFER_KINDS = frozenset({AdjustmentRequest.Kind.REVERSAL, AdjustmentRequest.Kind.REFUND})


def _deadline_check(deadline: datetime | None) -> datetime:
    now = timezone.now()
    latest = now + timedelta(hours=settings.ADJUSTMENT_MAX_DEADLINE_HOURS)
    deadline = deadline or min(now + DEFAULT_DEADLINE, latest)
    if deadline <= now:
        raise AdjustmentInvalid(details={"deadline": "must be in the future"})
    if deadline > latest:
        raise AdjustmentInvalid(details={"deadline": f"at most {settings.ADJUSTMENT_MAX_DEADLINE_HOURS} hours ahead"})
    return deadline


def _scope_check(maker: User, *, account: LedgerAccount | None = None, transfer: Transfer | None = None) -> None:
    """The maker must see every customer the account or transfer belongs to."""
    if transfer is not None:
        customer_ids = set(
            Posting.objects.filter(transfer=transfer, account__customer__isnull=False).values_list(
                "account__customer_id", flat=True
            )
        )
    else:
        customer_ids = {account.customer_id} if account is not None and account.customer_id else set()
    if not customers_visible_to_staff(maker, customer_ids):
        raise AdjustmentOutOfScope()


def _open_request_check(transfer: Transfer) -> None:
    if AdjustmentRequest.objects.filter(target_transfer=transfer, status=AdjustmentRequest.Status.PENDING).exists():
        raise AdjustmentAlreadyOpen()


def _reversal_holds(target_transfer: Transfer, expires_at: datetime) -> tuple[list[Hold], Money, LedgerAccount]:
    if target_transfer.kind in UNWIND_KINDS or target_transfer.reverses_id is not None:
        raise TransferNotReversible()
    state = transfer_unwound(target_transfer)
    if state.reversed:
        raise AlreadyReversed()
    if state.returned.minor:
        raise UnwindExceedsRemaining(details={"returnable": state.remaining.amount_str()})
    credited = [
        p
        for p in target_transfer.postings.select_related("account").order_by("id")
        if p.amount_minor > 0 and not p.account.allow_negative
    ]
    if not credited:
        raise AdjustmentInvalid(details={"target_transfer": "nothing to reverse"})
    holds = holds_authorize(
        reservations=[(p.account, Money(p.amount_minor, p.currency)) for p in credited],
        kind="ADJUSTMENT_REVERSAL",
        expires_at=expires_at,
        reference=target_transfer.reference,
        correction=True,
    )
    return holds, Money(credited[0].amount_minor, credited[0].currency), credited[0].account


def _refund_holds(
    target_transfer: Transfer, amount: Money | None, expires_at: datetime
) -> tuple[list[Hold], LedgerAccount]:
    if amount is None or not amount.is_positive():
        raise AdjustmentInvalid(details={"amount": "positive"})
    record = refund_record_get(target_transfer)
    refund_check(record=record, amount=amount)
    payee = refund_payee_account(record)
    holds = holds_authorize(
        reservations=[(payee, amount)],
        kind="ADJUSTMENT_REFUND",
        expires_at=expires_at,
        reference=target_transfer.reference,
    )
    return holds, payee


def adjustment_request_create(
    *,
    maker: User,
    kind: str,
    reason: str,
    amount: Money | None = None,
    target_account: LedgerAccount | None = None,
    target_transfer: Transfer | None = None,
    deadline: datetime | None = None,
    request: HttpRequest | None = None,
) -> AdjustmentRequest:
    """The maker's request: validated, the money held, audit-logged. Own durable transaction.

    ``maker`` is the acting staff member: ``AdjustmentOutOfScope`` (403) if the account or
    transfer belongs to a customer outside their scope, ``AdjustmentAlreadyOpen`` (409) if the
    transfer already has a PENDING request, ``AdjustmentInvalid`` (400) for a deadline past the
    configured maximum. Nothing is held when any check fails.
    """
    if not reason or not reason.strip():
        raise ReasonRequired()
    deadline = _deadline_check(deadline)
    expires_at = deadline + _HOLD_MARGIN
    with transaction.atomic(durable=True):
        holds: list[Hold] = []
        if kind in _TRANSFER_KINDS:
            if target_transfer is None:
                raise AdjustmentInvalid(details={"target_transfer": "required"})
            _scope_check(maker, transfer=target_transfer)
            _open_request_check(target_transfer)
            if kind == AdjustmentRequest.Kind.REVERSAL:
                holds, amount, source = _reversal_holds(target_transfer, expires_at)
            else:
                holds, source = _refund_holds(target_transfer, amount, expires_at)
            assert amount is not None
            target_account = None
        elif kind in _SOURCE_KIND:
            if target_account is None or amount is None or not amount.is_positive():
                raise AdjustmentInvalid(details={"target_account": "required", "amount": "positive"})
            if amount.currency != target_account.currency:
                raise AdjustmentInvalid(details={"currency": "must be the target account's"})
            if target_account.status == LedgerAccount.Status.CLOSED:
                raise AdjustmentInvalid(details={"target_account": "closed"})
            _scope_check(maker, account=target_account)
            source = system_account(_SOURCE_KIND[kind], amount.currency)
            holds = holds_authorize(reservations=[(source, amount)], kind=f"ADJUSTMENT_{kind}", expires_at=expires_at)
        else:
            raise AdjustmentInvalid(details={"kind": "unknown"})
        try:
            with transaction.atomic():
                adjustment = AdjustmentRequest.objects.create(
                    kind=kind,
                    target_account=target_account,
                    target_transfer=target_transfer,
                    source_account=source,
                    amount_minor=amount.minor,
                    currency=amount.currency,
                    reason=reason.strip(),
                    deadline=deadline,
                    maker=maker,
                )
        except IntegrityError as exc:  # a concurrent request for the same transfer won the index
            raise AdjustmentAlreadyOpen() from exc
        adjustment.holds.set(holds)
        audit_record(
            action="payments.adjustment.request",
            actor=maker,
            obj=adjustment,
            reason=reason,
            request=request,
            changes={
                "kind": kind,
                "amount": amount.as_dict(),
                "target_account": target_account.code if target_account else None,
                "target_transfer": str(target_transfer.public_id) if target_transfer else None,
            },
        )
        return adjustment


def _claim(adjustment_id: int) -> AdjustmentRequest:
    row = (
        adjustment_requests_qs_select_for_update()
        .select_related("target_account", "target_transfer")
        .filter(pk=adjustment_id)
        .first()
    )
    if row is None or row.status != AdjustmentRequest.Status.PENDING:
        raise AdjustmentNotPending()
    return row


def _check_checker(row: AdjustmentRequest, checker: User) -> None:
    """The checker is another person, holds the permission, and is independent of the maker: not
    created or promoted by them recently, no incompatible roles (``approver_ensure_independent``)."""
    if checker.pk == row.maker_id:
        raise MakerCannotApprove()
    if not checker.is_active or not checker.is_staff or not checker.has_perm("payments.approve_adjustment"):
        raise ApprovalPermissionRequired()
    approver_ensure_independent(maker=row.maker, checker=checker)


def _void_holds(row: AdjustmentRequest, reason: str) -> None:
    """Release what is still held (the sweeper may have expired some): holds, then accounts, in pk order."""
    holds_release(holds=list(row.holds.all()), reason=reason)


def adjustment_approve(
    *, adjustment_id: int, checker: User, note: str = "", request: HttpRequest | None = None
) -> AdjustmentRequest:
    """A different staff member with ``payments.approve_adjustment`` approves: the adjustment posts.

    Raises ``MakerCannotApprove`` / ``ApprovalPermissionRequired`` (403), ``AdjustmentNotPending``
    (409, decided or expired; also past the deadline), ``AccountFrozen`` / ``AccountClosed`` (403)
    when a MANUAL_CREDIT / FEE_WAIVER / REFUND would credit a frozen or closed customer (a REVERSAL,
    the bank's clawback, stays allowed), and the ledger's errors (nothing changes).
    """
    with transaction.atomic(durable=True):
        row = _claim(adjustment_id)
        _check_checker(row, checker)
        if row.deadline <= timezone.now():
            raise AdjustmentNotPending(details={"deadline": row.deadline.isoformat()})
        if row.kind == AdjustmentRequest.Kind.REVERSAL:
            assert row.target_transfer is not None
            transfer = transfer_reverse(
                transfer=row.target_transfer,
                reason_code="STAFF_REVERSAL",
                memo=row.reason[:200],
                release_holds=list(row.holds.all()),
            )
            transfer_event_publish(
                topic=TOPIC_TRANSFER_REVERSED, transfer=transfer, reverses=str(row.target_transfer.public_id)
            )
        elif row.kind == AdjustmentRequest.Kind.REFUND:
            assert row.target_transfer is not None
            refund = refund_post(
                payment_transfer=row.target_transfer,
                amount=Money(row.amount_minor, row.currency),
                reason=row.reason,
                initiated_by_staff=row.maker,
                request=request,
                release_holds=list(row.holds.all()),
            )
            transfer = refund.transfer
        else:
            assert row.target_account is not None
            credited = row.target_account.customer
            if credited is not None:  # no credit to a frozen/closed customer
                customer_ensure_can_transact(credited)
            hold = row.holds.get()
            transfer = hold_capture(
                hold=hold,
                to_account=row.target_account,
                kind=Transfer.Kind.ADJUSTMENT,
                metadata={"adjustment": str(row.public_id), "kind": row.kind, "reason": row.reason[:200]},
            )
        now = timezone.now()
        AdjustmentRequest.objects.filter(pk=row.pk).update(
            status=AdjustmentRequest.Status.APPROVED,
            checker=checker,
            decided_at=now,
            decision_note=note,
            transfer=transfer,
        )
        row.refresh_from_db()
        audit_record(
            action="payments.adjustment.approve",
            actor=checker,
            obj=row,
            reason=note,
            request=request,
            changes={"transfer": str(transfer.public_id)},
        )
        return row


def adjustment_reject(
    *, adjustment_id: int, checker: User, note: str, request: HttpRequest | None = None
) -> AdjustmentRequest:
    """A different staff member with the permission rejects: the holds are voided, nothing posts."""
    if not note or not note.strip():
        raise ReasonRequired()
    with transaction.atomic(durable=True):
        row = _claim(adjustment_id)
        _check_checker(row, checker)
        _void_holds(row, "adjustment rejected")
        AdjustmentRequest.objects.filter(pk=row.pk).update(
            status=AdjustmentRequest.Status.REJECTED, checker=checker, decided_at=timezone.now(), decision_note=note
        )
        row.refresh_from_db()
        audit_record(action="payments.adjustment.reject", actor=checker, obj=row, reason=note, request=request)
        return row


def adjustment_expire(*, adjustment_id: int) -> bool:
    """Expire one request past its deadline: holds voided, EXPIRED, audit-logged. True if it did."""
    with transaction.atomic(durable=True):
        try:
            row = _claim(adjustment_id)
        except AdjustmentNotPending:
            return False
        if row.deadline > timezone.now():
            return False
        _void_holds(row, "adjustment expired")
        AdjustmentRequest.objects.filter(pk=row.pk).update(
            status=AdjustmentRequest.Status.EXPIRED, decided_at=timezone.now()
        )
        audit_record(action="payments.adjustment.expire", actor=None, obj=row, reason="deadline passed")
        return True


def adjustments_expire_due(*, batch_size: int = 200) -> int:
    """The periodic task's work: expire every PENDING request past its deadline."""
    due = AdjustmentRequest.objects.filter(
        status=AdjustmentRequest.Status.PENDING, deadline__lte=timezone.now()
    ).values_list("pk", flat=True)[:batch_size]
    return sum(adjustment_expire(adjustment_id=pk) for pk in list(due))
