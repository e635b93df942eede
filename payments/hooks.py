"""The narrow interfaces payments calls (ARCHITECTURE §3), with the defaults used until the
risk and promotions apps register their own by dotted path in settings.

``risk_precheck`` and ``promotions_quote`` are what services call; they load the configured
implementation once (``import_string``) and turn a refusal into ``RiskRefused`` / ``StepUpRequired``.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from core.errors import DomainError
from payments.errors import RiskRefused, StepUpRequired
from payments.interfaces import PaymentContext, PromotionQuote, PromotionsQuoteFn, RiskDecision, RiskPrecheckFn

__all__ = [
    "promotions_quote",
    "promotions_quote_none",
    "risk_precheck",
    "risk_precheck_allow_all",
    "risk_precheck_enforce",
    "risk_refusal",
]


def risk_precheck_allow_all(ctx: PaymentContext) -> RiskDecision:
    """Default until the risk app registers its own: everything is allowed."""
    return RiskDecision(allowed=True)


def promotions_quote_none(ctx: PaymentContext) -> PromotionQuote:
    """Default until the promotions app registers its own: no instant benefit."""
    return PromotionQuote()


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
