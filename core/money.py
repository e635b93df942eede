"""Money: integer minor units plus an ISO 4217 currency. No float ever touches an amount.

``Money`` is frozen, refuses floats, refuses to mix currencies and refuses to round silently:
anything that needs rounding (percentages, FX, fees) goes through ``Money.from_decimal`` with an
explicit rounding mode, and ``Money.parse`` refuses more decimals than the currency has.
Points are an asset of the same ledger with scale 0 (``PTS``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Final

# Minor-unit exponent per asset. Extend here when the bank adds a currency.
CURRENCY_EXPONENTS: Final[dict[str, int]] = {
    "CNY": 2,
    "HKD": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "JPY": 0,
    "SGD": 2,
    "MOP": 2,
    "PTS": 0,  # loyalty points
}
# Largest amount we accept anywhere: fits BIGINT with room for sums.
MAX_MINOR: Final[int] = 10**15

_DECIMAL_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")  # fullmatch only: "12\n" is not "12"


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly. ``code`` names the reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def currency_exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except (KeyError, TypeError):
        raise MoneyError("unknown_currency", f"Unknown currency {currency!r}") from None


@dataclass(frozen=True, slots=True)
class Money:
    minor: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.minor, bool) or not isinstance(self.minor, int):
            raise MoneyError(
                "invalid_amount", f"Money needs an integer number of minor units, got {type(self.minor).__name__}"
            )
        currency_exponent(self.currency)
        if abs(self.minor) > MAX_MINOR:
            raise MoneyError("amount_too_large", "Amount is out of range")

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, amount: object, currency: object) -> Money:
        """Parse the API's decimal string (``"12.34"``). Floats, exponents and extra decimals are refused."""
        if not isinstance(currency, str):
            raise MoneyError("unknown_currency", "Currency must be a string such as 'CNY'")
        exponent = currency_exponent(currency)
        if isinstance(amount, bool) or not isinstance(amount, (str, int)):
            raise MoneyError("invalid_amount", "Amount must be a decimal string such as '12.34'")
        text = str(amount)
        if not _DECIMAL_RE.fullmatch(text):
            raise MoneyError("invalid_amount", f"{text!r} is not a plain decimal amount such as '12.34'")
        whole, _, fraction = text.lstrip("-").partition(".")
        if len(fraction) > exponent:
            raise MoneyError("too_many_decimals", f"{currency} allows at most {exponent} decimal places")
        if len(whole) > 16:
            raise MoneyError("amount_too_large", "Amount is out of range")
        minor = int(whole) * 10**exponent + (int(fraction.ljust(exponent, "0")) if exponent else 0)
        return cls(-minor if text.startswith("-") else minor, currency)

    @classmethod
    def from_decimal(cls, value: Decimal, currency: str, *, rounding: str) -> Money:
        """The one place a computed Decimal becomes Money; the caller names the rounding mode."""
        if not isinstance(value, Decimal):
            raise MoneyError("invalid_amount", "from_decimal needs a Decimal")
        exponent = currency_exponent(currency)
        try:
            quantized = value.scaleb(exponent).quantize(Decimal(1), rounding=rounding)
        except InvalidOperation:
            raise MoneyError("invalid_amount", "Amount is not a finite number") from None
        return cls(int(quantized), currency)

    # --- presentation ---------------------------------------------------------------------
    @property
    def exponent(self) -> int:
        return currency_exponent(self.currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.minor).scaleb(-self.exponent)

    def amount_str(self) -> str:
        exponent = self.exponent
        sign = "-" if self.minor < 0 else ""
        whole, fraction = divmod(abs(self.minor), 10**exponent)
        return f"{sign}{whole}.{fraction:0{exponent}d}" if exponent else f"{sign}{whole}"

    def as_dict(self) -> dict[str, str]:
        return {"amount": self.amount_str(), "currency": self.currency}

    def __str__(self) -> str:
        return f"{self.amount_str()} {self.currency}"

    # --- arithmetic -----------------------------------------------------------------------
    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"Cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError("currency_mismatch", f"Cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: object) -> Money:
        return Money(self.minor + self._same(other).minor, self.currency)

    def __sub__(self, other: object) -> Money:
        return Money(self.minor - self._same(other).minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: object) -> bool:
        return self.minor < self._same(other).minor

    def __le__(self, other: object) -> bool:
        return self.minor <= self._same(other).minor

    def __gt__(self, other: object) -> bool:
        return self.minor > self._same(other).minor

    def __ge__(self, other: object) -> bool:
        return self.minor >= self._same(other).minor

    def __mul__(self, other: object) -> Money:
        # Only integer multiples are exact; percentages go through from_decimal.
        if isinstance(other, bool) or not isinstance(other, int):
            raise TypeError("Money can only be multiplied by an int; use from_decimal with a rounding mode")
        return Money(self.minor * other, self.currency)

    __rmul__ = __mul__

    def is_positive(self) -> bool:
        return self.minor > 0

    def percent(self, rate: Decimal, *, rounding: str = ROUND_HALF_EVEN) -> Money:
        """``rate`` as a fraction (Decimal('0.05') is 5 %), rounded by the named mode."""
        return Money.from_decimal(self.to_decimal() * rate, self.currency, rounding=rounding)
