"""The narrow interfaces payments calls (ARCHITECTURE §3): value types only, no app imports.

``risk`` and ``promotions`` implement ``risk_precheck(ctx) -> RiskDecision`` and
``promotions_quote(ctx) -> PromotionQuote`` and register them by dotted path in settings
(``PAYMENTS_RISK_PRECHECK`` / ``PAYMENTS_PROMOTIONS_QUOTE``); ``risk`` also issues the step-up
challenge a refused payment answers with (``step_up_issue``, ``PAYMENTS_STEP_UP_ISSUE``). Both are called on the payment's
path just before its money step (``payments.ledger.money_step``: one database statement), on what
the request has read: they must be quick, do no network I/O, write nothing (a refused payment must
leave nothing behind) and raise nothing but ``DomainError``. A caller that runs the money statement
says so (``PaymentContext.in_statement``): the pre-check may then leave its decision to that
statement (``RiskDecision.statement``: the risk app's database gate runs inside it, under the
customers' locks, and its writes, a step-up challenge used up, commit or roll back with the payment). What they decide on that can change
(the customer frozen, balances, limits) is checked again under lock by the money step; a discount
is funded in the payment's own transfer (the budget account is debited under its lock).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from core.money import Money

if TYPE_CHECKING:
    from accounts.models import Customer
    from payments.models import LedgerAccount

__all__ = [
    "STEP_UP_CONFIRMED",
    "STEP_UP_PASSKEY",
    "DiscountFunding",
    "PaymentContext",
    "PromotionQuote",
    "PromotionsQuoteFn",
    "RiskDecision",
    "RiskPrecheckFn",
    "StepUpIssueFn",
]

# ``RiskDecision.reason_code`` of an allowed payment whose step-up is satisfied: by the confirmed
# challenge in ``metadata["step_up_challenge"]`` (the money step uses it up, once), or by the passkey
# that confirmed the payment (``metadata["step_up_factor"] == "PASSKEY"``).
STEP_UP_CONFIRMED = "STEP_UP_CONFIRMED"
STEP_UP_PASSKEY = "STEP_UP_PASSKEY"


@dataclass(frozen=True)
class PaymentContext:
    """What a payment is about to do. ``kind`` is a ``Transfer.Kind`` value (``P2P``, ``MERCHANT_PAYMENT``...).

    A request's step-up rides in ``metadata`` (``payments.step_up.StepUpInput``): ``payment_fingerprint``
    (the Idempotency-Key and the body without its secrets and the challenge), ``step_up_challenge``
    (the id the client sends back once confirmed, or "") and ``step_up_factor`` ("PASSKEY" or "").

    ``in_statement``: the caller runs the money step (``payments_pay``, one statement): the pre-check
    may then answer ``RiskDecision.statement`` instead of reading anything, and the statement decides."""

    customer: Customer
    kind: str
    amount: Money
    counterparty: Customer | None = None  # the other customer (P2P)
    counterparty_account: LedgerAccount | None = None  # merchant / biller / recipient wallet
    merchant_id: str = ""
    channel: str = "APP"
    device_id: str = ""
    ip_address: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    in_statement: bool = False


@dataclass(frozen=True)
class RiskDecision:
    """``allowed=False`` refuses the payment (403 ``risk_refused``) with ``message`` shown to the customer.

    Decided in the money step (only when ``PaymentContext.in_statement``): ``allowed`` True and
    ``statement`` the document's ``risk`` section, which ``payments_pay`` hands to the risk app's
    database gate (``risk_precheck_gate``, risk 0006) under the customers' locks. The gate answers
    NULL (go ahead; a confirmed challenge it used up), ``risk:<REASON>`` (refused: ``RiskRefused``,
    stored under the Idempotency-Key) or ``step_up:<REASON>`` (``StepUpRequired``, never stored);
    ``answers`` maps each such answer to the message the customer reads (a lazy translation: the
    caller renders it in the request's language, once per language)."""

    allowed: bool
    reason_code: str = ""
    message: str = ""
    requires_step_up: bool = False
    statement: dict[str, Any] | None = None
    answers: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class DiscountFunding:
    """Who pays one part of ``PromotionQuote.discount``: a campaign budget account (``merchant``
    False) or, for a co-funded discount, the merchant's own account (``merchant`` True: a leg
    debiting the payee's account in the same transfer; ``account_id`` 0, the payment names it)."""

    amount: Money
    account_id: int = 0
    account_code: str = ""
    merchant: bool = False


@dataclass(frozen=True)
class PromotionQuote:
    """Instant benefits: ``discount`` lowers what the customer pays.

    Single budget (the original form): ``budget_account_code`` funds all of ``discount``. Several
    funders (stacked campaigns, a co-funding merchant): ``funding`` lists them and sums to
    ``discount``. ``take`` is what the payment's statement must take for the discount to hold (the
    campaign claims, per-person counters, the coupon, the first-order marker, the budgets under
    their locks: ``payments_promotions_take``); when the database cannot take it, nothing moves and
    the payment is quoted again (``PromotionChanged``). ``benefits``: one entry per campaign that
    applied or was skipped, ``{campaign, kind, status: APPLIED|SKIPPED, reason, amount,
    stacking_group, exclusive, name}``: recorded in the transfer's metadata and shown to the customer.
    """

    discount: Money | None = None
    benefits: list[dict[str, Any]] = field(default_factory=list)
    budget_account_code: str = ""  # the campaign budget account that funds ``discount``
    funding: list[DiscountFunding] = field(default_factory=list)
    take: dict[str, Any] | None = None


class RiskPrecheckFn(Protocol):
    def __call__(self, ctx: PaymentContext) -> RiskDecision: ...


class PromotionsQuoteFn(Protocol):
    def __call__(self, ctx: PaymentContext) -> PromotionQuote: ...


class StepUpIssueFn(Protocol):
    """Issue (or give again) the step-up challenge of one payment and send its code; returns the
    ``details`` of the 403 ``step_up_required`` answer (``challenge_id``, ``expires_at``...). Called
    OUTSIDE the payment's transaction (it commits its own); a repeat for the same customer,
    fingerprint and amount before confirming gives the same challenge and sends no second code."""

    def __call__(
        self, *, customer: Customer, fingerprint: str, amount: Money, reason_code: str, ip: str | None
    ) -> dict[str, Any]: ...
