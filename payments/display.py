"""How money and ledger accounts read to a person (the staff admin, messages, labels).

One place, so every page shows ``50.00 CNY`` and never ``5000``, and a ledger account reads
``张* · Customer wallet CNY`` instead of ``wallet:<uuid>:CNY``. Pure functions: no queries beyond
the related objects the caller passes (select ``customer`` with the account in a list).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.money import Money, MoneyError

if TYPE_CHECKING:
    from payments.models import LedgerAccount

__all__ = ["ledger_account_label", "money_display"]


def money_display(minor: int | None, currency: str) -> str:
    """``5000, "CNY"`` -> ``"50.00 CNY"`` (minor units in the currency's scale). Unknown currency: raw."""
    try:
        return str(Money(minor or 0, currency))
    except MoneyError:
        return f"{minor or 0} {currency}"


def ledger_account_label(account: LedgerAccount) -> str:
    """``张* · Customer wallet CNY`` for a customer's account (masked owner), ``<name> · <kind> <CUR>``
    for a bank or merchant account. Never the internal code or a customer's full name."""
    kind_currency = f"{account.get_kind_display()} {account.currency}"
    if account.customer is not None:
        owner = account.customer.masked_label(with_phone=False)
    else:
        owner = (account.name or "").strip()
    return f"{owner} · {kind_currency}" if owner and owner != kind_currency else kind_currency
