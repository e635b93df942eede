from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import CURRENCY_EXPONENTS, MAX_MINOR, Money, MoneyError

currencies = st.sampled_from(sorted(CURRENCY_EXPONENTS))
minor_amounts = st.integers(min_value=-MAX_MINOR, max_value=MAX_MINOR)


@given(minor=minor_amounts, currency=currencies)
def test_amount_string_round_trips(minor: int, currency: str) -> None:
    money = Money(minor, currency)

    assert Money.parse(money.amount_str(), currency) == money


@given(a=minor_amounts, b=minor_amounts, currency=currencies)
def test_addition_is_exact_and_commutative(a: int, b: int, currency: str) -> None:
    if abs(a + b) > MAX_MINOR:
        return
    left = Money(a, currency) + Money(b, currency)

    assert left == Money(b, currency) + Money(a, currency)
    assert left.minor == a + b
    assert left - Money(b, currency) == Money(a, currency)


@given(minor=st.integers(min_value=0, max_value=10**12), rate=st.decimals(min_value=0, max_value=1, places=4))
def test_percent_rounds_only_with_the_named_mode(minor: int, rate: Decimal) -> None:
    money = Money(minor, "CNY")

    down = money.percent(rate, rounding=ROUND_DOWN)
    even = money.percent(rate, rounding=ROUND_HALF_EVEN)

    assert 0 <= down.minor <= even.minor <= down.minor + 1
    assert down.minor <= minor


def test_parse_accepts_decimal_strings() -> None:
    assert Money.parse("12.34", "CNY") == Money(1234, "CNY")
    assert Money.parse("12.3", "CNY") == Money(1230, "CNY")
    assert Money.parse("12", "CNY") == Money(1200, "CNY")
    assert Money.parse("1000", "JPY") == Money(1000, "JPY")
    assert Money.parse("0.01", "USD").amount_str() == "0.01"


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        (12.34, "CNY", "invalid_amount"),
        ("12.345", "CNY", "too_many_decimals"),
        ("1.5", "JPY", "too_many_decimals"),
        ("1e3", "CNY", "invalid_amount"),
        ("", "CNY", "invalid_amount"),
        (" 1", "CNY", "invalid_amount"),
        ("01.00", "CNY", "invalid_amount"),
        ("NaN", "CNY", "invalid_amount"),
        (True, "CNY", "invalid_amount"),
        ("1.00", "XXX", "unknown_currency"),
        ("1.00", None, "unknown_currency"),
        ("99999999999999999", "CNY", "amount_too_large"),
    ],
)
def test_parse_refuses_what_is_not_exact(amount: object, currency: object, code: str) -> None:
    with pytest.raises(MoneyError) as caught:
        Money.parse(amount, currency)

    assert caught.value.code == code


def test_floats_and_mixed_currencies_are_refused() -> None:
    with pytest.raises(MoneyError):
        Money(1.5, "CNY")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(100, "CNY") + Money(100, "USD")
    with pytest.raises(TypeError):
        Money(100, "CNY") * 1.5
    with pytest.raises(MoneyError):
        Money(100, "CNY") < Money(100, "HKD")  # noqa: B015


def test_money_is_frozen() -> None:
    money = Money(100, "CNY")

    with pytest.raises(AttributeError):
        money.minor = 5  # type: ignore[misc]
