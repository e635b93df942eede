"""Staff adjustments under dual control: request (maker, places a hold) -> approve (a different
staff member with ``payments.approve_adjustment``; posts and captures) | reject | expire (task).

Each function owns its durable transaction and writes an audit record
(``payments.adjustment.request|approve|reject|expire``). Decisions claim the request row with
``SELECT ... FOR UPDATE`` and re-check ``status='PENDING'`` under the lock, so two checkers (or a
checker and the expiry task) never both act.

What is held and posted:

- MANUAL_CREDIT: a hold on SUSPENSE (the bank's account for corrections) for the amount; approval
  captures it into the target account.
- FEE_WAIVER: a hold on FEE_INCOME; approval captures it into the target (customer) account.
- REVERSAL: a hold on every credited, non-negative-allowed account of the original transfer (the
  money that must come back is reserved now); approval voids the holds and posts
  ``transfer_reverse`` in the same transaction.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.money import Money
from payments.errors import AlreadyReversed, HoldNotActive, TransferNotReversible
from payments.errors_movements import (
    AdjustmentInvalid,
    AdjustmentNotPending,
    ApprovalPermissionRequired,
    MakerCannotApprove,
    ReasonRequired,
)
from payments.events import TOPIC_TRANSFER_REVERSED, transfer_event_publish
from payments.ledger import hold_authorize, hold_capture, hold_void, system_account, transfer_reverse
from payments.models import AdjustmentRequest, Hold, LedgerAccount, Transfer

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
    """The maker's request: validated, the money held, audit-logged. Own durable transaction."""
    if not reason or not reason.strip():
        raise ReasonRequired()
    deadline = deadline or timezone.now() + DEFAULT_DEADLINE
    if deadline <= timezone.now():
        raise AdjustmentInvalid(details={"deadline": "must be in the future"})
    with transaction.atomic(durable=True):
        holds: list[Hold] = []
        if kind == AdjustmentRequest.Kind.REVERSAL:
            if target_transfer is None:
                raise AdjustmentInvalid(details={"target_transfer": "required"})
            if target_transfer.kind == Transfer.Kind.REVERSAL:
                raise TransferNotReversible()
            if Transfer.objects.filter(reverses=target_transfer, kind=Transfer.Kind.REVERSAL).exists():
                raise AlreadyReversed()
            credited = [
                p
                for p in target_transfer.postings.select_related("account").order_by("id")
                if p.amount_minor > 0 and not p.account.allow_negative
            ]
            if not credited:
                raise AdjustmentInvalid(details={"target_transfer": "nothing to reverse"})
            for posting in credited:
                holds.append(
                    hold_authorize(
                        account=posting.account,
                        amount=Money(posting.amount_minor, posting.currency),
                        kind="ADJUSTMENT_REVERSAL",
                        expires_at=deadline + _HOLD_MARGIN,
                        reference=target_transfer.reference,
                    )
                )
            amount = Money(credited[0].amount_minor, credited[0].currency)
            source = credited[0].account
            target_account = None
        elif kind in _SOURCE_KIND:
            if target_account is None or amount is None or not amount.is_positive():
                raise AdjustmentInvalid(details={"target_account": "required", "amount": "positive"})
            if amount.currency != target_account.currency:
                raise AdjustmentInvalid(details={"currency": "must be the target account's"})
            if target_account.status == LedgerAccount.Status.CLOSED:
                raise AdjustmentInvalid(details={"target_account": "closed"})
            source = system_account(_SOURCE_KIND[kind], amount.currency)
            holds.append(
                hold_authorize(
                    account=source, amount=amount, kind=f"ADJUSTMENT_{kind}", expires_at=deadline + _HOLD_MARGIN
                )
            )
        else:
            raise AdjustmentInvalid(details={"kind": "unknown"})
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
        AdjustmentRequest.objects.select_for_update(of=("self",))
        .select_related("target_account", "target_transfer")
        .filter(pk=adjustment_id)
        .first()
    )
    if row is None or row.status != AdjustmentRequest.Status.PENDING:
        raise AdjustmentNotPending()
    return row


def _check_checker(row: AdjustmentRequest, checker: User) -> None:
    if checker.pk == row.maker_id:
        raise MakerCannotApprove()
    if not checker.is_active or not checker.is_staff or not checker.has_perm("payments.approve_adjustment"):
        raise ApprovalPermissionRequired()


def _void_holds(row: AdjustmentRequest, reason: str) -> None:
    for hold in row.holds.order_by("pk"):
        with contextlib.suppress(HoldNotActive):  # already expired by the sweeper: nothing held any more
            hold_void(hold=hold, reason=reason)


def adjustment_approve(
    *, adjustment_id: int, checker: User, note: str = "", request: HttpRequest | None = None
) -> AdjustmentRequest:
    """A different staff member with ``payments.approve_adjustment`` approves: the adjustment posts.

    Raises ``MakerCannotApprove`` / ``ApprovalPermissionRequired`` (403), ``AdjustmentNotPending``
    (409, decided or expired; also past the deadline), and the ledger's errors (nothing changes).
    """
    with transaction.atomic(durable=True):
        row = _claim(adjustment_id)
        _check_checker(row, checker)
        if row.deadline <= timezone.now():
            raise AdjustmentNotPending(details={"deadline": row.deadline.isoformat()})
        if row.kind == AdjustmentRequest.Kind.REVERSAL:
            assert row.target_transfer is not None
            _void_holds(row, "reversal approved")
            transfer = transfer_reverse(
                transfer=row.target_transfer, reason_code="STAFF_REVERSAL", memo=row.reason[:200]
            )
            transfer_event_publish(
                topic=TOPIC_TRANSFER_REVERSED, transfer=transfer, reverses=str(row.target_transfer.public_id)
            )
        else:
            assert row.target_account is not None
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
