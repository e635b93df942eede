"""What the customer API shows a person, in their language: spending category labels and the names of
the bank's own ledger accounts as a customer should see them (issue 16).

The ledger names its accounts for staff ("Settlement with the core banking system CNY"); a customer's
history shows who they dealt with: a person (masked), a merchant or biller (its name), or one of the
customer-facing names below for the bank's side. Presentation only: the ledger, the admin and the desk
keep the internal names.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from payments.models import Biller, LedgerAccount

__all__ = ["SPENDING_CATEGORY_LABELS", "counterparty_for_customer", "spending_category_label"]

Kind = LedgerAccount.Kind

# The bank's own accounts as a customer sees them. MERCHANT and BILLER accounts carry the merchant's
# or biller's own name; CUSTOMER_WALLET/POINTS_WALLET counterparties are people (masked upstream).
_BANK_SIDE_NAMES: dict[str, Promise] = {
    Kind.SETTLEMENT: _("Bank card"),
    Kind.FX_POSITION: _("Currency exchange"),
    Kind.FEE_INCOME: _("Tongbao fees"),
    Kind.CAMPAIGN_BUDGET: _("Tongbao offers"),
    Kind.POINTS_ISSUANCE: _("Tongbao points"),
    Kind.SUSPENSE: _("Tongbao"),
    Kind.HOLDING: _("Tongbao"),
}


def counterparty_for_customer(counterparty: dict[str, Any] | None) -> dict[str, Any] | None:
    """``counterparty`` with a customer-facing ``name`` (never an internal ledger account name)."""
    if counterparty is None:
        return None
    name = _BANK_SIDE_NAMES.get(counterparty.get("kind", ""))
    if name is None:
        return counterparty
    return {**counterparty, "name": str(name)}


SPENDING_CATEGORY_LABELS: dict[str, Promise] = {
    "GROCERIES": _("Groceries"),
    "DINING": _("Dining"),
    "TRANSPORT": _("Transport"),
    "SHOPPING": _("Shopping"),
    "HEALTH": _("Health"),
    "ENTERTAINMENT": _("Entertainment"),
    "EDUCATION": _("Education"),
    "TRAVEL": _("Travel"),
    "OTHER": _("Other"),
    "P2P": _("Transfers to people"),
}


def spending_category_label(category: str) -> str:
    """The label of a spending category code (``DINING``, ``BILLS_ELECTRICITY``, ``P2P``...) in the active language."""
    if category.startswith("BILLS_"):
        kind = category.removeprefix("BILLS_")
        label = Biller.Category(kind).label if kind in Biller.Category.values else kind
        return gettext("Bills: %(kind)s") % {"kind": label}
    return str(SPENDING_CATEGORY_LABELS.get(category, category))
