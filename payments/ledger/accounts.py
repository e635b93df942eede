"""Ledger accounts: opening them, their status, balances and the hot-account fold.

Part of the ledger kernel (``payments.ledger``): call inside ``transaction.atomic()``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection

from core.money import Money, currency_exponent
from payments.errors import AccountClosed, AccountFrozen
from payments.models import LedgerAccount, Transfer

if TYPE_CHECKING:
    from accounts.models import Customer


Kind = LedgerAccount.Kind

# Bank-side accounts that receive many concurrent postings: appended, not locked (docs/ledger.md).
HOT_KINDS = frozenset(
    {
        Kind.MERCHANT,
        Kind.SETTLEMENT,
        Kind.FX_POSITION,
        Kind.FEE_INCOME,
        Kind.CAMPAIGN_BUDGET,
        Kind.POINTS_ISSUANCE,
        Kind.SUSPENSE,
        Kind.BILLER,
    }
)
# Bank-side accounts that may go negative (ARCHITECTURE §4). Never a customer's or a budget.
# FEE_INCOME: a fee waiver gives back a fee charged in an earlier period (docs/ledger.md).
NEGATIVE_ALLOWED_KINDS = frozenset(
    {Kind.SETTLEMENT, Kind.FX_POSITION, Kind.POINTS_ISSUANCE, Kind.SUSPENSE, Kind.FEE_INCOME}
)
# Kinds that may move money out of or into a FROZEN account (corrections by the bank).
_FROZEN_EXEMPT_TRANSFER_KINDS = frozenset({Transfer.Kind.REVERSAL, Transfer.Kind.ADJUSTMENT})


@dataclass(frozen=True)
class Balance:
    posted: Money
    pending: Money  # sum of active holds
    available: Money  # posted - pending

    def as_dict(self) -> dict[str, dict[str, str]]:
        return {
            "posted": self.posted.as_dict(),
            "pending": self.pending.as_dict(),
            "available": self.available.as_dict(),
        }


def _require_atomic() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("payments.ledger functions must run inside transaction.atomic()")


# --- accounts ---------------------------------------------------------------------------------


def account_open(
    *,
    kind: str,
    currency: str,
    code: str,
    name: str = "",
    customer: Customer | None = None,
    allow_negative: bool = False,
    is_hot: bool = False,
) -> LedgerAccount:
    """Get or create the account with this ``code``. An existing account is returned unchanged,
    but a different kind or currency under the same code is a programming error (ValueError)."""
    currency_exponent(currency)
    if allow_negative and kind in (Kind.CUSTOMER_WALLET, Kind.POINTS_WALLET, Kind.CAMPAIGN_BUDGET, Kind.MERCHANT):
        raise ValueError(f"{kind} accounts may never go negative")
    account = LedgerAccount.objects.filter(code=code).first()
    if account is None:
        account, _created = LedgerAccount.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "currency": currency,
                "name": name,
                "customer": customer,
                "allow_negative": allow_negative,
                "is_hot": is_hot,
            },
        )
    if account.kind != kind or account.currency != currency:
        raise ValueError(f"Account {code} exists as {account.kind}/{account.currency}, not {kind}/{currency}")
    return account


def system_account(kind: str, currency: str) -> LedgerAccount:
    """The bank's own account of ``kind`` in ``currency`` (``system:<kind>:<currency>``), created on first use.

    Hot and may-go-negative flags follow ``HOT_KINDS`` / ``NEGATIVE_ALLOWED_KINDS``.
    """
    return account_open(
        kind=kind,
        currency=currency,
        code=f"system:{kind.lower()}:{currency}",
        name=f"{LedgerAccount.Kind(kind).label} {currency}",
        allow_negative=kind in NEGATIVE_ALLOWED_KINDS,
        is_hot=kind in HOT_KINDS,
    )


def wallet_code(customer: Customer, currency: str) -> str:
    return f"wallet:{customer.public_id}:{currency}"


_WALLET_ID_NAMESPACE = uuid.UUID("3f1d8a52-6c1e-4f3b-9a57-0d2b6c8e7a11")


def wallet_public_id(customer: Customer, currency: str) -> uuid.UUID:
    """The public id a wallet gets when it is opened: derived from its code, so a wallet shown
    before it exists (``wallet_unopened``) keeps the same id once opened. Older wallets keep
    their random ids."""
    return uuid.uuid5(_WALLET_ID_NAMESPACE, wallet_code(customer, currency))


def wallet_unopened(*, customer: Customer, currency: str) -> LedgerAccount:
    """An unsaved, empty wallet for reads of a customer who has none yet (zero balance). Never saved
    here: selectors never write; the first money movement opens the real one."""
    return LedgerAccount(
        public_id=wallet_public_id(customer, currency),
        kind=Kind.POINTS_WALLET if currency == "PTS" else Kind.CUSTOMER_WALLET,
        currency=currency,
        code=wallet_code(customer, currency),
        customer=customer,
    )


def wallet_get_or_create(*, customer: Customer, currency: str) -> LedgerAccount:
    """The customer's wallet in ``currency`` (``PTS`` gives the points wallet), created lazily by
    the money movement that first needs it."""
    kind = Kind.POINTS_WALLET if currency == "PTS" else Kind.CUSTOMER_WALLET
    code = wallet_code(customer, currency)
    account = LedgerAccount.objects.filter(code=code).first()
    if account is None:
        account, _created = LedgerAccount.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "currency": currency,
                "customer": customer,
                "public_id": wallet_public_id(customer, currency),
            },
        )
    if account.kind != kind or account.currency != currency:
        raise ValueError(f"Account {code} exists as {account.kind}/{account.currency}, not {kind}/{currency}")
    return account


def wallet_find(*, customer: Customer, currency: str) -> LedgerAccount | None:
    """The customer's wallet in ``currency`` if it exists; never creates one (for reads)."""
    return LedgerAccount.objects.filter(code=wallet_code(customer, currency)).first()


def wallets_get_or_create(*, customers: Sequence[Customer], currency: str) -> list[LedgerAccount]:
    """The wallets of several customers in ``currency``, in the given order: one query for those
    that exist (the common case), ``wallet_get_or_create`` only for those that do not."""
    codes = [wallet_code(customer, currency) for customer in customers]
    found = {account.code: account for account in LedgerAccount.objects.filter(code__in=codes)}
    return [
        found[code] if code in found else wallet_get_or_create(customer=customer, currency=currency)
        for code, customer in zip(codes, customers, strict=True)
    ]


def wallet_unresolved(*, customer: Customer, currency: str) -> LedgerAccount:
    """The customer's wallet in ``currency`` as a payment names it without reading it: unsaved, no
    id, only its code (and the public id it gets if it must be opened). The money step
    (``payments_pay``) resolves it by code under the payment's locks and opens it there when it
    does not exist yet, in the payment's own block: a refused payment opens nothing. After the
    step, ``PreparedTransfer.written`` gives it the stored id and public id."""
    return LedgerAccount(
        public_id=wallet_public_id(customer, currency),
        kind=Kind.POINTS_WALLET if currency == "PTS" else Kind.CUSTOMER_WALLET,
        currency=currency,
        code=wallet_code(customer, currency),
        customer=customer,
    )


def wallets_complete(
    *, customers: Sequence[Customer], currency: str, found: Sequence[LedgerAccount | None]
) -> list[LedgerAccount]:
    """The wallets already read (``found``), in order, with ``wallet_unresolved`` for those not
    opened yet: no query."""
    return [
        account if account is not None else wallet_unresolved(customer=customer, currency=currency)
        for account, customer in zip(found, customers, strict=True)
    ]


_CUSTOMER_STATUS_SHARE_SQL = "SELECT id, status FROM accounts_customer WHERE id = ANY(%s) ORDER BY id FOR SHARE"


def customer_statuses_share(customer_ids: Sequence[int]) -> dict[int, str]:
    """The customers' current statuses, read with ``FOR SHARE`` (pk order) in one statement; the
    share locks last until the money transaction ends (see ``customer_ensure_can_transact``)."""
    with connection.cursor() as cursor:
        cursor.execute(_CUSTOMER_STATUS_SHARE_SQL, [sorted(set(customer_ids))])
        return {int(pk): str(status) for pk, status in cursor.fetchall()}


def customer_ensure_can_transact(customer: Customer) -> None:
    """A frozen or closed customer can neither send nor receive (403 ``account_frozen`` / ``account_closed``).

    Locking contract with ``accounts.services.staff.customer_status_change`` (which changes the
    status under ``SELECT ... FOR UPDATE`` on the customer row): the status is read with
    ``FOR SHARE`` in the same statement (one round trip, no extra query), and the share lock is
    held until the money transaction ends. So a freeze waits for every payment that has already
    passed this check, and a payment that reaches it while a freeze is in progress waits for the
    freeze and then reads the committed FROZEN status. A freeze that has committed therefore stops
    every payment that has not yet committed. Call inside the money transaction.
    """
    from accounts.models import Customer as CustomerModel

    status = customer_statuses_share([customer.pk]).get(customer.pk)
    if status == CustomerModel.Status.FROZEN:
        raise AccountFrozen()
    if status != CustomerModel.Status.ACTIVE:
        raise AccountClosed()


def _ensure_account_usable(account: LedgerAccount, transfer_kind: str) -> None:
    if account.status == LedgerAccount.Status.CLOSED:
        raise AccountClosed()
    if account.status == LedgerAccount.Status.FROZEN and transfer_kind not in _FROZEN_EXEMPT_TRANSFER_KINDS:
        raise AccountFrozen()


# --- balances -------------------------------------------------------------------------------

_BALANCE_SQL = """
SELECT a.posted_minor + COALESCE((SELECT SUM(d.amount_minor) FROM payments_hotaccountdelta d
                                   WHERE d.account_id = a.id), 0),
       a.pending_debit_minor
  FROM payments_ledgeraccount a WHERE a.id = %s
"""


def account_balance(account: LedgerAccount) -> Balance:
    """Posted, pending and available balance, read in one statement (one consistent snapshot).

    For a hot account, posted = checkpoint + its not yet folded deltas.
    """
    with connection.cursor() as cursor:
        cursor.execute(_BALANCE_SQL, [account.pk])
        row = cursor.fetchone()
    if row is None:
        raise LedgerAccount.DoesNotExist(account.pk)
    posted, pending = int(row[0]), int(row[1])
    currency = account.currency
    return Balance(Money(posted, currency), Money(pending, currency), Money(posted - pending, currency))


# The database function of payments 0010 (run as the schema owner: the application role may not
# update posted_minor nor delete deltas itself).
_FOLD_SQL = "SELECT payments_hot_account_fold(%s)"


def hot_account_fold(account: LedgerAccount) -> int:
    """Fold the account's committed deltas into ``posted_minor``; return the new value.

    The caller holds the account's row lock. ``DELETE`` only sees committed deltas, so a credit
    committing later stays queued for the next fold: nothing is lost or counted twice.
    """
    _require_atomic()
    with connection.cursor() as cursor:
        cursor.execute(_FOLD_SQL, [account.pk])
        row = cursor.fetchone()
    account.posted_minor = int(row[0])
    return account.posted_minor
