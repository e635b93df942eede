"""A payment held for review: what it credited is reserved in the ledger (the kernel's
``holds_authorize``, as a correction so a frozen account is held too) until an officer releases it
(``holds_release``) or a second officer approves its reversal (``transfer_reverse`` releasing the
holds in the same transaction). Held payments never release themselves: the ledger's holds need
an expiry, so these are given ``RISK_HOLD_LIFETIME`` (ten years; docs/risk.md "Deviations")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from core.audit import audit_record
from core.money import Money
from payments.errors import InsufficientFunds
from payments.events import TOPIC_TRANSFER_REVERSED, transfer_event_publish
from payments.ledger import account_balance, holds_authorize, holds_release, transfer_reverse
from payments.models import Hold, LedgerAccount, Transfer
from risk.errors import RiskActionRefused
from risk.models import Case, CustomerNotice, Evaluation, RiskHold

__all__ = [
    "RISK_HOLD_LIFETIME",
    "payment_hold_for_review",
    "risk_hold_release",
    "risk_hold_reversal_approve",
    "risk_hold_reversal_request",
]

RISK_HOLD_LIFETIME = timedelta(days=3650)


def _credited(transfer: Transfer) -> list[tuple[LedgerAccount, Money]]:
    """What the transfer put on accounts that may not go negative (customer wallets, merchants)."""
    return [
        (p.account, Money(p.amount_minor, p.currency))
        for p in transfer.postings.select_related("account").order_by("id")
        if p.amount_minor > 0 and not p.account.allow_negative
    ]


def payment_hold_for_review(*, case: Case, evaluation: Evaluation, customer: Customer) -> RiskHold | None:
    """Hold what the evaluated payment credited (at most what is still available: money already
    spent cannot be held). None when the transfer is unknown or nothing could be held; an
    existing hold of the transfer is returned as is. Call inside the evaluation's transaction."""
    if evaluation.transfer_public_id is None:
        return None
    transfer = Transfer.objects.filter(public_id=evaluation.transfer_public_id).first()
    if transfer is None:
        return None
    existing = RiskHold.objects.filter(transfer=transfer).first()
    if existing is not None:
        return existing
    reservations = []
    for account, amount in _credited(transfer):
        available = account_balance(account).available.minor
        held = min(amount.minor, available)
        if held > 0:
            reservations.append((account, Money(held, amount.currency)))
    if not reservations:
        return None
    try:
        with transaction.atomic():
            holds = holds_authorize(
                reservations=reservations,
                kind="RISK_REVIEW",
                expires_at=timezone.now() + RISK_HOLD_LIFETIME,
                reference=transfer.reference,
                metadata={"risk_case": case.pk, "evaluation": evaluation.pk},
                correction=True,
            )
    except InsufficientFunds:
        return None  # spent between the read and the lock: nothing left to hold
    row = RiskHold.objects.create(
        case=case,
        evaluation=evaluation,
        customer=customer,
        transfer=transfer,
        amount_minor=sum(m.minor for _, m in reservations),
        currency=reservations[0][1].currency,
    )
    row.ledger_holds.set(holds)
    from risk.services.decisions import notice_send

    params = {"amount": Money(row.amount_minor, row.currency).as_dict(), "transfer": str(transfer.public_id)}
    notice_send(customer_id=customer.pk, kind=CustomerNotice.Kind.PAYMENT_HELD, reason_code="REVIEW", params=params)
    for holder in {a.customer_id for a, _ in reservations if a.customer_id and a.customer_id != customer.pk}:
        notice_send(customer_id=holder, kind=CustomerNotice.Kind.PAYMENT_HELD, reason_code="REVIEW", params=params)
    return row


def _lock(hold_id: int, *statuses: str) -> RiskHold:
    row = RiskHold.objects.select_for_update(of=("self",)).select_related("transfer").filter(pk=hold_id).first()
    if row is None or row.status not in statuses:
        raise RiskActionRefused(code="hold_not_pending")
    return row


def _notify(row: RiskHold, kind: str) -> None:
    from risk.services.decisions import notice_send

    params = {"amount": Money(row.amount_minor, row.currency).as_dict(), "transfer": str(row.transfer.public_id)}
    notice_send(customer_id=row.customer_id, kind=kind, params=params)


def risk_hold_release(*, hold_id: int, officer: Any, note: str, request: Any = None) -> RiskHold:
    """Release the money (the review found nothing wrong). Own transaction; audited."""
    with transaction.atomic(durable=True):
        row = _lock(hold_id, RiskHold.Status.HELD, RiskHold.Status.REVERSAL_REQUESTED)
        released = holds_release(holds=list(row.ledger_holds.all()), reason="risk review: released")
        row.status, row.decided_by, row.decided_at, row.note = RiskHold.Status.RELEASED, officer, timezone.now(), note
        row.save(update_fields=["status", "decided_by", "decided_at", "note"])
        audit_record(
            action="risk.hold.release",
            actor=officer,
            obj=row,
            reason=note,
            request=request,
            changes={"holds": released},
        )
        _notify(row, CustomerNotice.Kind.PAYMENT_RELEASED)
    return row


def risk_hold_reversal_request(*, hold_id: int, officer: Any, note: str, request: Any = None) -> RiskHold:
    """Ask for the payment to be reversed; a second officer approves. Own transaction; audited."""
    with transaction.atomic(durable=True):
        row = _lock(hold_id, RiskHold.Status.HELD)
        row.status, row.requested_by, row.note = RiskHold.Status.REVERSAL_REQUESTED, officer, note
        row.save(update_fields=["status", "requested_by", "note"])
        audit_record(action="risk.hold.reversal_request", actor=officer, obj=row, reason=note, request=request)
    return row


def risk_hold_reversal_approve(*, hold_id: int, officer: Any, request: Any = None) -> RiskHold:
    """The second officer approves: the holds are released and the payment reversed in one
    transaction (the kernel's ``transfer_reverse``), ``transfer.reversed`` published. Nobody
    approves their own request."""
    from accounts.services import approver_ensure_independent

    with transaction.atomic(durable=True):
        row = _lock(hold_id, RiskHold.Status.REVERSAL_REQUESTED)
        approver_ensure_independent(maker=row.requested_by, checker=officer)
        holds = [h for h in row.ledger_holds.all() if h.status == Hold.Status.AUTHORIZED]
        reversal = transfer_reverse(
            transfer=row.transfer, reason_code="RISK_REVERSAL", memo=row.note[:200], release_holds=holds
        )
        transfer_event_publish(topic=TOPIC_TRANSFER_REVERSED, transfer=reversal, reverses=str(row.transfer.public_id))
        row.status, row.decided_by, row.decided_at = RiskHold.Status.REVERSED, officer, timezone.now()
        row.save(update_fields=["status", "decided_by", "decided_at"])
        audit_record(
            action="risk.hold.reverse",
            actor=officer,
            obj=row,
            reason=row.note,
            request=request,
            changes={"reversal": str(reversal.public_id), "maker": row.requested_by_id},
        )
        _notify(row, CustomerNotice.Kind.PAYMENT_REVERSED)
    return row
