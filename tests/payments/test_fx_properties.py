"""Property tests of FX pricing (Hypothesis): the customer never gets more than the quoted rate gives,
an exact buy amount is always covered, and each side is a valid amount of its currency."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from core.money import Money, MoneyError
from payments.fx import customer_rate, price_buy_amount, price_sell_amount

rates = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("500"), places=6, allow_nan=False)
spreads = st.integers(min_value=0, max_value=500)
pairs = st.sampled_from([("CNY", "USD"), ("USD", "CNY"), ("CNY", "JPY"), ("JPY", "CNY"), ("HKD", "CNY")])
minors = st.integers(min_value=1, max_value=10**11)


@given(mid=rates, spread=spreads, pair=pairs, minor=minors, sell_is_base=st.booleans())
def test_selling_an_exact_amount_never_credits_more_than_the_rate(
    mid: Decimal, spread: int, pair: tuple[str, str], minor: int, sell_is_base: bool
) -> None:
    rate = customer_rate(mid_rate=mid, spread_bps=spread, sell_is_base=sell_is_base)
    sell = Money(minor, pair[0])

    try:
        price = price_sell_amount(sell=sell, buy_currency=pair[1], rate=rate)
    except MoneyError as exc:  # the buy side would not fit in the ledger: refused, never rounded
        assert exc.code == "amount_too_large"
        return

    assert price.buy.to_decimal() <= sell.to_decimal() * rate
    assert price.buy.currency == pair[1] and price.sell == sell


@given(mid=rates, spread=spreads, pair=pairs, minor=minors, sell_is_base=st.booleans())
def test_buying_an_exact_amount_is_always_covered_by_what_is_sold(
    mid: Decimal, spread: int, pair: tuple[str, str], minor: int, sell_is_base: bool
) -> None:
    rate = customer_rate(mid_rate=mid, spread_bps=spread, sell_is_base=sell_is_base)
    if rate <= 0:
        return
    buy = Money(minor, pair[1])

    try:
        price = price_buy_amount(buy=buy, sell_currency=pair[0], rate=rate)
    except MoneyError as exc:  # the sell side would not fit in the ledger: refused, never rounded
        assert exc.code == "amount_too_large"
        return

    assert price.buy == buy
    assert price.sell.to_decimal() * rate >= buy.to_decimal()


@given(mid=rates, spread=spreads)
def test_the_spread_always_favours_the_bank(mid: Decimal, spread: int) -> None:
    sell_base = customer_rate(mid_rate=mid, spread_bps=spread, sell_is_base=True)
    buy_base = customer_rate(mid_rate=mid, spread_bps=spread, sell_is_base=False)

    assert sell_base <= mid
    assert buy_base <= 1 / mid
