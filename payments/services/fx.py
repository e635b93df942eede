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

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.money import Money, MoneyError
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

__all__ = ["FX_CURRENCIES", "QUOTE_TTL", "fx_conversion_create", "fx_quote_create", "fx_rate_current", "fx_rate_set"]

QUOTE_TTL = timedelta(seconds=60)
FX_CURRENCIES = frozenset({"CNY", "HKD", "USD", "EUR", "GBP", "JPY", "SGD", "MOP"})
TOPIC_FX_CONVERTED = "fx.conversion.completed"


def fx_rate_set(
    *,
    base: str,
    quote: str,
    mid_rate: Decimal,
    spread_bps: int,
    set_by: User | None,
    valid_from: Any = None,
    request: HttpRequest | None = None,
) -> FxRate:
    """Add a rate row (history is kept; the newest valid one is current). Audit-logged."""
    if base == quote:
        raise SameCurrency()
    if base not in FX_CURRENCIES or quote not in FX_CURRENCIES:
        raise UnsupportedCurrency()
    with transaction.atomic():
        rate = FxRate.objects.create(
            base=base,
            quote=quote,
            mid_rate=mid_rate,
            spread_bps=spread_bps,
            valid_from=valid_from or timezone.now(),
            set_by=set_by,
        )
        audit_record(
            action="payments.fxrate.set",
            actor=set_by,
            obj=rate,
            request=request,
            changes={"pair": f"{base}/{quote}", "mid_rate": str(mid_rate), "spread_bps": spread_bps},
        )
        return rate


def fx_rate_current(sell_currency: str, buy_currency: str) -> tuple[FxRate, bool]:
    """The current rate row for the pair and whether the customer sells its base currency."""
    now = timezone.now()
    direct = (
        FxRate.objects.filter(base=sell_currency, quote=buy_currency, valid_from__lte=now)
        .order_by("-valid_from")
        .first()
    )
    inverse = (
        FxRate.objects.filter(base=buy_currency, quote=sell_currency, valid_from__lte=now)
        .order_by("-valid_from")
        .first()
    )
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
        raise InvalidAmount(str(exc), code=exc.code) from None
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
