"""Owner-object factories of the risk API routes for the authorization matrix (tests/evidence/world.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone


def _challenge(owner: Any) -> dict[str, Any]:
    from risk.models import StepUpChallenge

    challenge = StepUpChallenge.objects.create(
        customer=owner.customer,
        fingerprint="authz",
        amount_minor=2_000_00,
        currency="CNY",
        expires_at=timezone.now() + timedelta(minutes=10),
    )
    owner.secrets.add(str(challenge.public_id))
    return {"public_id": challenge.public_id}


def _case_rows(owner: Any) -> dict[str, Any]:
    """A case with an alert, an evaluation, a freeze, a notice and a review request of the owner:
    rows the admin matrix probes (staff of another branch must see none) and the list endpoints
    must never show another customer. Matches no route (no URL kwargs to fill)."""
    from risk.builtin import builtin_ensure
    from risk.models import Alert, AlertHit, Case, CustomerNotice, Evaluation, ReviewRequest, RiskFreeze, RiskRule

    builtin_ensure()
    now = timezone.now()
    customer = owner.customer
    case = Case.objects.create(customer=customer, sla_due_at=now + timedelta(hours=24))
    evaluation = Evaluation.objects.create(
        event_id=-customer.pk,
        topic="transfer.completed",
        customer=customer,
        event_at=now,
        outcome="REVIEW",
        shadow_outcome="REVIEW",
    )
    alert = Alert.objects.create(
        customer=customer,
        rule=RiskRule.objects.get(code="structuring"),
        case=case,
        first_hit_at=now,
        last_hit_at=now,
        hits=1,
    )
    AlertHit.objects.create(alert=alert, evaluation=evaluation)
    RiskFreeze.objects.create(customer=customer, case=case, reason="authz matrix")
    notice = CustomerNotice.objects.create(customer=customer, kind="PAYMENT_HELD")
    review = ReviewRequest.objects.create(customer=customer, notice=notice, case=case, message="please review")
    owner.secrets.update({str(notice.public_id), str(review.public_id)})
    return {}


RISK_OBJECT_ROUTES: dict[str, Callable[[Any], dict[str, Any]]] = {
    r"^api/v1/risk/challenges/<": _challenge,
    r"^risk-admin-rows-for-the-matrix$": _case_rows,
}
