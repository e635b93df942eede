"""The narrow interfaces payments calls (ARCHITECTURE §3): value types only, no app imports.

``risk`` and ``promotions`` implement ``risk_precheck(ctx) -> RiskDecision`` and
``promotions_quote(ctx) -> PromotionQuote`` and register them by dotted path in settings
(``PAYMENTS_RISK_PRECHECK`` / ``PAYMENTS_PROMOTIONS_QUOTE``). Both are called on the payment's
path just before its money step (``payments.ledger.money_step``: one database statement), on what
the request has read: they must be quick, do no network I/O, write nothing (a refused payment must
leave nothing behind) and raise nothing but ``DomainError``. What they decide on that can change
(the customer frozen, balances, limits) is checked again under lock by the money step; a discount
is funded in the payment's own transfer (the budget account is debited under its lock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from core.money import Money

if TYPE_CHECKING:
    from accounts.models import Customer
    from payments.models import LedgerAccount

__all__ = ["PaymentContext", "PromotionQuote", "PromotionsQuoteFn", "RiskDecision", "RiskPrecheckFn"]


@dataclass(frozen=True)
class PaymentContext:
    """What a payment is about to do. ``kind`` is a ``Transfer.Kind`` value (``P2P``, ``MERCHANT_PAYMENT``...)."""

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


@dataclass(frozen=True)
class RiskDecision:
    """``allowed=False`` refuses the payment (403 ``risk_refused``) with ``message`` shown to the customer."""

    allowed: bool
    reason_code: str = ""
    message: str = ""
    requires_step_up: bool = False


@dataclass(frozen=True)
class PromotionQuote:
    """Instant benefits: ``discount`` lowers what the customer pays (funded by a campaign budget)."""

    discount: Money | None = None
    benefits: list[dict[str, Any]] = field(default_factory=list)
    budget_account_code: str = ""  # the campaign budget account that funds ``discount``


class RiskPrecheckFn(Protocol):
    def __call__(self, ctx: PaymentContext) -> RiskDecision: ...


class PromotionsQuoteFn(Protocol):
    def __call__(self, ctx: PaymentContext) -> PromotionQuote: ...
