"""Transfers: validation of legs, locking, balance checks and the write of postings.

Part of the ledger kernel (``payments.ledger``): call inside ``transaction.atomic()``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from core.errors import DomainError
from core.money import Money
from payments.errors import (
    AccountClosed,
    AccountFrozen,
    CurrencyMismatch,
    InsufficientFunds,
    InvalidAmount,
    UnbalancedTransfer,
)
from payments.ledger.accounts import _require_atomic
from payments.lock_objects import ledger_accounts_lock
from payments.models import LedgerAccount, Posting, Transfer

if TYPE_CHECKING:
    from accounts.models import Customer


@dataclass(frozen=True)
class Leg:
    """One side of a transfer. ``amount`` is signed: negative = debit (money leaves), positive = credit."""

    account: LedgerAccount
    amount: Money


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


def account_key(account: LedgerAccount) -> int | str:
    """An account's identity within one transfer: its id, or its code while it is unresolved (an
    unsaved account the money step resolves by code and opens if missing, ``wallet_unresolved``)."""
    return account.pk if account.pk is not None else account.code


def _counterparty_legs(legs: Sequence[Leg]) -> list[int | None]:
    """For each leg, the index of the largest opposite-signed leg in the same currency."""
    result: list[int | None] = []
    for leg in legs:
        best: int | None = None
        for i, other in enumerate(legs):
            if other.amount.currency != leg.amount.currency or (other.amount.minor > 0) == (leg.amount.minor > 0):
                continue
            if account_key(other.account) == account_key(leg.account):
                continue
            if best is None or abs(other.amount.minor) > abs(legs[best].amount.minor):
                best = i
        result.append(best)
    return result


def _needs_lock(account: LedgerAccount, net_minor: int) -> bool:
    """Ordinary accounts are always locked; hot ones only for a debit that must be checked."""
    return not account.is_hot or (net_minor < 0 and not account.allow_negative)


def _validate_legs(legs: Sequence[Leg]) -> tuple[dict[int | str, LedgerAccount], dict[int | str, int]]:
    if len(legs) < 2:
        raise UnbalancedTransfer(_("A transfer needs at least two legs."))
    totals: dict[str, int] = defaultdict(int)
    net: dict[int | str, int] = defaultdict(int)
    accounts: dict[int | str, LedgerAccount] = {}
    for leg in legs:
        if not isinstance(leg.amount, Money):
            raise InvalidAmount()
        if leg.amount.currency != leg.account.currency:
            raise CurrencyMismatch(details={"account_currency": leg.account.currency, "currency": leg.amount.currency})
        if leg.amount.minor == 0:
            raise InvalidAmount(_("A transfer leg cannot be zero."))
        totals[leg.amount.currency] += leg.amount.minor
        key = account_key(leg.account)
        net[key] += leg.amount.minor
        accounts[key] = leg.account
    if any(totals.values()):
        raise UnbalancedTransfer()
    return accounts, net


def _lock_for_legs(legs: Sequence[Leg]) -> dict[int, LedgerAccount]:
    accounts, net = _validate_legs(legs)
    return ledger_accounts_lock(
        account.pk for key, account in accounts.items() if account.pk is not None and _needs_lock(account, net[key])
    )


# Kinds that give money of another transfer back: only the unwind operation
# (``payments.ledger.unwind.transfer_unwind``) writes them, with ``reverses`` set, under the
# original's unwind lock and after checking what is left to return.
_UNWIND_ONLY_KINDS = frozenset({Transfer.Kind.REFUND, Transfer.Kind.REVERSAL})


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

    Refuses (``ValueError``, a programming error) kind REFUND/REVERSAL and a non-null
    ``reverses``: money of a posted transfer goes back only through ``transfer_unwind``, which
    bounds it by what was paid (and only those kinds pass FROZEN accounts). See ``_transfer_post``.
    """
    if kind in _UNWIND_ONLY_KINDS or reverses is not None:
        raise ValueError("refunds and reversals are posted through transfer_unwind, not transfer_post")
    return _transfer_post(
        kind=kind,
        legs=legs,
        reference=reference,
        memo=memo,
        metadata=metadata,
        reason_code=reason_code,
        initiated_by=initiated_by,
    )


def _transfer_post(
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
    """The write of ``transfer_post`` without its kind guard; only the ledger kernel calls it
    (``transfer_unwind`` for REFUND/REVERSAL). Call inside ``transaction.atomic()``.

    Locks (pk order) every ordinary account and every hot account debited that may not go
    negative, re-checks available balance under the lock (``InsufficientFunds``, 422), moves
    ``posted_minor`` with ``F()``, writes ``balance_after_minor`` from the locked value. Credits to
    hot accounts are appended (posting + ``HotAccountDelta``) without touching the account row.
    CLOSED accounts refuse everything; FROZEN ones everything but REVERSAL/ADJUSTMENT.
    Customer-level checks (frozen customer, limits, risk) are the calling service's job.
    """
    _require_atomic()
    prepared = transfer_prepare(
        kind=kind,
        legs=legs,
        reference=reference,
        memo=memo,
        metadata=metadata,
        reverses=reverses,
        reason_code=reason_code,
        initiated_by=initiated_by,
    )
    transfer = prepared.transfer
    if any(leg.account.pk is None for leg in prepared.legs):
        raise ValueError("transfer_post needs opened accounts (only the money step resolves them by code)")
    with connection.cursor() as cursor:
        cursor.execute(
            _LEDGER_POST_SQL,
            [
                kind,
                transfer.public_id,
                reference,
                memo,
                Jsonb(transfer.metadata),  # type: ignore[list-item]  # psycopg adapts Jsonb
                reverses.pk if reverses is not None else None,
                reason_code,
                initiated_by.pk if initiated_by is not None else None,
                transfer.created_at,
                transfer.content_hash,
                *prepared.leg_arrays(),
            ],
        )
        result = json.loads(cursor.fetchone()[0])  # Django's psycopg loaders hand jsonb over as text
    if "error" in result:
        raise ledger_refusal(result)
    return prepared.written(result)


@dataclass(frozen=True)
class PreparedTransfer:
    """A transfer validated and hashed in Python, ready for ``payments_ledger_post`` (directly, or
    inside ``payments_pay``): the unsaved ``Transfer`` (public id, ``created_at``, content hash) and
    each leg's counterparty (the index of another leg). A leg's account may be unresolved (no id
    yet, ``account_key``): only ``payments_pay`` takes those, resolving them by code."""

    transfer: Transfer
    legs: Sequence[Leg]
    counterparty_legs: list[int | None]

    @property
    def counterparties(self) -> list[int | None]:
        """Each leg's counterparty account id (None: none, or not resolved yet)."""
        return [None if i is None else self.legs[i].account.pk for i in self.counterparty_legs]

    def leg_arrays(self) -> tuple[list[int | None], list[int], list[str], list[int | None]]:
        """Accounts, amounts, currencies and counterparties: the function's four arrays."""
        return (
            [leg.account.pk for leg in self.legs],
            [leg.amount.minor for leg in self.legs],
            [leg.amount.currency for leg in self.legs],
            self.counterparties,
        )

    def unresolved(self) -> list[LedgerAccount]:
        """The legs' accounts without an id, once each: the money step resolves or opens them."""
        seen = {leg.account.code: leg.account for leg in self.legs if leg.account.pk is None}
        return list(seen.values())

    def written(self, result: dict[str, Any]) -> Transfer:
        """The transfer as the function wrote it (its ids and balances after), with
        ``written_postings`` so callers render without a query. Accounts the money step resolved
        (``result["resolved"]``: code -> [id, public id]) get their id and public id."""
        for code, (pk, public_id) in (result.get("resolved") or {}).items():
            for leg in self.legs:
                if leg.account.pk is None and leg.account.code == code:
                    leg.account.pk, leg.account.public_id = int(pk), uuid.UUID(public_id)
                    leg.account._state.adding = False
                    leg.account._state.db = connection.alias
        transfer = self.transfer
        transfer.pk = int(result["transfer_id"])
        transfer._state.adding = False
        transfer._state.db = connection.alias
        postings = []
        for leg, counterparty_id, posting_id, balance_after in zip(
            self.legs, self.counterparties, result["posting_ids"], result["balances_after"], strict=True
        ):
            posting = Posting(
                pk=int(posting_id),
                transfer=transfer,
                account_id=leg.account.pk,
                counterparty_account_id=counterparty_id,
                amount_minor=leg.amount.minor,
                currency=leg.amount.currency,
                balance_after_minor=balance_after,
                created_at=transfer.created_at,
            )
            posting._state.adding = False
            posting._state.db = connection.alias
            postings.append(posting)
        transfer.written_postings = postings  # type: ignore[attr-defined]
        return transfer


def transfer_prepare(
    *,
    kind: str,
    legs: Sequence[Leg],
    reference: str = "",
    memo: str = "",
    metadata: dict[str, Any] | None = None,
    reverses: Transfer | None = None,
    reason_code: str = "",
    initiated_by: Customer | None = None,
) -> PreparedTransfer:
    """Validate the legs (balanced, non-zero, currencies) and build the unsaved transfer with its
    content hash. Writes nothing; ``payments_ledger_post`` re-checks under its locks."""
    _validate_legs(legs)
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
    return PreparedTransfer(transfer=transfer, legs=legs, counterparty_legs=_counterparty_legs(legs))


# One round trip: the database function of payments 0009 locks, checks, writes and moves balances.
_LEDGER_POST_SQL = "SELECT payments_ledger_post(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"


def ledger_refusal(result: dict[str, Any]) -> DomainError:
    """The domain error for a refusal ``payments_ledger_post`` returned (nothing was written)."""
    error = result["error"]
    if error == "insufficient_funds":
        currency = str(result["currency"])
        details: dict[str, str] = {"currency": currency}
        if result.get("customer_account"):
            details["available"] = Money(int(result["available_minor"]), currency).amount_str()
        return InsufficientFunds(details=details)
    if error == "account_frozen":
        return AccountFrozen()
    if error == "account_closed":
        return AccountClosed()
    raise RuntimeError(f"payments_ledger_post: unknown refusal {error!r}")
