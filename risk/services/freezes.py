"""Freezes placed by risk and their lifting under dual control.

A freeze takes effect at once (``accounts.services.customer_status_change`` by an officer, or
``customer_freeze_automated`` on a BLOCK decision) and is recorded as a ``RiskFreeze``. Lifting
it needs two people: an officer asks (``unfreeze_request_create``), a second officer with
``risk.approve_risk_action`` approves (``unfreeze_approve``): never the one who asked, never the
one who froze, and an independent approver (``approver_ensure_independent``). While a risk freeze
is in force, accounts' own one-person unfreeze is refused (``unfreeze_guard``, registered in
``ACCOUNTS_STATUS_CHANGE_GUARDS``)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Customer
from accounts.services import approver_ensure_independent, customer_status_change
from core.audit import audit_record
from risk.errors import RiskActionRefused
from risk.models import Case, CustomerNotice, RiskFreeze, UnfreezeRequest
from risk.services.text import no_card_numbers as _no_card_numbers

__all__ = ["risk_freeze", "unfreeze_approve", "unfreeze_guard", "unfreeze_reject", "unfreeze_request_create"]


def _reason(text: object) -> str:
    if not isinstance(text, str) or len(text.strip()) < 5:
        raise RiskActionRefused(gettext("Give a reason (at least 5 characters)."), code="reason_required")
    _no_card_numbers(text)
    return text.strip()[:1000]


def _require(officer: Any, perm: str) -> None:
    if not (getattr(officer, "is_active", False) and officer.has_perm(perm)):
        raise RiskActionRefused(gettext("You do not have permission to do this."), code="permission_denied")


def unfreeze_guard(*, customer: Customer, action: str, staff: Any, dual_control: dict[str, Any] | None) -> None:
    """Accounts' status-change guard: an unfreeze of a customer under a risk freeze must apply an
    approved risk unfreeze request (``dual_control`` names it), never one person's click."""
    if action != "unfreeze":
        return
    freeze = RiskFreeze.objects.filter(customer=customer, status=RiskFreeze.Status.ACTIVE).first()
    if freeze is None:
        return
    request_id = (dual_control or {}).get("request") if (dual_control or {}).get("app") == "risk" else None
    approved = isinstance(request_id, int) and (
        UnfreezeRequest.objects.filter(pk=request_id, freeze=freeze, status=UnfreezeRequest.Status.APPROVED).exists()
    )
    if not approved:
        raise RiskActionRefused(
            gettext(
                "This account was frozen by the fraud team: unfreezing needs a request approved by a second risk officer."
            ),
            code="unfreeze_needs_second_officer",
        )


def risk_freeze(
    *, officer: Any, customer: Customer, reason: str, case: Case | None = None, request: Any = None
) -> RiskFreeze:
    """An officer freezes the customer now (through accounts, audited there) and risk records it."""
    _require(officer, "risk.work_case")
    reason = _reason(reason)
    with transaction.atomic(durable=True):
        customer_status_change(staff=officer, customer=customer, action="freeze", reason=reason, request=request)
        freeze = RiskFreeze.objects.create(customer=customer, case=case, frozen_by=officer, reason=reason)
        audit_record(action="risk.freeze", actor=officer, obj=freeze, reason=reason, request=request)
        CustomerNotice.objects.create(customer=customer, kind=CustomerNotice.Kind.ACCOUNT_FROZEN, reason_code="OFFICER")
    return freeze


def unfreeze_request_create(*, officer: Any, freeze: RiskFreeze, reason: str, request: Any = None) -> UnfreezeRequest:
    """Ask for the freeze to be lifted (one pending request per freeze). Audited."""
    _require(officer, "risk.work_case")
    reason = _reason(reason)
    with transaction.atomic(durable=True):
        locked = RiskFreeze.objects.select_for_update().get(pk=freeze.pk)
        if locked.status != RiskFreeze.Status.ACTIVE:
            raise RiskActionRefused(gettext("This freeze is no longer in force."), code="freeze_not_active")
        try:
            with transaction.atomic():
                row = UnfreezeRequest.objects.create(freeze=locked, maker=officer, reason=reason)
        except IntegrityError:
            raise RiskActionRefused(
                gettext("An unfreeze request is already waiting."), code="unfreeze_pending"
            ) from None
        audit_record(action="risk.unfreeze.request", actor=officer, obj=row, reason=reason, request=request)
    return row


def _claim(request_id: int) -> UnfreezeRequest:
    row = (
        UnfreezeRequest.objects.select_for_update(of=("self",))
        .select_related("freeze__customer")
        .filter(pk=request_id)
        .first()
    )
    if row is None or row.status != UnfreezeRequest.Status.PENDING:
        raise RiskActionRefused(gettext("This request was already decided."), code="already_decided")
    return row


def unfreeze_approve(*, officer: Any, request_id: int, note: str = "", request: Any = None) -> UnfreezeRequest:
    """The second officer approves: the customer is unfrozen through accounts in the same
    transaction. Refused (nothing changes) for the maker, for the officer who froze, for an
    approver who is not independent of the maker, or without ``risk.approve_risk_action``."""
    _require(officer, "risk.approve_risk_action")
    with transaction.atomic(durable=True):
        row = _claim(request_id)
        if row.maker_id == officer.pk:
            raise RiskActionRefused(gettext("You cannot approve your own request."), code="approver_is_maker")
        if row.freeze.frozen_by_id == officer.pk:
            raise RiskActionRefused(
                gettext("You froze this account: another officer must approve lifting it."), code="approver_froze"
            )
        approver_ensure_independent(maker=row.maker, checker=officer)
        now = timezone.now()
        row.status, row.checker, row.decided_at, row.decision_note = UnfreezeRequest.Status.APPROVED, officer, now, note
        row.save(update_fields=["status", "checker", "decided_at", "decision_note"])
        customer = row.freeze.customer
        customer_status_change(
            staff=officer,
            customer=customer,
            action="unfreeze",
            reason=row.reason,
            request=request,
            dual_control={"app": "risk", "request": row.pk, "maker": row.maker_id, "checker": officer.pk},
        )
        RiskFreeze.objects.filter(pk=row.freeze_id).update(status=RiskFreeze.Status.LIFTED, lifted_at=now)
        audit_record(
            action="risk.unfreeze.approve",
            actor=officer,
            obj=row,
            reason=note,
            request=request,
            changes={"maker": row.maker_id, "freeze": row.freeze_id},
        )
        CustomerNotice.objects.create(customer=customer, kind=CustomerNotice.Kind.ACCOUNT_UNFROZEN)
    return row


def unfreeze_reject(*, officer: Any, request_id: int, note: str, request: Any = None) -> UnfreezeRequest:
    _require(officer, "risk.approve_risk_action")
    note = _reason(note)
    with transaction.atomic(durable=True):
        row = _claim(request_id)
        row.status, row.checker, row.decided_at, row.decision_note = (
            UnfreezeRequest.Status.REJECTED,
            officer,
            timezone.now(),
            note,
        )
        if row.maker_id == officer.pk:
            row.checker = None  # the maker withdraws their own request
        row.save(update_fields=["status", "checker", "decided_at", "decision_note"])
        audit_record(action="risk.unfreeze.reject", actor=officer, obj=row, reason=note, request=request)
    return row
