"""Currency exchange between a customer's own wallets, at a quote that is honoured until it expires.

Rates come from the staff-maintained ``FxRate`` table (latest ``valid_from`` not in the future, for
the pair or its inverse); pricing is ``payments.fx`` (Decimal, explicit rounding). The conversion
posts one transfer with four legs through the bank's FX position accounts, so each currency sums
to zero: wallet A -sell, FX_POSITION A +sell, FX_POSITION B -buy, wallet B +buy.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from accounts.services.staff import approver_ensure_independent
from core.audit import audit_record
from core.errors import DomainError
from core.money import Money, MoneyError
from core.money_messages import money_error_message
from payments.errors import InvalidAmount
from payments.errors_movements import (
    FxRateUnavailable,
    QuoteAlreadyUsed,
    QuoteExpired,
    QuoteNotFound,
    SameCurrency,
    UnsupportedCurrency,
)
from payments.events import transfer_event_publish
from payments.fx import FxPrice, customer_rate, price_buy_amount, price_sell_amount
from payments.hooks import risk_precheck_enforce
from payments.interfaces import PaymentContext
from payments.ledger import Leg, customer_ensure_can_transact, system_account, transfer_post, wallet_get_or_create
from payments.limits import limits_check_incoming_balance, limits_check_outgoing
from payments.models import FxQuote, FxRate, LedgerAccount, Transfer

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

    from accounts.models import Customer

__all__ = [
    "FX_CURRENCIES",
    "QUOTE_TTL",
    "FxRateDeviationTooLarge",
    "FxRateNotPending",
    "fx_conversion_create",
    "fx_quote_create",
    "fx_rate_approve",
    "fx_rate_current",
    "fx_rate_propose",
    "fx_rate_reject",
]

QUOTE_TTL = timedelta(seconds=60)
FX_CURRENCIES = frozenset({"CNY", "HKD", "USD", "EUR", "GBP", "JPY", "SGD", "MOP"})
TOPIC_FX_CONVERTED = "fx.conversion.completed"


class FxRateDeviationTooLarge(DomainError):
    code = "fx_rate_deviation_too_large"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _(
        "The new rate moves more than %(max)s%% from the current one; give a reason for the large move."
    )


class FxRateNotPending(DomainError):
    code = "fx_rate_not_pending"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This rate was already decided.")


def fx_max_deviation_percent() -> Decimal:
    return Decimal(str(getattr(settings, "FX_MAX_DEVIATION_PERCENT", 5)))


def _deviation_check(
    *, base: str, quote: str, mid_rate: Decimal, spread_bps: int, override_reason: str
) -> dict[str, str]:
    """Compare with the pair's current APPROVED rate (or 1 / its inverse). The bound applies to the mid
    AND to the customer rates (mid minus and plus the spread), so a spread change moves as little as a
    mid change. Refuses a move above ``FX_MAX_DEVIATION_PERCENT`` without an override reason; returns
    what the audit log keeps."""
    try:
        current, direct = fx_rate_current(base, quote)
    except FxRateUnavailable:
        return {}  # the pair's first rate: nothing to compare with
    previous = current.mid_rate if direct else (Decimal(1) / current.mid_rate)

    def sides(mid: Decimal, bps: int) -> tuple[Decimal, Decimal, Decimal]:
        spread = Decimal(bps) / Decimal(10_000)
        return mid, mid * (1 - spread), mid * (1 + spread)

    deviation = max(
        abs(new - old) / old * 100
        for new, old in zip(sides(mid_rate, spread_bps), sides(previous, current.spread_bps), strict=True)
        if old > 0
    ).quantize(Decimal("0.01"))
    limit = fx_max_deviation_percent()
    if deviation > limit and len(override_reason.strip()) < 10:
        raise FxRateDeviationTooLarge(
            FxRateDeviationTooLarge.default_message % {"max": limit},
            details={
                "previous": str(previous),
                "previous_spread_bps": current.spread_bps,
                "deviation_percent": str(deviation),
                "max_percent": str(limit),
            },
        )
    return {"previous": str(previous), "deviation_percent": str(deviation)}


def fx_rate_propose(
    *,
    base: str,
    quote: str,
    mid_rate: Decimal,
    spread_bps: int,
    set_by: User | None,
    valid_from: Any = None,
    override_reason: str = "",
    request: HttpRequest | None = None,
) -> FxRate:
    """Propose a rate (PENDING, not used by quotes until ``fx_rate_approve``). A move of more than
    ``FX_MAX_DEVIATION_PERCENT`` from the current approved rate needs ``override_reason`` (10+ characters).
    Audit ``payments.fxrate.propose``."""
    if base == quote:
        raise SameCurrency()
    if base not in FX_CURRENCIES or quote not in FX_CURRENCIES:
        raise UnsupportedCurrency()
    if mid_rate <= 0:
        raise InvalidAmount(code="invalid_rate")
    deviation = _deviation_check(
        base=base, quote=quote, mid_rate=mid_rate, spread_bps=spread_bps, override_reason=override_reason
    )
    with transaction.atomic():
        rate = FxRate.objects.create(
            base=base,
            quote=quote,
            mid_rate=mid_rate,
            spread_bps=spread_bps,
            valid_from=valid_from or timezone.now(),
            set_by=set_by,
            status=FxRate.Status.PENDING,
            override_reason=override_reason.strip()[:1000],
        )
        audit_record(
            action="payments.fxrate.propose",
            actor=set_by,
            obj=rate,
            reason=rate.override_reason,
            request=request,
            changes={"pair": f"{base}/{quote}", "mid_rate": str(mid_rate), "spread_bps": spread_bps, **deviation},
        )
        return rate


def fx_rate_approve(*, rate_id: int, checker: User, request: HttpRequest | None = None) -> FxRate:
    """Make a PENDING rate effective. Locks the row (``SELECT ... FOR UPDATE``) and re-checks: still
    PENDING, ``checker`` may change rates and is independent of the proposer
    (``approver_ensure_independent``), and the deviation from the rate current NOW. Effective from
    ``max(valid_from, now)``. Audit ``payments.fxrate.approve``."""
    with transaction.atomic():
        rate = FxRate.objects.select_for_update(of=("self",)).select_related("set_by").get(pk=rate_id)
        if rate.status != FxRate.Status.PENDING:
            raise FxRateNotPending()
        if not checker.has_perm("payments.change_fxrate"):
            raise DomainError(code="permission_denied", status_code=403)
        approver_ensure_independent(maker=rate.set_by, checker=checker)
        deviation = _deviation_check(
            base=rate.base,
            quote=rate.quote,
            mid_rate=rate.mid_rate,
            spread_bps=rate.spread_bps,
            override_reason=rate.override_reason,
        )
        now = timezone.now()
        rate.status = FxRate.Status.APPROVED
        rate.approved_by = checker
        rate.decided_at = now
        rate.valid_from = max(rate.valid_from, now)
        rate.save(update_fields=["status", "approved_by", "decided_at", "valid_from"])
        audit_record(
            action="payments.fxrate.approve",
            actor=checker,
            obj=rate,
            reason=rate.override_reason,
            request=request,
            changes={
                "pair": f"{rate.base}/{rate.quote}",
                "mid_rate": str(rate.mid_rate),
                "spread_bps": rate.spread_bps,
                "set_by": rate.set_by_id,
                "valid_from": rate.valid_from.isoformat(),
                **deviation,
            },
        )
        return rate


def fx_rate_reject(*, rate_id: int, checker: User, request: HttpRequest | None = None) -> FxRate:
    """Refuse a PENDING rate (the proposer may withdraw their own). Audit ``payments.fxrate.reject``."""
    with transaction.atomic():
        rate = FxRate.objects.select_for_update().get(pk=rate_id)
        if rate.status != FxRate.Status.PENDING:
            raise FxRateNotPending()
        if not checker.has_perm("payments.change_fxrate") and checker.pk != rate.set_by_id:
            raise DomainError(code="permission_denied", status_code=403)
        rate.status = FxRate.Status.REJECTED
        rate.approved_by = None
        rate.decided_at = timezone.now()
        rate.save(update_fields=["status", "approved_by", "decided_at"])
        audit_record(
            action="payments.fxrate.reject",
            actor=checker,
            obj=rate,
            request=request,
            changes={"pair": f"{rate.base}/{rate.quote}", "mid_rate": str(rate.mid_rate)},
        )
        return rate


def fx_rate_current(sell_currency: str, buy_currency: str) -> tuple[FxRate, bool]:
    """The current APPROVED rate row for the pair and whether the customer sells its base currency."""
    now = timezone.now()
    approved = FxRate.objects.filter(status=FxRate.Status.APPROVED, valid_from__lte=now)
    direct = approved.filter(base=sell_currency, quote=buy_currency).order_by("-valid_from").first()
    inverse = approved.filter(base=buy_currency, quote=sell_currency).order_by("-valid_from").first()
    if direct is None and inverse is None:
        raise FxRateUnavailable(details={"pair": f"{sell_currency}/{buy_currency}"})
    if inverse is None or (direct is not None and direct.valid_from >= inverse.valid_from):
        assert direct is not None
        return direct, True
    return inverse, False


def fx_quote_create(
    *,
    customer: Customer,
    sell_currency: str,
    buy_currency: str,
    sell_amount: Money | None = None,
    buy_amount: Money | None = None,
) -> FxQuote:
    """Price a conversion for ``QUOTE_TTL``; exactly one of ``sell_amount`` / ``buy_amount``."""
    if sell_currency == buy_currency:
        raise SameCurrency()
    if sell_currency not in FX_CURRENCIES or buy_currency not in FX_CURRENCIES:
        raise UnsupportedCurrency()
    if (sell_amount is None) == (buy_amount is None):
        raise ValueError("exactly one of sell_amount and buy_amount")
    customer_ensure_can_transact(customer)
    source, sell_is_base = fx_rate_current(sell_currency, buy_currency)
    rate = customer_rate(mid_rate=source.mid_rate, spread_bps=source.spread_bps, sell_is_base=sell_is_base)
    price: FxPrice
    try:
        if sell_amount is not None:
            price = price_sell_amount(sell=sell_amount, buy_currency=buy_currency, rate=rate)
        else:
            assert buy_amount is not None
            price = price_buy_amount(buy=buy_amount, sell_currency=sell_currency, rate=rate)
    except MoneyError as exc:  # the other side does not fit (amount_too_large): a 400, not a 500
        raise InvalidAmount(money_error_message(exc), code=exc.code) from None  # in the customer's language
    if not price.buy.is_positive() or not price.sell.is_positive():
        raise FxRateUnavailable(_too_small_message(), code="fx_amount_too_small")
    return FxQuote.objects.create(
        customer=customer,
        sell_currency=sell_currency,
        buy_currency=buy_currency,
        sell_minor=price.sell.minor,
        buy_minor=price.buy.minor,
        rate=rate,
        rate_source=source,
        expires_at=timezone.now() + QUOTE_TTL,
    )


def _too_small_message() -> str:
    from django.utils.translation import gettext

    return gettext("The amount is too small to convert.")


def fx_conversion_create(*, customer: Customer, quote_public_id: uuid.UUID) -> FxQuote:
    """Convert at a quote (inside the request's transaction). The quote is claimed with a
    conditional UPDATE (``status='OPEN' AND expires_at > now``), so it is used at most once and
    never after its expiry (``QuoteExpired`` 400, ``QuoteAlreadyUsed`` 409, ``QuoteNotFound`` 404 —
    also for another customer's quote). KYC limits apply to the CNY side sold; the CNY balance cap
    to the CNY side bought."""
    with transaction.atomic():
        now = timezone.now()
        claimed = FxQuote.objects.filter(
            public_id=quote_public_id, customer=customer, status=FxQuote.Status.OPEN, expires_at__gt=now
        ).update(status=FxQuote.Status.USED, used_at=now)
        quote = FxQuote.objects.filter(public_id=quote_public_id, customer=customer).first()
        if quote is None:
            raise QuoteNotFound()
        if not claimed:
            if quote.status == FxQuote.Status.USED:
                raise QuoteAlreadyUsed()
            raise QuoteExpired()
        customer_ensure_can_transact(customer)
        sell = Money(quote.sell_minor, quote.sell_currency)
        buy = Money(quote.buy_minor, quote.buy_currency)
        wallet_sell = wallet_get_or_create(customer=customer, currency=sell.currency)
        wallet_buy = wallet_get_or_create(customer=customer, currency=buy.currency)
        risk_precheck_enforce(
            PaymentContext(
                customer=customer, kind=Transfer.Kind.FX_CONVERSION, amount=sell, metadata={"buy": buy.as_dict()}
            )
        )
        limits_check_outgoing(customer=customer, amount=sell)
        transfer = transfer_post(
            kind=Transfer.Kind.FX_CONVERSION,
            legs=[
                Leg(wallet_sell, -sell),
                Leg(system_account(LedgerAccount.Kind.FX_POSITION, sell.currency), sell),
                Leg(system_account(LedgerAccount.Kind.FX_POSITION, buy.currency), -buy),
                Leg(wallet_buy, buy),
            ],
            reference=f"FX{quote.public_id.hex[:16].upper()}",
            memo=f"{sell.currency}->{buy.currency} @ {quote.rate}",
            metadata={"quote": str(quote.public_id), "rate": str(quote.rate), "rate_source": quote.rate_source_id},
            initiated_by=customer,
        )
        limits_check_incoming_balance(account=wallet_buy)
        FxQuote.objects.filter(pk=quote.pk).update(transfer=transfer)
        quote.transfer = transfer
        transfer_event_publish(
            topic=TOPIC_FX_CONVERTED,
            transfer=transfer,
            customer=str(customer.public_id),
            sell=sell.as_dict(),
            buy=buy.as_dict(),
            rate=str(quote.rate),
        )
        return quote
