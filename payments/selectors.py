"""Reads of the payments app: wallets, history, transfer detail. Every query is scoped to a customer.

History pages are in ``selectors_history`` (one raw statement per page).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet, Sum

from accounts.pii import mask_name, mask_phone
from core.money import CURRENCY_EXPONENTS
from payments.errors import WalletNotFound
from payments.ledger import Balance, account_balance, wallet_find, wallet_public_id, wallet_unopened
from payments.models import CustomerSpendCounter, LedgerAccount, MerchantPayment, Posting, Transfer, mcc_category

if TYPE_CHECKING:
    from accounts.models import Customer

__all__ = [
    "WALLET_KINDS",
    "account_display",
    "counterparty_display",
    "customer_wallet_balance",
    "merchant_spend_by_category_since",
    "spend_months_since_qs",
    "transfer_get_for_customer",
    "wallet_balance",
    "wallet_get_for_customer",
    "wallet_list_for_customer",
    "wallet_postings_recent",
]

WALLET_KINDS = (LedgerAccount.Kind.CUSTOMER_WALLET, LedgerAccount.Kind.POINTS_WALLET)


def wallet_list_for_customer(*, customer: Customer) -> list[LedgerAccount]:
    """The customer's wallets, CNY first. A customer without a CNY wallet sees an empty, unsaved one
    (zero balance, the id it will have once opened): a read never creates a wallet."""
    wallets = list(LedgerAccount.objects.filter(customer=customer, kind__in=WALLET_KINDS).order_by("id"))
    if not any(w.currency == "CNY" and w.kind == LedgerAccount.Kind.CUSTOMER_WALLET for w in wallets):
        wallets.insert(0, wallet_unopened(customer=customer, currency="CNY"))
    return sorted(wallets, key=lambda w: (w.currency != "CNY", w.currency))


def wallet_get_for_customer(*, customer: Customer, ident: str) -> LedgerAccount:
    """A wallet of the customer by public id or by currency code (``CNY``); ``WalletNotFound`` otherwise.
    A CNY wallet not yet opened reads as an unsaved empty one (never created here)."""
    qs = LedgerAccount.objects.filter(customer=customer, kind__in=WALLET_KINDS)
    try:
        public_id = uuid.UUID(ident)
    except ValueError:
        currency = ident.upper()
        if currency not in CURRENCY_EXPONENTS:
            raise WalletNotFound() from None
        wallet = qs.filter(currency=currency).first()
        if wallet is None and currency == "CNY":
            wallet = wallet_unopened(customer=customer, currency="CNY")
    else:
        wallet = qs.filter(public_id=public_id).first()
        if wallet is None and public_id == wallet_public_id(customer, "CNY"):
            wallet = wallet_unopened(customer=customer, currency="CNY")
    if wallet is None:
        raise WalletNotFound()
    return wallet


def wallet_balance(wallet: LedgerAccount) -> Balance:
    """Wallets are ordinary (not hot) accounts: the row is the balance, no extra query."""
    if wallet.is_hot:
        return account_balance(wallet)
    from core.money import Money

    posted = Money(wallet.posted_minor, wallet.currency)
    pending = Money(wallet.pending_debit_minor, wallet.currency)
    return Balance(posted, pending, posted - pending)


def counterparty_display(
    *, public_id: str, kind: str, name: str, customer_id: int | None, legal_name: str | None, phone: str | None
) -> dict[str, str]:
    """How the other side of a posting is shown to a customer: masked for people, named for the bank side.
    From plain values, so the raw history page (``selectors_history``) and ``account_display`` agree."""
    if customer_id is not None and kind in WALLET_KINDS:
        return {
            "id": public_id,
            "kind": kind,
            "name": mask_name(legal_name or ""),
            "phone": mask_phone(phone) if phone else "",
        }
    return {"id": public_id, "kind": kind, "name": name or str(LedgerAccount.Kind(kind).label), "phone": ""}


def account_display(account: LedgerAccount | None) -> dict[str, str] | None:
    """``counterparty_display`` of an account (select ``customer`` with it)."""
    if account is None:
        return None
    customer = account.customer if account.customer_id is not None else None
    return counterparty_display(
        public_id=str(account.public_id),
        kind=account.kind,
        name=account.name,
        customer_id=account.customer_id,
        legal_name=customer.legal_name if customer is not None else None,
        phone=customer.phone if customer is not None else None,
    )


def transfer_get_for_customer(*, customer: Customer, public_id: uuid.UUID) -> Transfer | None:
    """The transfer if one of its postings is on the customer's wallets, else None (the API says 404)."""
    wallet_ids = LedgerAccount.objects.filter(customer=customer, kind__in=WALLET_KINDS).values("pk")
    return (
        Transfer.objects.filter(public_id=public_id, postings__account_id__in=wallet_ids)
        .select_related("reverses")
        .prefetch_related(
            Prefetch(
                "postings",
                queryset=Posting.objects.select_related("account", "account__customer").order_by("id"),
            )
        )
        .distinct()
        .first()
    )


def spend_months_since_qs(*, since: date) -> QuerySet[CustomerSpendCounter]:
    """Monthly outgoing-spend counters of months starting on or after ``since``: a customer with
    one has spent in that period. For set-based reads (``Exists(... customer=OuterRef("pk"))``,
    promotions' activity segments); served by the counters' unique index (customer, period, start)."""
    return CustomerSpendCounter.objects.filter(
        period=CustomerSpendCounter.Period.MONTH, period_start__gte=since, spent_minor__gt=0
    )


def merchant_spend_by_category_since(
    *, customer: Customer, since: datetime, until: datetime | None = None
) -> dict[str, int]:
    """CNY the customer paid merchants from ``since`` (and before ``until``, when given), by spending
    category (minor units), net of nothing: what their habits look like (promotions ranks offers by
    it; ``until`` pins the ranking while the customer pages through the offers). One grouped query."""
    payments = MerchantPayment.objects.filter(customer=customer, created_at__gte=since, currency="CNY")
    if until is not None:
        payments = payments.filter(created_at__lt=until)
    rows = payments.values("merchant__mcc").annotate(total=Sum("amount_minor"))
    spent: dict[str, int] = defaultdict(int)
    for row in rows:
        spent[mcc_category(row["merchant__mcc"])] += int(row["total"] or 0)
    return dict(spent)


def wallet_postings_recent(*, customer: Customer, currency: str, limit: int = 50) -> list[Posting]:
    """The newest postings of the customer's wallet in ``currency`` (``PTS``: the points wallet),
    with their transfers; empty when there is no such wallet (a read never opens one)."""
    wallet = wallet_find(customer=customer, currency=currency)
    if wallet is None:
        return []
    return list(
        Posting.objects.filter(account=wallet).select_related("transfer").order_by("-created_at", "-id")[:limit]
    )


def customer_wallet_balance(*, customer: Customer, currency: str) -> Balance:
    """The balance of the customer's wallet in ``currency`` (zero when it was never opened)."""
    wallet = wallet_find(customer=customer, currency=currency)
    return account_balance(wallet) if wallet is not None else account_balance_zero(currency)


def account_balance_zero(currency: str) -> Balance:
    from core.money import Money

    zero = Money(0, currency)
    return Balance(zero, zero, zero)
