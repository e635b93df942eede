"""Refunds of merchant and bill payments, full or partial, initiated by staff (or a merchant channel).

Concurrency: the original payment's record row (``MerchantPayment`` / ``BillPayment``) is locked
FIRST (``SELECT ... FOR UPDATE``), the remaining refundable amount is re-checked under that lock,
then the ledger locks the payee's account (hot account debit: locked, folded and checked) and the
wallet. Two refunds of one payment therefore serialize, and the total refunded never exceeds the
amount paid; a database constraint (``refunded_minor <= amount_minor``) backs it up.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F

from core.audit import audit_record
from core.money import Money
from payments.errors import CurrencyMismatch
from payments.errors_movements import ReasonRequired, RefundExceedsPayment, RefundNotAllowed
from payments.events import TOPIC_REFUND_COMPLETED, transfer_event_publish
from payments.ledger import Leg, transfer_post
from payments.models import BillPayment, MerchantPayment, Refund, Transfer
from payments.services.merchant_payments import merchant_ledger_account

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

__all__ = ["refund_create", "refund_customer_share"]


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


def refund_create(
    *,
    payment_transfer: Transfer,
    amount: Money,
    reason: str,
    initiated_by_staff: User | None,
    request: HttpRequest | None = None,
) -> Refund:
    """Refund ``amount`` of a merchant or bill payment (own durable transaction).

    Raises ``RefundNotAllowed`` (400, not a refundable payment), ``ReasonRequired`` (400),
    ``CurrencyMismatch`` (400), ``RefundExceedsPayment`` (409, more than what is left), and the
    ledger's ``InsufficientFunds`` (422) when the merchant's account cannot cover it. Writes the
    ``refund.completed`` event and an audit record (``payments.refund.create``).
    """
    if not reason or not reason.strip():
        raise ReasonRequired()
    if not amount.is_positive():
        raise ValueError("amount must be positive")
    with transaction.atomic(durable=True):
        record: MerchantPayment | BillPayment | None
        record = MerchantPayment.objects.select_for_update().filter(transfer=payment_transfer).first()
        if record is None:
            record = BillPayment.objects.select_for_update().filter(transfer=payment_transfer).first()
        if record is None:
            raise RefundNotAllowed()
        if amount.currency != record.currency:
            raise CurrencyMismatch()
        remaining = record.amount_minor - record.refunded_minor
        if amount.minor > remaining:
            raise RefundExceedsPayment(details={"refundable": Money(remaining, record.currency).amount_str()})

        budget_minor = 0
        extra: dict[str, Any] = {}
        if isinstance(record, MerchantPayment):
            payee_account = merchant_ledger_account(record.merchant, record.currency)
            customer_minor = refund_customer_share(
                paid_minor=record.customer_paid_minor,
                amount_minor=record.amount_minor,
                refunded_before=record.refunded_minor,
                refunded_after=record.refunded_minor + amount.minor,
            )
            budget_minor = amount.minor - customer_minor
            extra = {"merchant": str(record.merchant.public_id)}
        else:
            payee_account = record.biller.ledger_account
            customer_minor = amount.minor
            extra = {"biller": record.biller.code}

        legs = [Leg(payee_account, -amount), Leg(record.wallet, Money(customer_minor, record.currency))]
        if budget_minor:
            assert isinstance(record, MerchantPayment) and record.discount_account is not None
            legs.append(Leg(record.discount_account, Money(budget_minor, record.currency)))
        legs = [leg for leg in legs if leg.amount.minor != 0]
        transfer = transfer_post(
            kind=Transfer.Kind.REFUND,
            legs=legs,
            reference=payment_transfer.reference,
            memo=reason.strip()[:200],
            metadata={"refund_of": str(payment_transfer.public_id), **extra},
        )
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
            action="payments.refund.create",
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
