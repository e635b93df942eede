"""Business failures of the risk app (core.errors format: a stable ``code`` and a 4xx status)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from core.errors import DomainError

__all__ = [
    "ChallengeExpired",
    "ChallengeNotFound",
    "ChallengeUsed",
    "RiskActionRefused",
    "RuleInvalid",
    "ThresholdsInvalid",
]


class ChallengeNotFound(DomainError):
    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("No such verification.")


class ChallengeExpired(DomainError):
    code = "step_up_expired"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This verification has expired. Repeat the payment to get a new one.")


class ChallengeUsed(DomainError):
    code = "step_up_used"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This verification was already used for a payment.")


class RuleInvalid(DomainError):
    code = "rule_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The rule is not valid.")


class ThresholdsInvalid(DomainError):
    code = "thresholds_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The review score must be above zero and below the block score.")


class RiskActionRefused(DomainError):
    code = "risk_action_refused"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This action is not allowed.")
