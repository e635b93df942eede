"""Reads of the risk app (no writes)."""

from __future__ import annotations

from typing import Any

from accounts.models import Customer
from risk.errors import ChallengeNotFound
from risk.models import StepUpChallenge

__all__ = ["step_up_challenge_get"]


def step_up_challenge_get(*, customer: Customer, challenge_id: Any) -> StepUpChallenge:
    """The customer's own challenge; ``ChallengeNotFound`` (404) for an unknown id or another customer's."""
    try:
        challenge = StepUpChallenge.objects.filter(public_id=challenge_id, customer=customer).first()
    except (ValueError, TypeError):
        challenge = None
    if challenge is None:
        raise ChallengeNotFound()
    return challenge
