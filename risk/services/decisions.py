"""Applying an evaluation's decision, inside the evaluation's transaction.

- every live rule that fired is a hit on the customer's open alert for that rule (one open alert
  per customer and rule; hits append), and alerts of one customer group into their open case;
- ``STEP_UP``: the "step-up on the next payment" flag the pre-check reads, and a notice;
- ``REVIEW``: the payment's money is held in the ledger (``risk.services.holds``) until an
  officer releases it or a reversal is approved; a notice to the payer (and to whoever's money
  is held);
- ``BLOCK``: as REVIEW, and the customer is frozen at once through accounts
  (``customer_freeze_automated``), recorded as a ``RiskFreeze`` that only a second officer lifts.
Shadow versions never reach here: only the live outcome is applied. With ``RISK_ENFORCE`` off
(a bank-wide "monitor only" switch, e.g. while tuning new rules) alerts and cases are still
recorded, but nobody is restricted.
"""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Customer
from accounts.services import customer_freeze_automated
from risk.models import (
    Alert,
    AlertHit,
    Case,
    CustomerNotice,
    Evaluation,
    Outcome,
    RiskFreeze,
)

__all__ = ["FiredRule", "case_open_get", "decision_apply", "notice_send"]


class FiredRule(NamedTuple):
    """A live rule that fired on the evaluation: its alert's rule and its code (the reason code)."""

    rule_id: int
    code: str


def _sla(outcome: str) -> timedelta:
    hours = getattr(settings, "RISK_CASE_SLA_HOURS", {"BLOCK": 4, "REVIEW": 24, "DEFAULT": 72})
    return timedelta(hours=int(hours.get(outcome, hours.get("DEFAULT", 72))))


def case_open_get(*, customer: Customer, outcome: str = "") -> Case:
    """The customer's open case (opened when missing), its SLA shortened by a more severe outcome."""
    now = timezone.now()
    case = Case.objects.select_for_update().filter(customer=customer, status=Case.Status.OPEN).first()
    due = now + _sla(outcome or "DEFAULT")
    if case is None:
        return Case.objects.create(customer=customer, sla_due_at=due)
    if due < case.sla_due_at:
        case.sla_due_at = due
        case.save(update_fields=["sla_due_at"])
    return case


def _alerts_hit(*, customer: Customer, case: Case, evaluation: Evaluation, fired: list[FiredRule]) -> None:
    now = timezone.now()
    for result in fired:
        rule_id = result.rule_id
        alert = Alert.objects.select_for_update().filter(customer=customer, rule_id=rule_id, status="OPEN").first()
        if alert is None:
            alert = Alert.objects.create(
                customer=customer, rule_id=rule_id, case=case, first_hit_at=evaluation.event_at, last_hit_at=now
            )
        _, created = AlertHit.objects.get_or_create(alert=alert, evaluation=evaluation)
        if created:
            Alert.objects.filter(pk=alert.pk).update(hits=alert.hits + 1, last_hit_at=now)


def notice_send(*, customer_id: int, kind: str, reason_code: str = "", params: dict | None = None) -> CustomerNotice:
    """A notice the customer reads through ``GET /api/v1/risk/notices`` (rendered in their language)."""
    return CustomerNotice.objects.create(
        customer_id=customer_id, kind=kind, reason_code=reason_code, params=params or {}
    )


def _step_up_next(customer: Customer, reason_code: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO risk_customerriskprofile (customer_id, level, step_up_next, reason_code, reason, updated_at)"
            " VALUES (%s, 'NORMAL', true, %s, '', now()) ON CONFLICT (customer_id) DO UPDATE"
            " SET step_up_next = true, reason_code = EXCLUDED.reason_code, updated_at = now()",
            [customer.pk, reason_code[:40]],
        )


def _freeze(customer: Customer, case: Case, reason_code: str) -> None:
    reason = gettext(
        "Our fraud checks found activity on your account that needs a review. You can ask for a person to review it."
    )
    frozen = customer_freeze_automated(customer=customer, reason=reason, source="risk")
    if frozen is None:
        return  # already frozen or closed: nothing to lift later on our account
    RiskFreeze.objects.create(customer=customer, case=case, frozen_by=None, reason=f"{reason_code}: {reason}")
    notice_send(customer_id=customer.pk, kind=CustomerNotice.Kind.ACCOUNT_FROZEN, reason_code=reason_code)


def decision_apply(*, evaluation: Evaluation, customer: Customer, fired: list[FiredRule] | None = None) -> None:
    """``fired``: the live rules that fired, in result order (read from the evaluation's results
    when not given; the batch evaluation passes what it just wrote)."""
    from risk.services.holds import payment_hold_for_review

    if fired is None:
        fired = [
            FiredRule(r.rule_version.rule_id, r.rule_version.rule.code)
            for r in evaluation.results.select_related("rule_version__rule").order_by("id")
            if r.fired and not r.shadow
        ]
    if not fired and evaluation.outcome == Outcome.ALLOW:
        return
    case = case_open_get(customer=customer, outcome=evaluation.outcome)
    _alerts_hit(customer=customer, case=case, evaluation=evaluation, fired=fired)
    reason_code = ",".join(sorted({r.code for r in fired}))[:40]
    if not getattr(settings, "RISK_ENFORCE", True):
        return  # monitoring only (RISK_ENFORCE off): alerts and cases, no restriction
    if evaluation.outcome == Outcome.STEP_UP:
        _step_up_next(customer, reason_code)
        notice_send(customer_id=customer.pk, kind=CustomerNotice.Kind.STEP_UP, reason_code=reason_code)
    if evaluation.outcome in (Outcome.REVIEW, Outcome.BLOCK) and evaluation.transfer_public_id is not None:
        payment_hold_for_review(case=case, evaluation=evaluation, customer=customer)
    if evaluation.outcome == Outcome.BLOCK:
        _freeze(customer, case, reason_code)
