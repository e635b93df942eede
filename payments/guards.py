"""Payments' conditions on a customer's status change (``ACCOUNTS_STATUS_CHANGE_GUARDS``), so that
accounts, which may not import payments, still cannot close a customer who holds money."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from payments.models import LedgerAccount

__all__ = ["BalanceRemaining", "customer_close_guard"]


class BalanceRemaining(DomainError):
    code = "balance_remaining"
    status_code = 409
    default_message = _(
        "This customer still holds money (or money is held): pay the balance out before closing the account."
    )


def customer_close_guard(*, customer: Any, action: str, staff: Any, dual_control: dict[str, Any] | None) -> None:
    """Refuse closing a customer any of whose money accounts (wallets in any currency) has a posted
    or held balance. Points are not money and do not stop a closing. Runs under the customer's
    row lock (a payment in flight holds it too), so no credit slips in between."""
    if action != "close":
        return
    holding = (
        LedgerAccount.objects.filter(customer=customer)
        .exclude(kind=LedgerAccount.Kind.POINTS_WALLET)
        .exclude(posted_minor=0, pending_debit_minor=0)
        .values_list("code", "currency", "posted_minor")[:10]
    )
    found = list(holding)
    if found:
        raise BalanceRemaining(details={"accounts": [{"currency": c, "posted_minor": p} for _, c, p in found]})
