"""Error codes the payments API raises ad hoc (a ``DomainError`` with ``code=``), with their meaning,
for the docs (``core.api_docs``). Codes of ``DomainError`` subclasses (payments/errors*.py,
payments/qr.py, payments/billers.py) are documented from the class; those of ``core.money``
(``invalid_amount``, ``unknown_currency``...) by ``core.api_docs``."""

from __future__ import annotations

from core.api_docs import register_error_codes

register_error_codes(
    {
        "amount_not_positive": (400, "The amount must be greater than zero."),
        "currency_required": (400, "`currency` must come with `amount`."),
        "invalid_filter": (400, "A filter of the query string is invalid; `details` names it."),
        "merchant_not_found": (404, "No active merchant with this id, or `fmt` is not svg or png."),
        "fx_amount_too_small": (400, "The amount converts to less than one minor unit of the other currency."),
    }
)
