"""Error codes the payments API raises ad hoc (a ``DomainError`` with ``code=``), with their meaning,
for the docs (``core.api_docs``). Codes of ``DomainError`` subclasses (payments/errors*.py,
payments/qr.py, payments/billers.py) are documented from the class."""

from __future__ import annotations

from core.api_docs import register_error_codes

register_error_codes(
    {
        "invalid_amount": (400, '`amount` must be a decimal string such as "12.34"; a JSON number is refused.'),
        "too_many_decimals": (400, "More digits after the point than the currency has (CNY 2, JPY 0)."),
        "amount_too_large": (400, "The amount is out of range."),
        "amount_not_positive": (400, "The amount must be greater than zero."),
        "unknown_currency": (400, "Not a currency of the wallet (GET /api/v1/currencies)."),
        "currency_required": (400, "`currency` must come with `amount`."),
        "invalid_filter": (400, "A filter of the query string is invalid; `details` names it."),
        "merchant_not_found": (404, "No active merchant with this id, or `fmt` is not svg or png."),
        "fx_amount_too_small": (400, "The amount converts to less than one minor unit of the other currency."),
    }
)
