"""The narrow interfaces payments calls (ARCHITECTURE §3), with the defaults used until the
risk and promotions apps register their own by dotted path in settings.

``risk_precheck`` and ``promotions_quote`` are what services call; they load the configured
implementation once (``import_string``) and turn a refusal into ``RiskRefused`` / ``StepUpRequired``.
``step_up_issue`` is what the API calls on a ``StepUpRequired`` (outside the payment's transaction):
the challenge id and expiry the 403 answer carries.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

from core.errors import DomainError
from payments.errors import RiskRefused, StepUpRequired
from payments.interfaces import (
    PaymentContext,
    PromotionQuote,
    PromotionsQuoteFn,
    RiskDecision,
    RiskPrecheckFn,
    StepUpIssueFn,
)

if TYPE_CHECKING:
    from accounts.models import Customer
    from core.money import Money

__all__ = [
    "promotions_quote",
    "promotions_quote_none",
    "risk_precheck",
    "risk_precheck_allow_all",
    "risk_precheck_enforce",
    "risk_refusal",
    "step_up_issue",
    "step_up_issue_none",
]


def risk_precheck_allow_all(ctx: PaymentContext) -> RiskDecision:
    """Default until the risk app registers its own: everything is allowed."""
    return RiskDecision(allowed=True)


def promotions_quote_none(ctx: PaymentContext) -> PromotionQuote:
    """Default until the promotions app registers its own: no instant benefit."""
    return PromotionQuote()


def step_up_issue_none(
    *, customer: Customer, fingerprint: str, amount: Money, reason_code: str, ip: str | None
) -> dict[str, Any]:
    """Default until the risk app registers its own: no challenge (the 403 carries the reason only)."""
    return {}


@cache
def _load(dotted: str) -> object:
    return import_string(dotted)


def risk_precheck(ctx: PaymentContext) -> RiskDecision:
    """The configured risk pre-check (``settings.PAYMENTS_RISK_PRECHECK``). Returns the decision as is."""
    fn: RiskPrecheckFn = _load(settings.PAYMENTS_RISK_PRECHECK)  # type: ignore[assignment]
    return fn(ctx)


def promotions_quote(ctx: PaymentContext) -> PromotionQuote:
    """The configured promotions quote (``settings.PAYMENTS_PROMOTIONS_QUOTE``)."""
    fn: PromotionsQuoteFn = _load(settings.PAYMENTS_PROMOTIONS_QUOTE)  # type: ignore[assignment]
    return fn(ctx)


def step_up_issue(
    *, customer: Customer, fingerprint: str, amount: Money, reason_code: str, ip: str | None
) -> dict[str, Any]:
    """The configured issuer (``settings.PAYMENTS_STEP_UP_ISSUE``): the challenge's ``details``."""
    fn: StepUpIssueFn = _load(settings.PAYMENTS_STEP_UP_ISSUE)  # type: ignore[assignment]
    return fn(customer=customer, fingerprint=fingerprint, amount=amount, reason_code=reason_code, ip=ip)


def risk_refusal(decision: RiskDecision) -> DomainError | None:
    """The error a decision stands for: ``RiskRefused`` (403, the decision's readable reason),
    ``StepUpRequired`` (403), or None when the payment may go ahead."""
    if not decision.allowed:
        return RiskRefused(decision.message or None, details={"reason_code": decision.reason_code})
    if decision.requires_step_up:
        return StepUpRequired(decision.message or None, details={"reason_code": decision.reason_code})
    return None


def risk_precheck_enforce(ctx: PaymentContext) -> RiskDecision:
    """Call the pre-check and raise its refusal (``risk_refusal``). Call before any posting."""
    decision = risk_precheck(ctx)
    refusal = risk_refusal(decision)
    if refusal is not None:
        raise refusal
    return decision
