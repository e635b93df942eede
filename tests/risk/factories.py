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


RISK_OBJECT_ROUTES: dict[str, Callable[[Any], dict[str, Any]]] = {
    r"^api/v1/risk/challenges/<": _challenge,
}
