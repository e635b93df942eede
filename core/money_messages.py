"""What a customer reads when an amount is refused (``core.money.MoneyError``'s own text is English,
for logs): one translated message per error code, shared by every app's API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from core.money import MoneyError

__all__ = ["MONEY_MESSAGES", "money_error_message"]

MONEY_MESSAGES = {
    "invalid_amount": gettext_lazy("Amount must be a decimal string such as '12.34'."),
    "too_many_decimals": gettext_lazy("The amount has more decimals than its currency allows."),
    "unknown_currency": gettext_lazy("Unknown currency."),
    "amount_too_large": gettext_lazy("The amount is too large."),
    "currency_mismatch": gettext_lazy("The amount and the currency do not match."),
}


def money_error_message(exc: MoneyError) -> str:
    """The refusal in the active language (the English text of ``exc`` for an unknown code)."""
    return str(MONEY_MESSAGES.get(exc.code, str(exc)))
