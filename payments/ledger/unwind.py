"""The unwind operation: every refund, reversal, chargeback and clawback of a transfer.

``transfer_unwind`` is the one way money of a posted transfer goes back. Under a lock on the
original transfer it computes how much of it has already been returned, from the ledger itself
(the postings of every transfer linked to it by ``reverses``, plus refunds written before that
link existed, found through ``payments_refund``), and refuses to return more
(``UnwindExceedsRemaining`` / ``AlreadyReversed``, 409). Nothing is stored beside the ledger,
so there is no counter that could drift from the postings.

How much a transfer "is" and what an unwind "returns" are measured the same way: the sum of the
positive postings in the original's first currency (a merchant payment of 60.00 partly paid by a
campaign: merchant +60.00; a refund of 20.00: wallet +15.00, budget +5.00, so 20.00 returned).

Lock order (docs/ledger.md): the caller's own record rows (e.g. ``MerchantPayment`` FOR UPDATE)
-> the original's unwind lock (``lock_objects.transfer_unwind_lock``) -> the holds to release
(pk order) -> ledger accounts (pk order, inside ``transfer_post``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction

from core.money import Money
from payments.errors import AlreadyReversed, TransferNotReversible, UnwindExceedsRemaining
from payments.ledger.accounts import _require_atomic
from payments.ledger.holds import holds_release
from payments.ledger.transfers import Leg, _transfer_post
from payments.lock_objects import transfer_unwind_lock
from payments.models import Hold, Transfer

if TYPE_CHECKING:
    from accounts.models import Customer

__all__ = ["UNWIND_KINDS", "Unwound", "transfer_reverse", "transfer_unwind", "transfer_unwound"]

# Transfers that give money back: they cannot themselves be unwound.
UNWIND_KINDS = frozenset({Transfer.Kind.REVERSAL, Transfer.Kind.REFUND})

_UNWOUND_SQL = """
WITH cur AS (SELECT currency FROM payments_posting WHERE transfer_id = %(id)s ORDER BY id LIMIT 1)
SELECT (SELECT currency FROM cur),
       (SELECT COALESCE(SUM(amount_minor), 0) FROM payments_posting
         WHERE transfer_id = %(id)s AND amount_minor > 0 AND currency = (SELECT currency FROM cur)),
       (SELECT COALESCE(SUM(p.amount_minor), 0) FROM payments_posting p
         WHERE p.amount_minor > 0 AND p.currency = (SELECT currency FROM cur)
           AND p.transfer_id IN (SELECT id FROM payments_transfer WHERE reverses_id = %(id)s
                                 UNION SELECT transfer_id FROM payments_refund
                                        WHERE original_transfer_id = %(id)s)),
       EXISTS (SELECT 1 FROM payments_transfer WHERE reverses_id = %(id)s AND kind = 'REVERSAL')
"""


class Unwound:
    """How much of a transfer there is and how much of it has gone back (one currency)."""

    __slots__ = ("returned", "reversed", "total")

    def __init__(self, total: Money, returned: Money, reversed_: bool) -> None:
        self.total, self.returned, self.reversed = total, returned, reversed_

    @property
    def remaining(self) -> Money:
        return self.total - self.returned


def transfer_unwound(transfer: Transfer) -> Unwound:
    """Read how much of ``transfer`` has been returned (one statement). Exact only under
    ``transfer_unwind_lock``; without it, a preview for forms and admin columns."""
    with connection.cursor() as cursor:
        cursor.execute(_UNWOUND_SQL, {"id": transfer.pk})
        currency, total, returned, reversed_ = cursor.fetchone()
    return Unwound(Money(int(total), currency), Money(int(returned), currency), bool(reversed_))


def transfer_unwind(
    *,
    original: Transfer,
    kind: str,
    reason_code: str,
    legs: Sequence[Leg] | None = None,
    memo: str = "",
    metadata: dict[str, Any] | None = None,
    initiated_by: Customer | None = None,
    release_holds: Sequence[Hold] = (),
) -> Transfer:
    """Give back all of ``original`` (``legs=None``: its exact mirror) or part of it (``legs``).

    Call inside ``transaction.atomic()``. Takes the original's unwind lock, re-reads what was
    returned under it and refuses to return more than is left: ``AlreadyReversed`` (409) when a
    reversal already returned it, else ``UnwindExceedsRemaining`` (409, ``details.returnable``).
    An unwind cannot be unwound (``TransferNotReversible``). ``release_holds`` (holds the request
    placed to reserve the money) are released under the same lock, before the accounts are
    locked. The posted transfer links the original through ``reverses``; balances are checked by
    ``transfer_post`` (``InsufficientFunds`` if the money was spent meanwhile).
    """
    _require_atomic()
    if not reason_code:
        raise ValueError("An unwind needs a reason code")
    if original.kind in UNWIND_KINDS or original.reverses_id is not None:
        raise TransferNotReversible()
    transfer_unwind_lock(original.pk)
    state = transfer_unwound(original)
    if legs is None:
        postings = list(original.postings.select_related("account").order_by("id"))
        legs = [Leg(p.account, Money(-p.amount_minor, p.currency)) for p in postings]
    currency = state.total.currency
    returning = sum(leg.amount.minor for leg in legs if leg.amount.minor > 0 and leg.amount.currency == currency)
    if returning <= 0 or returning > state.remaining.minor:
        if state.reversed:
            raise AlreadyReversed()
        raise UnwindExceedsRemaining(
            details={"returnable": state.remaining.amount_str(), "currency": currency},
        )
    holds_release(holds=release_holds, reason=f"{kind.lower()} posted")
    try:
        with transaction.atomic():
            return _transfer_post(
                kind=kind,
                legs=legs,
                reference=original.reference,
                memo=memo,
                metadata={**(metadata or {}), "reverses": str(original.public_id)},
                reverses=original,
                reason_code=reason_code,
                initiated_by=initiated_by,
            )
    except IntegrityError as exc:  # the one-reversal constraint: a backstop behind the lock
        raise AlreadyReversed() from exc


def transfer_reverse(
    *, transfer: Transfer, reason_code: str, memo: str = "", release_holds: Sequence[Hold] = ()
) -> Transfer:
    """Post the exact opposite of ``transfer`` (kind REVERSAL, linked by ``reverses``) through
    ``transfer_unwind``: refused once any of it was refunded or reversed. Needs funds: if the
    credited customer already spent the money, ``InsufficientFunds``."""
    return transfer_unwind(
        original=transfer,
        kind=Transfer.Kind.REVERSAL,
        reason_code=reason_code,
        memo=memo,
        release_holds=release_holds,
    )
