"""The ledger API: the only code that writes transfers, postings, holds and account balances.

Every function here must be called inside ``transaction.atomic()`` (the caller's money service
owns the durable transaction) and raises ``payments.errors`` (``DomainError`` subclasses) for
business failures. See docs/ledger.md for the contract and the hot-account design.

Locking contract (Saleor style): every account whose row must change is locked in primary-key
order with ``FOR NO KEY UPDATE`` (``payments.lock_objects``); balances are checked under that
lock and moved with ``F()`` expressions, never read-modify-written in Python. Hot accounts
(``is_hot``) take credits (and, when they may go negative, debits) as appended postings plus a
``HotAccountDelta`` row, without touching their row; a debit from a hot account that may not go
negative locks it, folds its deltas into ``posted_minor`` and checks the full balance.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import Money, currency_exponent
from payments.errors import (
    AccountClosed,
    AccountFrozen,
    AlreadyReversed,
    CurrencyMismatch,
    HoldAmountInvalid,
    HoldNotActive,
    InsufficientFunds,
    InvalidAmount,
    TransferNotReversible,
    UnbalancedTransfer,
)
from payments.lock_objects import holds_qs_select_for_update, ledger_accounts_lock
from payments.models import Hold, HotAccountDelta, LedgerAccount, Posting, Transfer

if TYPE_CHECKING:
    from accounts.models import Customer

__all__ = [
    "HOT_KINDS",
    "NEGATIVE_ALLOWED_KINDS",
    "Balance",
    "Leg",
    "account_balance",
    "account_open",
    "customer_ensure_can_transact",
    "hold_authorize",
    "hold_capture",
    "hold_expire",
    "hold_void",
    "hot_account_fold",
    "system_account",
    "transfer_content_hash",
    "transfer_post",
    "transfer_reverse",
    "wallet_code",
    "wallet_get_or_create",
    "wallets_get_or_create",
]

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
class Leg:
    """One side of a transfer. ``amount`` is signed: negative = debit (money leaves), positive = credit."""

    account: LedgerAccount
    amount: Money


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


def wallet_get_or_create(*, customer: Customer, currency: str) -> LedgerAccount:
    """The customer's wallet in ``currency`` (``PTS`` gives the points wallet), created lazily."""
    kind = Kind.POINTS_WALLET if currency == "PTS" else Kind.CUSTOMER_WALLET
    return account_open(kind=kind, currency=currency, code=wallet_code(customer, currency), customer=customer)


def wallets_get_or_create(*, customers: Sequence[Customer], currency: str) -> list[LedgerAccount]:
    """The wallets of several customers in ``currency``, in the given order: one query for those
    that exist (the common case), ``wallet_get_or_create`` only for those that do not."""
    codes = [wallet_code(customer, currency) for customer in customers]
    found = {account.code: account for account in LedgerAccount.objects.filter(code__in=codes)}
    return [
        found[code] if code in found else wallet_get_or_create(customer=customer, currency=currency)
        for code, customer in zip(codes, customers, strict=True)
    ]


def customer_ensure_can_transact(customer: Customer) -> None:
    """A frozen or closed customer can neither send nor receive (403 ``account_frozen`` / ``account_closed``).

    Reads the current status from the database (not the possibly stale instance).
    """
    from accounts.models import Customer as CustomerModel

    status = CustomerModel.objects.filter(pk=customer.pk).values_list("status", flat=True).first()
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


_FOLD_SQL = """
WITH folded AS (DELETE FROM payments_hotaccountdelta WHERE account_id = %s RETURNING amount_minor)
UPDATE payments_ledgeraccount SET posted_minor = posted_minor + COALESCE((SELECT SUM(amount_minor) FROM folded), 0)
 WHERE id = %s RETURNING posted_minor
"""


def hot_account_fold(account: LedgerAccount) -> int:
    """Fold the account's committed deltas into ``posted_minor``; return the new value.

    The caller holds the account's row lock. ``DELETE`` only sees committed deltas, so a credit
    committing later stays queued for the next fold: nothing is lost or counted twice.
    """
    _require_atomic()
    with connection.cursor() as cursor:
        cursor.execute(_FOLD_SQL, [account.pk, account.pk])
        row = cursor.fetchone()
    account.posted_minor = int(row[0])
    return account.posted_minor


# --- transfers ------------------------------------------------------------------------------


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def transfer_content_hash(
    *,
    public_id: str,
    kind: str,
    reference: str,
    memo: str,
    metadata: dict[str, Any],
    reverses_public_id: str | None,
    reason_code: str,
    initiated_by_public_id: str | None,
    created_at: datetime,
    postings: Sequence[tuple[str, int, str]],
) -> str:
    """sha256 of the canonical JSON of a transfer and its postings ``(account code, amount, currency)``
    in insertion order. ``verify_ledger`` recomputes it from the stored rows."""
    canonical = {
        "v": 1,
        "id": public_id,
        "kind": kind,
        "reference": reference,
        "memo": memo,
        "metadata": metadata,
        "reverses": reverses_public_id,
        "reason_code": reason_code,
        "initiated_by": initiated_by_public_id,
        "created_at": _iso(created_at),
        "postings": [list(p) for p in postings],
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _counterparties(legs: Sequence[Leg]) -> list[int | None]:
    """For each leg, the account of the largest opposite-signed leg in the same currency."""
    result: list[int | None] = []
    for leg in legs:
        best: Leg | None = None
        for other in legs:
            if other.amount.currency != leg.amount.currency or (other.amount.minor > 0) == (leg.amount.minor > 0):
                continue
            if other.account.pk == leg.account.pk:
                continue
            if best is None or abs(other.amount.minor) > abs(best.amount.minor):
                best = other
        result.append(best.account.pk if best is not None else None)
    return result


def _needs_lock(account: LedgerAccount, net_minor: int) -> bool:
    """Ordinary accounts are always locked; hot ones only for a debit that must be checked."""
    return not account.is_hot or (net_minor < 0 and not account.allow_negative)


def _validate_legs(legs: Sequence[Leg]) -> tuple[dict[int, LedgerAccount], dict[int, int]]:
    if len(legs) < 2:
        raise UnbalancedTransfer(_("A transfer needs at least two legs."))
    totals: dict[str, int] = defaultdict(int)
    net: dict[int, int] = defaultdict(int)
    accounts: dict[int, LedgerAccount] = {}
    for leg in legs:
        if not isinstance(leg.amount, Money):
            raise InvalidAmount()
        if leg.amount.currency != leg.account.currency:
            raise CurrencyMismatch(details={"account_currency": leg.account.currency, "currency": leg.amount.currency})
        if leg.amount.minor == 0:
            raise InvalidAmount(_("A transfer leg cannot be zero."))
        totals[leg.amount.currency] += leg.amount.minor
        net[leg.account.pk] += leg.amount.minor
        accounts[leg.account.pk] = leg.account
    if any(totals.values()):
        raise UnbalancedTransfer()
    return accounts, net


def _lock_for_legs(legs: Sequence[Leg]) -> dict[int, LedgerAccount]:
    accounts, net = _validate_legs(legs)
    return ledger_accounts_lock(pk for pk, account in accounts.items() if _needs_lock(account, net[pk]))


def transfer_post(
    *,
    kind: str,
    legs: Sequence[Leg],
    reference: str = "",
    memo: str = "",
    metadata: dict[str, Any] | None = None,
    reverses: Transfer | None = None,
    reason_code: str = "",
    initiated_by: Customer | None = None,
) -> Transfer:
    """Write one balanced transfer. Call inside ``transaction.atomic()``.

    Locks (pk order) every ordinary account and every hot account debited that may not go
    negative, re-checks available balance under the lock (``InsufficientFunds``, 422), moves
    ``posted_minor`` with ``F()``, writes ``balance_after_minor`` from the locked value. Credits to
    hot accounts are appended (posting + ``HotAccountDelta``) without touching the account row.
    CLOSED accounts refuse everything; FROZEN ones everything but REVERSAL/ADJUSTMENT.
    Customer-level checks (frozen customer, limits, risk) are the calling service's job.
    """
    _require_atomic()
    accounts, net = _validate_legs(legs)
    lock_ids = [pk for pk, account in accounts.items() if _needs_lock(account, net[pk])]
    locked = ledger_accounts_lock(lock_ids)
    for pk, account in accounts.items():
        _ensure_account_usable(locked.get(pk, account), kind)

    for pk in lock_ids:
        row = locked[pk]
        if row.is_hot:
            hot_account_fold(row)
        if net[pk] < 0 and not row.allow_negative and row.posted_minor - row.pending_debit_minor + net[pk] < 0:
            raise InsufficientFunds(
                details={
                    "currency": row.currency,
                    "available": Money(row.posted_minor - row.pending_debit_minor, row.currency).amount_str(),
                }
                if row.customer_id is not None
                else {"currency": row.currency}
            )

    now = timezone.now()
    metadata = dict(metadata or {})
    transfer = Transfer(
        kind=kind,
        reference=reference,
        memo=memo,
        metadata=metadata,
        reverses=reverses,
        reason_code=reason_code,
        initiated_by=initiated_by,
        created_at=now,
    )
    running = {pk: locked[pk].posted_minor for pk in lock_ids}
    counterparties = _counterparties(legs)
    postings: list[Posting] = []
    for leg, counterparty_id in zip(legs, counterparties, strict=True):
        pk = leg.account.pk
        balance_after: int | None = None
        if pk in running:
            running[pk] += leg.amount.minor
            balance_after = running[pk]
        postings.append(
            Posting(
                account_id=pk,
                counterparty_account_id=counterparty_id,
                amount_minor=leg.amount.minor,
                currency=leg.amount.currency,
                balance_after_minor=balance_after,
                created_at=now,
            )
        )
    transfer.content_hash = transfer_content_hash(
        public_id=str(transfer.public_id),
        kind=kind,
        reference=reference,
        memo=memo,
        metadata=metadata,
        reverses_public_id=str(reverses.public_id) if reverses is not None else None,
        reason_code=reason_code,
        initiated_by_public_id=str(initiated_by.public_id) if initiated_by is not None else None,
        created_at=now,
        postings=[(leg.account.code, leg.amount.minor, leg.amount.currency) for leg in legs],
    )
    transfer.save(force_insert=True)
    for posting in postings:
        posting.transfer = transfer
    Posting.objects.bulk_create(postings)

    moved = {pk: net[pk] for pk in lock_ids if net[pk]}
    if moved:  # one UPDATE for every locked account, each moved by F() + its net amount
        LedgerAccount.objects.filter(pk__in=moved).update(
            posted_minor=F("posted_minor")
            + Case(*(When(pk=pk, then=Value(amount)) for pk, amount in moved.items()), output_field=BigIntegerField())
        )
        for pk, amount in moved.items():
            locked[pk].posted_minor += amount
    deltas = [
        HotAccountDelta(account_id=p.account_id, posting_id=p.pk, amount_minor=p.amount_minor)
        for p in postings
        if p.account_id not in running
    ]
    if deltas:
        HotAccountDelta.objects.bulk_create(deltas)
    transfer.written_postings = postings  # type: ignore[attr-defined]  # callers render without a query
    return transfer


def transfer_reverse(*, transfer: Transfer, reason_code: str, memo: str = "") -> Transfer:
    """Post the exact opposite of ``transfer`` (kind REVERSAL, linked by ``reverses``).

    At most one reversal per transfer (unique constraint): a second one raises ``AlreadyReversed``
    (409); a reversal cannot be reversed (``TransferNotReversible``). The reversal needs funds:
    if the credited customer already spent the money, ``InsufficientFunds``.
    """
    _require_atomic()
    if not reason_code:
        raise ValueError("A reversal needs a reason code")
    if transfer.kind == Transfer.Kind.REVERSAL:
        raise TransferNotReversible()
    if Transfer.objects.filter(reverses=transfer, kind=Transfer.Kind.REVERSAL).exists():
        raise AlreadyReversed()
    postings = list(transfer.postings.select_related("account").order_by("id"))
    legs = [Leg(p.account, Money(-p.amount_minor, p.currency)) for p in postings]
    try:
        with transaction.atomic():
            return transfer_post(
                kind=Transfer.Kind.REVERSAL,
                legs=legs,
                reference=transfer.reference,
                memo=memo,
                metadata={"reverses": str(transfer.public_id)},
                reverses=transfer,
                reason_code=reason_code,
            )
    except IntegrityError as exc:  # a concurrent reversal won the unique constraint
        raise AlreadyReversed() from exc


# --- holds ------------------------------------------------------------------------------------


def hold_authorize(
    *,
    account: LedgerAccount,
    amount: Money,
    kind: str,
    expires_at: datetime,
    reference: str = "",
    metadata: dict[str, Any] | None = None,
) -> Hold:
    """Reserve ``amount`` on ``account``: it counts against available balance at once.

    Locks the account, checks available under the lock (``InsufficientFunds``), raises
    ``pending_debit_minor`` with ``F()``. Call inside ``transaction.atomic()``.
    """
    _require_atomic()
    if amount.currency != account.currency:
        raise CurrencyMismatch()
    if amount.minor <= 0:
        raise HoldAmountInvalid()
    row = ledger_accounts_lock([account.pk])[account.pk]
    _ensure_account_usable(row, "HOLD")
    if row.is_hot:
        hot_account_fold(row)
    if not row.allow_negative and row.posted_minor - row.pending_debit_minor < amount.minor:
        raise InsufficientFunds(details={"currency": row.currency})
    LedgerAccount.objects.filter(pk=row.pk).update(pending_debit_minor=F("pending_debit_minor") + amount.minor)
    account.pending_debit_minor = row.pending_debit_minor + amount.minor
    return Hold.objects.create(
        account=row,
        amount_minor=amount.minor,
        currency=amount.currency,
        kind=kind,
        reference=reference,
        metadata=metadata or {},
        expires_at=expires_at,
    )


def _hold_claim(hold: Hold) -> Hold:
    """Lock the hold row and check it is still AUTHORIZED and not past its expiry."""
    row = holds_qs_select_for_update().filter(pk=hold.pk).first()
    if row is None or row.status != Hold.Status.AUTHORIZED or row.expires_at <= timezone.now():
        raise HoldNotActive(details={"status": row.status if row is not None else None})
    return row


def _hold_release(row: Hold) -> None:
    LedgerAccount.objects.filter(pk=row.account_id).update(
        pending_debit_minor=F("pending_debit_minor") - row.amount_minor
    )


def hold_capture(
    *,
    hold: Hold,
    to_account: LedgerAccount,
    amount: Money | None = None,
    kind: str = "HOLD_CAPTURE",
    metadata: dict[str, Any] | None = None,
) -> Transfer:
    """Capture all or part of a hold into ``to_account``; the whole hold is released.

    A second capture or a capture after void/expiry raises ``HoldNotActive`` (409) and moves
    nothing. Lock order: the hold row, then the accounts in pk order.
    """
    _require_atomic()
    with transaction.atomic():
        row = _hold_claim(hold)
        capture = amount if amount is not None else Money(row.amount_minor, row.currency)
        if capture.currency != row.currency:
            raise CurrencyMismatch()
        if capture.minor <= 0 or capture.minor > row.amount_minor:
            raise HoldAmountInvalid()
        legs = [Leg(row.account, -capture), Leg(to_account, capture)]
        _lock_for_legs(legs)
        _hold_release(row)
        transfer = transfer_post(
            kind=kind,
            legs=legs,
            reference=row.reference,
            metadata={**(metadata or {}), "hold": str(row.public_id)},
        )
        now = timezone.now()
        Hold.objects.filter(pk=row.pk).update(
            status=Hold.Status.CAPTURED, captured_minor=capture.minor, capture_transfer=transfer, closed_at=now
        )
        hold.status, hold.captured_minor, hold.capture_transfer, hold.closed_at = (
            Hold.Status.CAPTURED,
            capture.minor,
            transfer,
            now,
        )
        return transfer


def hold_void(*, hold: Hold, reason: str = "") -> None:
    """Release a hold without moving money. A second void (or after capture) raises ``HoldNotActive`` (409)."""
    _require_atomic()
    with transaction.atomic():
        row = _hold_claim(hold)
        ledger_accounts_lock([row.account_id])
        _hold_release(row)
        now = timezone.now()
        Hold.objects.filter(pk=row.pk).update(status=Hold.Status.VOIDED, reason=reason[:200], closed_at=now)
        hold.status, hold.closed_at = Hold.Status.VOIDED, now


def hold_expire(*, hold_id: int) -> bool:
    """Expire one hold past ``expires_at`` (the sweeper's unit of work). True if this call expired it.

    Claimed with ``SKIP LOCKED`` and a status re-check under the lock: two sweepers never release twice.
    """
    _require_atomic()
    row = holds_qs_select_for_update().select_for_update(no_key=True, skip_locked=True).filter(pk=hold_id).first()
    if row is None or row.status != Hold.Status.AUTHORIZED or row.expires_at > timezone.now():
        return False
    ledger_accounts_lock([row.account_id])
    _hold_release(row)
    Hold.objects.filter(pk=row.pk).update(status=Hold.Status.EXPIRED, closed_at=timezone.now())
    return True
