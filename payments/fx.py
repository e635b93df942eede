"""FX pricing: the one place a rate and a spread turn into amounts. Pure functions, Decimal only.

``FxRate(base, quote, mid)`` means ``1 base = mid quote``. The bank earns the spread on each side:

- selling base for quote: ``mid * (1 - spread)`` quote per base;
- buying base with quote: ``mid * (1 + spread)`` quote per base, i.e. ``1 / (mid * (1 + spread))``
  base per quote.

A customer rate is "buy units per 1 sell unit", truncated (ROUND_DOWN) to ``RATE_PLACES`` so it
never favours the customer by rounding. Amounts: the customer-credit side is always rounded DOWN
(``Money.from_decimal(..., rounding=ROUND_DOWN)``); when the customer asks for an exact buy amount,
the sell side is rounded UP. Either way the customer never gets more than the quoted rate gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_UP, Decimal, localcontext

from core.money import Money

RATE_PLACES = Decimal("0.000000000001")  # 12 decimal places (FxQuote.rate)
BPS = Decimal(10_000)


@dataclass(frozen=True)
class FxPrice:
    sell: Money
    buy: Money
    rate: Decimal  # buy units per 1 sell unit, as quoted to the customer


def customer_rate(*, mid_rate: Decimal, spread_bps: int, sell_is_base: bool) -> Decimal:
    """Buy-currency units per sell-currency unit, spread included, truncated to ``RATE_PLACES``."""
    with localcontext() as ctx:
        ctx.prec = 34
        spread = Decimal(spread_bps) / BPS
        rate = mid_rate * (1 - spread) if sell_is_base else 1 / (mid_rate * (1 + spread))
        return rate.quantize(RATE_PLACES, rounding=ROUND_DOWN)


def price_sell_amount(*, sell: Money, buy_currency: str, rate: Decimal) -> FxPrice:
    """The customer sells exactly ``sell``; the buy side is rounded down."""
    with localcontext() as ctx:
        ctx.prec = 34
        buy = Money.from_decimal(sell.to_decimal() * rate, buy_currency, rounding=ROUND_DOWN)
    return FxPrice(sell=sell, buy=buy, rate=rate)


def price_buy_amount(*, buy: Money, sell_currency: str, rate: Decimal) -> FxPrice:
    """The customer wants exactly ``buy``; the sell side is rounded up, and the buy side recomputed
    from it (rounded down) is never less than asked."""
    with localcontext() as ctx:
        ctx.prec = 34
        sell = Money.from_decimal(buy.to_decimal() / rate, sell_currency, rounding=ROUND_UP)
    priced = price_sell_amount(sell=sell, buy_currency=buy.currency, rate=rate)
    if priced.buy < buy:  # one minor unit short after double rounding: add one unit to the sell side
        priced = price_sell_amount(sell=sell + Money(1, sell_currency), buy_currency=buy.currency, rate=rate)
    return FxPrice(sell=priced.sell, buy=buy, rate=rate)


def convert_at_mid(*, amount: Money, to_currency: str, units_per_one: Decimal, rounding: str) -> Money:
    """``amount`` in ``to_currency`` at ``units_per_one`` (to_currency units per 1 unit of
    ``amount``'s currency), no spread, rounded with the caller's explicit ``rounding``. KYC limits
    use it with ROUND_UP (``payments.limits``): an equivalent is never understated."""
    with localcontext() as ctx:
        ctx.prec = 34
        return Money.from_decimal(amount.to_decimal() * units_per_one, to_currency, rounding=rounding)
