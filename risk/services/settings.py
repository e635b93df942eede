"""What risk officers set for the payment path's pre-check: the block list, a customer's risk
level, the step-up thresholds. Audited; read by ``risk.precheck`` on the next payment."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from accounts.models import Customer
from accounts.selectors import customers_visible_to_staff
from core.audit import audit_record
from risk.errors import RiskActionRefused
from risk.models import BlockedCounterparty, CustomerRiskProfile, PrecheckPolicy, RiskLevel
from risk.services.text import no_card_numbers

__all__ = ["counterparty_block", "counterparty_unblock", "customer_risk_level_set", "precheck_policy_update"]


def _require(officer: Any, perm: str) -> None:
    if officer is not None and not officer.has_perm(perm):
        raise RiskActionRefused(gettext("You do not have permission to do this."), code="permission_denied")


def counterparty_block(*, officer: Any, kind: str, value: str, reason: str, request: Any = None) -> BlockedCounterparty:
    """Block payments to a customer or merchant (by public id) or a ledger account (by code)."""
    _require(officer, "risk.add_blockedcounterparty")
    value = (value or "").strip()
    if kind not in BlockedCounterparty.Kind.values or not value or len(value) > 120:
        raise RiskActionRefused(gettext("Choose what to block and give its id."), code="counterparty_invalid")
    if kind in (BlockedCounterparty.Kind.CUSTOMER, BlockedCounterparty.Kind.MERCHANT):
        try:
            value = str(uuid.UUID(value))
        except ValueError:
            raise RiskActionRefused(
                gettext("A customer or merchant is named by its public id."), code="counterparty_invalid"
            ) from None
    if not isinstance(reason, str) or len(reason.strip()) < 5:
        raise RiskActionRefused(gettext("Give a reason (at least 5 characters)."), code="reason_required")
    no_card_numbers(reason)
    try:
        with transaction.atomic():
            row = BlockedCounterparty.objects.create(
                kind=kind, value=value, key=f"{kind}:{value}", reason=reason.strip(), created_by=officer
            )
            audit_record(action="risk.counterparty.block", actor=officer, obj=row, reason=reason, request=request)
    except IntegrityError:
        raise RiskActionRefused(gettext("This counterparty is already blocked."), code="already_blocked") from None
    return row


def counterparty_unblock(*, officer: Any, row: BlockedCounterparty, request: Any = None) -> None:
    _require(officer, "risk.change_blockedcounterparty")
    with transaction.atomic():
        BlockedCounterparty.objects.filter(pk=row.pk).update(active=False)
        audit_record(action="risk.counterparty.unblock", actor=officer, obj=row, request=request)


def customer_risk_level_set(
    *, officer: Any, customer: Customer, level: str, reason: str, step_up_next: bool | None = None, request: Any = None
) -> CustomerRiskProfile:
    _require(officer, "risk.change_customerriskprofile")
    if officer is not None and not customers_visible_to_staff(officer, [customer.pk]):
        raise RiskActionRefused(code="not_found", status_code=404)
    if level not in RiskLevel.values:
        raise RiskActionRefused(gettext("Unknown risk level."), code="level_invalid")
    if not isinstance(reason, str) or len(reason.strip()) < 5:
        raise RiskActionRefused(gettext("Give a reason (at least 5 characters)."), code="reason_required")
    no_card_numbers(reason)
    with transaction.atomic():
        profile, _ = CustomerRiskProfile.objects.select_for_update().get_or_create(customer=customer)
        before = [profile.level, profile.step_up_next]
        profile.level, profile.reason, profile.reason_code = level, reason.strip(), "OFFICER"
        if step_up_next is not None:
            profile.step_up_next = step_up_next
        profile.save()
        audit_record(
            action="risk.customer.level",
            actor=officer,
            obj=profile,
            reason=reason,
            request=request,
            changes={"level": [before[0], level], "step_up_next": [before[1], profile.step_up_next]},
        )
    return profile


_POLICY_FIELDS = (
    "step_up_amount_minor",
    "elevated_step_up_amount_minor",
    "new_payee_amount_minor",
    "new_device_hours",
    "new_device_amount_minor",
)


def precheck_policy_update(*, officer: Any, values: dict[str, int], request: Any = None) -> PrecheckPolicy:
    _require(officer, "risk.change_precheckpolicy")
    with transaction.atomic():
        policy, _ = PrecheckPolicy.objects.select_for_update().get_or_create(id=1)
        changes = {}
        for name, value in values.items():
            if name not in _POLICY_FIELDS or not isinstance(value, int) or value < 0:
                raise RiskActionRefused(gettext("Thresholds are non-negative amounts."), code="policy_invalid")
            if getattr(policy, name) != value:
                changes[name] = [getattr(policy, name), value]
                setattr(policy, name, value)
        policy.updated_by = officer
        policy.save()
        audit_record(action="risk.precheck_policy.change", actor=officer, obj=policy, request=request, changes=changes)
    return policy
