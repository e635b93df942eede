"""Campaign budgets: ledger accounts that fund rewards (ARCHITECTURE §4).

A campaign budget IS a ledger account (``CAMPAIGN_BUDGET``, hot, never negative): it is funded by
one transfer in, every reward is a transfer out of it, and what is left goes back at the end. The
kernel locks the budget for every debit and checks its balance under that lock, so no number of
concurrent rewards can take it below zero. ``promotions`` calls these functions (payments never
imports promotions); they write nothing but through the ledger kernel (``transfer_post``,
``transfer_unwind``, holds).

Where budgets come from: a money budget from the bank's marketing funds held with the core
banking system (``system:marketing:<CUR>``, a settlement account that may go negative, apart from
customers' settlement so reconciliations stay separate); a points budget from points issuance
(``system:points_issuance:PTS``). Returns go back to the same account.

Every function must be called inside ``transaction.atomic()``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.money import Money
from payments.errors import InsufficientFunds
from payments.ledger import (
    Balance,
    Leg,
    account_balance,
    account_open,
    customer_ensure_can_transact,
    hold_authorize,
    hold_capture,
    holds_release,
    hot_account_fold,
    system_account,
    transfer_post,
    transfer_unwind,
    wallet_find,
    wallet_get_or_create,
)
from payments.limits import limits_check_incoming_balance
from payments.lock_objects import ledger_accounts_lock
from payments.models import Hold, LedgerAccount, Transfer

if TYPE_CHECKING:
    from accounts.models import Customer

__all__ = [
    "campaign_budget_balance",
    "campaign_budget_code",
    "campaign_budget_fund",
    "campaign_budget_open",
    "campaign_budget_return",
    "campaign_budget_source",
    "campaign_reward_clawback",
    "campaign_reward_hold",
    "campaign_reward_hold_void",
    "campaign_reward_pay",
    "campaign_reward_release",
    "points_expire",
    "points_redeem_cash",
    "points_spend",
]

Kind = LedgerAccount.Kind


def campaign_budget_code(campaign_public_id: str, currency: str) -> str:
    return f"budget:{campaign_public_id}:{currency}"


def campaign_budget_open(*, code: str, currency: str, name: str) -> LedgerAccount:
    """The campaign's budget account (get or create by code): hot, never negative."""
    return account_open(kind=Kind.CAMPAIGN_BUDGET, currency=currency, code=code, name=name[:200], is_hot=True)


def campaign_budget_source(currency: str) -> LedgerAccount:
    """Where a budget in ``currency`` is funded from and returns to."""
    if currency == "PTS":
        return system_account(Kind.POINTS_ISSUANCE, "PTS")
    return account_open(
        kind=Kind.SETTLEMENT,
        currency=currency,
        code=f"system:marketing:{currency}",
        name=f"Marketing funds (core banking) {currency}",
        allow_negative=True,
        is_hot=True,
    )


def _budget(code: str) -> LedgerAccount:
    return LedgerAccount.objects.get(code=code, kind=Kind.CAMPAIGN_BUDGET)


def campaign_budget_balance(code: str) -> Balance | None:
    """Posted, held and available of the budget (None before it was opened). A read."""
    budget = LedgerAccount.objects.filter(code=code, kind=Kind.CAMPAIGN_BUDGET).first()
    return account_balance(budget) if budget is not None else None


def campaign_budget_fund(*, code: str, amount: Money, reference: str, memo: str = "") -> Transfer:
    """Fund the budget with ``amount`` from its source (kind FUNDING). Idempotent by ``reference``:
    a FUNDING transfer with it is returned as is. Call under the caller's lock on the campaign, so
    two callers cannot both find none."""
    existing = Transfer.objects.filter(kind=Transfer.Kind.FUNDING, reference=reference).first()
    if existing is not None:
        return existing
    budget = _budget(code)
    source = campaign_budget_source(amount.currency)
    return transfer_post(
        kind=Transfer.Kind.FUNDING,
        legs=[Leg(source, -amount), Leg(budget, amount)],
        reference=reference,
        memo=memo[:200],
        metadata={"budget": code, "direction": "fund"},
    )


def campaign_budget_return(*, code: str, reference: str, memo: str = "") -> Transfer | None:
    """Move what the budget has available (posted minus held) back to its source; None when
    nothing is available. The budget is locked and folded first, so the amount read is exact and a
    second call finds zero: safe to run any number of times. Held rewards stay in the budget."""
    budget = _budget(code)
    row = ledger_accounts_lock([budget.pk])[budget.pk]
    posted = hot_account_fold(row)
    available = posted - row.pending_debit_minor
    if available <= 0:
        return None
    amount = Money(available, budget.currency)
    return transfer_post(
        kind=Transfer.Kind.FUNDING,
        legs=[Leg(budget, -amount), Leg(campaign_budget_source(budget.currency), amount)],
        reference=reference,
        memo=memo[:200],
        metadata={"budget": code, "direction": "return"},
    )


def _wallet_for_reward(customer: Customer, currency: str) -> LedgerAccount:
    customer_ensure_can_transact(customer)  # a frozen or closed customer receives nothing (FOR SHARE)
    return wallet_get_or_create(customer=customer, currency=currency)


def campaign_reward_pay(
    *,
    code: str,
    customer: Customer,
    amount: Money,
    reference: str,
    memo: str = "",
    metadata: dict[str, Any] | None = None,
) -> Transfer:
    """Pay a reward now: budget -> the customer's wallet (points wallet for ``PTS``), kind REWARD.

    Raises the ledger's ``InsufficientFunds`` (422) when the budget cannot cover it (checked under
    its lock), ``AccountFrozen`` / ``AccountClosed`` (403) for a frozen or closed customer and
    ``BalanceCapExceeded`` (403) when it would lift a money wallet above the KYC balance cap; the
    caller's savepoint rolls it all back."""
    wallet = _wallet_for_reward(customer, amount.currency)
    transfer = transfer_post(
        kind=Transfer.Kind.REWARD,
        legs=[Leg(_budget(code), -amount), Leg(wallet, amount)],
        reference=reference,
        memo=memo[:200],
        metadata=metadata or {},
    )
    limits_check_incoming_balance(account=wallet)
    return transfer


def campaign_reward_hold(*, code: str, amount: Money, reference: str, expires_at: datetime) -> Hold:
    """Reserve a deferred reward on the budget until it is released (``InsufficientFunds`` when the
    budget's available balance cannot cover it). Held money is not returned at the end."""
    return hold_authorize(
        account=_budget(code), amount=amount, kind="CAMPAIGN_REWARD", expires_at=expires_at, reference=reference
    )


def campaign_reward_release(
    *, hold_id: int, customer: Customer, amount: Money, metadata: dict[str, Any] | None = None
) -> Transfer:
    """Pay a held reward (all or part of the hold; the rest is released back to the budget).
    ``HoldNotActive`` (409) when the hold was already captured, voided or expired."""
    hold = Hold.objects.get(pk=hold_id)
    wallet = _wallet_for_reward(customer, amount.currency)
    transfer = hold_capture(hold=hold, to_account=wallet, amount=amount, kind=Transfer.Kind.REWARD, metadata=metadata)
    limits_check_incoming_balance(account=wallet)
    return transfer


def campaign_reward_hold_void(*, hold_id: int, reason: str) -> bool:
    """Release a held reward back to the budget; False when it is no longer held."""
    return holds_release(holds=[Hold(pk=hold_id)], reason=reason) == 1


def campaign_reward_clawback(
    *, reward_transfer_id: int, customer: Customer, amount: Money, memo: str = ""
) -> tuple[Transfer | None, Money]:
    """Take back up to ``amount`` of a paid reward (wallet -> the budget that paid it) through the
    ledger's one unwind operation, which never returns more than the reward. Takes what the wallet
    has available; returns the transfer (None if nothing could be taken) and the shortfall the
    customer had already spent. A spend racing it can still make the unwind refuse
    (``InsufficientFunds``): the caller's savepoint rolls back and it records the shortfall."""
    original = Transfer.objects.get(pk=reward_transfer_id)
    paid_from = original.postings.select_related("account").filter(amount_minor__lt=0).get().account
    wallet = wallet_find(customer=customer, currency=amount.currency)
    available = account_balance(wallet).available.minor if wallet is not None else 0
    take = min(amount.minor, max(available, 0))
    if take <= 0 or wallet is None:
        return None, amount
    taken = Money(take, amount.currency)
    transfer = transfer_unwind(
        original=original,
        kind=Transfer.Kind.REWARD,
        reason_code="REWARD_CLAWBACK",
        legs=[Leg(wallet, -taken), Leg(paid_from, taken)],
        memo=memo[:200],
    )
    return transfer, amount - taken


def points_expire(*, customer: Customer, points: Money, reference: str) -> Transfer | None:
    """Expire up to ``points`` from the customer's points wallet back to points issuance (what the
    wallet still has: points already spent cannot expire). None when nothing is left."""
    wallet = wallet_find(customer=customer, currency="PTS")
    if wallet is None:
        return None
    available = account_balance(wallet).available.minor
    take = min(points.minor, available)
    if take <= 0:
        return None
    amount = Money(take, "PTS")
    return transfer_post(
        kind=Transfer.Kind.POINTS,
        legs=[Leg(wallet, -amount), Leg(system_account(Kind.POINTS_ISSUANCE, "PTS"), amount)],
        reference=reference,
        memo="points expired",
        metadata={"points": "expired"},
    )


def points_redeem_cash(*, customer: Customer, points: Money, cash: Money, reference: str) -> tuple[Transfer, Transfer]:
    """Spend ``points`` from the customer's points wallet for ``cash`` in their money wallet, in the
    caller's transaction: points wallet -> points issuance (kind POINTS), and marketing funds
    (``campaign_budget_source``, the bank's marketing account) -> the customer's wallet (kind
    REWARD). Each transfer is balanced; both commit or neither does.

    The points wallet is locked and checked by the kernel (``InsufficientFunds``, 422: never below
    zero); ``AccountFrozen`` / ``AccountClosed`` (403) for a frozen or closed customer and
    ``BalanceCapExceeded`` (403) when the cash would lift the wallet above the KYC balance cap."""
    customer_ensure_can_transact(customer)
    points_wallet = wallet_find(customer=customer, currency="PTS")
    if points_wallet is None:
        raise InsufficientFunds()
    metadata = {"points": "redeemed", "points_spent": points.minor, "cash_minor": cash.minor}
    spent = transfer_post(
        kind=Transfer.Kind.POINTS,
        legs=[Leg(points_wallet, -points), Leg(system_account(Kind.POINTS_ISSUANCE, "PTS"), points)],
        reference=f"{reference}-PTS",
        memo="points redeemed for cash",
        metadata=metadata,
    )
    wallet = wallet_get_or_create(customer=customer, currency=cash.currency)
    paid = transfer_post(
        kind=Transfer.Kind.REWARD,
        legs=[Leg(campaign_budget_source(cash.currency), -cash), Leg(wallet, cash)],
        reference=f"{reference}-CASH",
        memo="cash for redeemed points",
        metadata=metadata,
    )
    limits_check_incoming_balance(account=wallet)
    return spent, paid


def points_spend(*, customer: Customer, points: Money, reference: str, metadata: dict[str, Any]) -> Transfer:
    """Spend ``points`` from the customer's points wallet on something the bank gives in kind (a
    coupon bought with points), in the caller's transaction: points wallet -> points issuance
    (kind POINTS, ``metadata["points"] = "redeemed"``), the same leg as ``points_redeem_cash``.

    The points wallet is locked and checked by the kernel (``InsufficientFunds``, 422: never below
    zero); ``AccountFrozen`` / ``AccountClosed`` (403) for a frozen or closed customer."""
    customer_ensure_can_transact(customer)
    points_wallet = wallet_find(customer=customer, currency="PTS")
    if points_wallet is None:
        raise InsufficientFunds()
    return transfer_post(
        kind=Transfer.Kind.POINTS,
        legs=[Leg(points_wallet, -points), Leg(system_account(Kind.POINTS_ISSUANCE, "PTS"), points)],
        reference=reference,
        memo="points redeemed for a coupon",
        metadata={**metadata, "points": "redeemed", "points_spent": points.minor},
    )
