"""Refunds of merchant and bill payments, full or partial.

Staff refunds are under dual control: a REFUND adjustment request (``payments.services.
adjustments``) whose approval calls ``refund_post``. ``refund_create`` (single step) is kept for
the merchant's own decision and for tools.

Concurrency: the original payment's record row (``MerchantPayment`` / ``BillPayment``) is locked
FIRST (``SELECT ... FOR UPDATE``), then the ledger's unwind operation takes the original
transfer's unwind lock, re-reads what reversals and refunds already returned and refuses more,
then locks the payee's account (hot account debit: locked, folded and checked) and the wallet.
Refunds and reversals of one payment therefore serialize, and the total returned never exceeds
the amount paid; a database constraint (``refunded_minor <= amount_minor``) backs the refunds up.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F

from core.audit import audit_record
from core.money import Money
from payments.errors import CurrencyMismatch, UnwindExceedsRemaining
from payments.errors_movements import ReasonRequired, RefundExceedsPayment, RefundNotAllowed
from payments.events import TOPIC_REFUND_COMPLETED, transfer_event_publish
from payments.ledger import Leg, customer_ensure_can_transact, transfer_unwind, transfer_unwound
from payments.limits import limits_check_incoming_balance
from payments.lock_objects import bill_payments_qs_select_for_update, merchant_payments_qs_select_for_update
from payments.models import BillPayment, Hold, LedgerAccount, MerchantPayment, Refund, Transfer
from payments.services.merchant_payments import merchant_ledger_account

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

__all__ = [
    "refund_check",
    "refund_create",
    "refund_customer_share",
    "refund_funders_split",
    "refund_payee_account",
    "refund_post",
    "refund_record_get",
]


def refund_customer_share(*, paid_minor: int, amount_minor: int, refunded_before: int, refunded_after: int) -> int:
    """How much of a refund goes back to the customer when a campaign paid part of the payment.

    The customer's cumulative share is ``floor(refunded_after * paid / amount)`` (ROUND_DOWN in
    this one helper); computing it cumulatively makes a full refund, in any number of parts,
    return exactly what the customer paid, and the rest exactly to the campaign budget.
    """

    def cumulative(refunded: int) -> int:
        share = Decimal(refunded) * Decimal(paid_minor) / Decimal(amount_minor)
        return int(share.to_integral_value(rounding=ROUND_DOWN))

    return cumulative(refunded_after) - cumulative(refunded_before)


def refund_funders_split(
    *, paid_minor: int, amount_minor: int, funders: Sequence[int], refunded_before: int, refunded_after: int
) -> tuple[int, list[int]]:
    """A refund of a payment whose discount had several funders (stacked campaigns' budgets, a
    co-funding merchant): the customer's part and each funder's, in ``funders`` order.

    Cumulative nested splits, each rounding DOWN: the customer's share of everything refunded so far
    is ``floor(T * paid / amount)`` (as ``refund_customer_share``); the rest is split between the
    first funder and the others by ``floor(rest * share / remaining)``, then again among the others.
    Each part only grows with T (so no refund takes anything back from anyone) and at a full refund
    every party has exactly what it put in."""

    def cumulative(refunded: int) -> tuple[int, list[int]]:
        customer = int(
            (Decimal(refunded) * Decimal(paid_minor) / Decimal(amount_minor)).to_integral_value(rounding=ROUND_DOWN)
        )
        rest, weight, parts = refunded - customer, amount_minor - paid_minor, []
        for i, share in enumerate(funders):
            if i == len(funders) - 1 or weight <= 0:
                parts.append(rest)
                rest = 0
                continue
            part = int((Decimal(rest) * Decimal(share) / Decimal(weight)).to_integral_value(rounding=ROUND_DOWN))
            parts.append(part)
            rest, weight = rest - part, weight - share
        return customer, parts

    before_customer, before = cumulative(refunded_before)
    after_customer, after = cumulative(refunded_after)
    return after_customer - before_customer, [a - b for a, b in zip(after, before, strict=True)]


def refund_record_get(payment_transfer: Transfer, *, lock: bool = False) -> MerchantPayment | BillPayment:
    """The merchant or bill payment of ``payment_transfer`` (``RefundNotAllowed`` if neither).
    ``lock``: ``SELECT ... FOR UPDATE`` on it (first in the refund lock order)."""
    record: MerchantPayment | BillPayment | None
    merchant_qs = merchant_payments_qs_select_for_update() if lock else MerchantPayment.objects.all()
    bill_qs = bill_payments_qs_select_for_update() if lock else BillPayment.objects.all()
    merchant_qs = merchant_qs.select_related("merchant", "customer", "wallet")
    bill_qs = bill_qs.select_related("biller", "customer", "wallet")
    record = merchant_qs.filter(transfer=payment_transfer).first()
    if record is None:
        record = bill_qs.filter(transfer=payment_transfer).first()
    if record is None:
        raise RefundNotAllowed()
    return record


def refund_payee_account(record: MerchantPayment | BillPayment) -> LedgerAccount:
    """The account a refund of ``record`` is taken from (the merchant's or the biller's)."""
    if isinstance(record, MerchantPayment):
        return merchant_ledger_account(record.merchant, record.currency)
    return record.biller.ledger_account


def refund_check(*, record: MerchantPayment | BillPayment, amount: Money) -> None:
    """What can be refunded, checked without a lock (a request's early answer; the unwind
    re-checks under its lock): ``CurrencyMismatch``, ``RefundExceedsPayment``."""
    if amount.currency != record.currency:
        raise CurrencyMismatch()
    remaining = transfer_unwound(record.transfer).remaining
    if amount.minor > remaining.minor:
        raise RefundExceedsPayment(details={"refundable": remaining.amount_str()})


def refund_create(
    *,
    payment_transfer: Transfer,
    amount: Money,
    reason: str,
    initiated_by_staff: User | None,
    request: HttpRequest | None = None,
) -> Refund:
    """Refund ``amount`` of a merchant or bill payment in its own durable transaction.

    Single step: for the merchant's own decision (a channel acting for the merchant) and for the
    dual-control approval (``adjustment_approve`` of a REFUND request calls ``refund_post``).
    Staff never call this directly: they file a REFUND adjustment request. See ``refund_post``.
    """
    with transaction.atomic(durable=True):
        return refund_post(
            payment_transfer=payment_transfer,
            amount=amount,
            reason=reason,
            initiated_by_staff=initiated_by_staff,
            request=request,
        )


def refund_post(
    *,
    payment_transfer: Transfer,
    amount: Money,
    reason: str,
    initiated_by_staff: User | None,
    request: HttpRequest | None = None,
    release_holds: Sequence[Hold] = (),
    audit_action: str = "payments.refund.create",
) -> Refund:
    """Refund ``amount`` of a merchant or bill payment. Call inside ``transaction.atomic()``.

    Goes through the ledger's one unwind operation (``transfer_unwind``), so a payment already
    reversed, or refunded up to its amount, refuses (``RefundExceedsPayment`` 409, or
    ``AlreadyReversed`` 409). Also raises ``RefundNotAllowed`` (400, not a refundable payment),
    ``ReasonRequired`` (400), ``CurrencyMismatch`` (400), ``AccountFrozen`` / ``AccountClosed``
    (403) when the customer who would get money back is frozen or closed (checked with
    ``customer_ensure_can_transact``: FOR SHARE on the customer row, after the payment record's
    lock), the ledger's ``InsufficientFunds`` (422)
    when the payee's account cannot cover it, and ``BalanceCapExceeded`` (403) when the money
    returned would lift the customer's wallet above their KYC balance cap. Writes the
    ``refund.completed`` event and an audit record.
    """
    if not reason or not reason.strip():
        raise ReasonRequired()
    if not amount.is_positive():
        raise ValueError("amount must be positive")
    record = refund_record_get(payment_transfer, lock=True)
    if amount.currency != record.currency:
        raise CurrencyMismatch()
    remaining = record.amount_minor - record.refunded_minor
    if amount.minor > remaining:
        raise RefundExceedsPayment(details={"refundable": Money(remaining, record.currency).amount_str()})

    budget_minor = 0
    extra: dict[str, Any] = {}
    payee_account = refund_payee_account(record)
    if isinstance(record, MerchantPayment):
        customer_minor = refund_customer_share(
            paid_minor=record.customer_paid_minor,
            amount_minor=record.amount_minor,
            refunded_before=record.refunded_minor,
            refunded_after=record.refunded_minor + amount.minor,
        )
        budget_minor = amount.minor - customer_minor
        extra = {"merchant": str(record.merchant.public_id)}
    else:
        customer_minor = amount.minor
        extra = {"biller": record.biller.code}

    funding = (payment_transfer.metadata or {}).get("funding") if isinstance(record, MerchantPayment) else None
    returned: list[dict[str, Any]] = []
    if funding and isinstance(
        record, MerchantPayment
    ):  # several funders (stacked campaigns, a co-funding merchant): each gets its share back
        customer_minor, parts = refund_funders_split(
            paid_minor=record.customer_paid_minor,
            amount_minor=record.amount_minor,
            funders=[int(f["amount"]) for f in funding],
            refunded_before=record.refunded_minor,
            refunded_after=record.refunded_minor + amount.minor,
        )
        budget_minor = amount.minor - customer_minor
        if customer_minor:
            customer_ensure_can_transact(record.customer)
        by_code = {a.code: a for a in LedgerAccount.objects.filter(code__in=[f["account"] for f in funding])}
        legs = [Leg(payee_account, -amount), Leg(record.wallet, Money(customer_minor, record.currency))]
        for funder, part in zip(funding, parts, strict=True):
            account = payee_account if funder.get("merchant") else by_code[funder["account"]]
            legs.append(Leg(account, Money(part, record.currency)))
            returned.append({"account": funder["account"], "amount": part, "merchant": bool(funder.get("merchant"))})
        extra["funding_returned"] = returned
    else:
        if customer_minor:  # a frozen or closed customer receives nothing (FOR SHARE until commit)
            customer_ensure_can_transact(record.customer)
        legs = [Leg(payee_account, -amount), Leg(record.wallet, Money(customer_minor, record.currency))]
        if budget_minor:
            assert isinstance(record, MerchantPayment) and record.discount_account is not None
            legs.append(Leg(record.discount_account, Money(budget_minor, record.currency)))
    legs = [leg for leg in legs if leg.amount.minor != 0]
    try:
        transfer = transfer_unwind(
            original=payment_transfer,
            kind=Transfer.Kind.REFUND,
            reason_code="REFUND",
            legs=legs,
            memo=reason.strip()[:200],
            metadata={"refund_of": str(payment_transfer.public_id), **extra},
            release_holds=release_holds,
        )
    except UnwindExceedsRemaining as exc:
        raise RefundExceedsPayment(details=exc.details) from exc
    if customer_minor:
        limits_check_incoming_balance(account=record.wallet)
    type(record).objects.filter(pk=record.pk).update(refunded_minor=F("refunded_minor") + amount.minor)
    if isinstance(record, MerchantPayment):
        MerchantPayment.objects.filter(pk=record.pk).update(
            customer_refunded_minor=F("customer_refunded_minor") + customer_minor
        )
    refund = Refund.objects.create(
        customer=record.customer,
        original_transfer=payment_transfer,
        merchant_payment=record if isinstance(record, MerchantPayment) else None,
        bill_payment=record if isinstance(record, BillPayment) else None,
        transfer=transfer,
        amount_minor=amount.minor,
        customer_amount_minor=customer_minor,
        budget_amount_minor=budget_minor,
        currency=amount.currency,
        reason=reason.strip()[:200],
        initiated_by=initiated_by_staff,
    )
    audit_record(
        action=audit_action,
        actor=initiated_by_staff,
        obj=refund,
        reason=reason,
        changes={"amount": amount.as_dict(), "original_transfer": str(payment_transfer.public_id)},
        request=request,
    )
    transfer_event_publish(
        topic=TOPIC_REFUND_COMPLETED,
        transfer=transfer,
        refund_id=str(refund.public_id),
        original_transfer=str(payment_transfer.public_id),
        customer=str(record.customer.public_id),
        amount=amount.as_dict(),
        to_customer=Money(customer_minor, amount.currency).as_dict(),
        full=amount.minor == remaining,
    )
    return refund
