"""Bill payments to billers (electricity, water, gas, mobile top-up, ...) with a receipt.

``bill_payment_create`` runs inside the request's durable transaction (``idempotent_execute``);
the payment PIN is verified before it, outside any transaction.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from core.money import Money
from payments.billers import bill_account_validate
from payments.errors import CurrencyMismatch
from payments.errors_movements import BillAmountOutOfRange, BillerNotFound, BillerUnavailable
from payments.events import TOPIC_PAYMENT_COMPLETED, transfer_event_publish
from payments.hooks import promotions_quote
from payments.interfaces import PaymentContext
from payments.ledger import Leg, account_open, customer_ensure_can_transact, transfer_post, wallet_get_or_create
from payments.limits import limits_check_outgoing
from payments.models import Biller, BillPayment, LedgerAccount, Transfer
from payments.step_up import StepUpInput, risk_precheck_step_up

if TYPE_CHECKING:
    from accounts.models import Customer

__all__ = ["bill_payment_create", "biller_create"]


def biller_create(
    *,
    code: str,
    name: str,
    category: str,
    validator: str,
    currency: str = "CNY",
    min_amount_minor: int = 1,
    max_amount_minor: int = 5_000_000,
) -> Biller:
    """Create a biller with its HOT ledger account (``biller:<code>:<currency>``). Call in a transaction."""
    account = account_open(
        kind=LedgerAccount.Kind.BILLER,
        currency=currency,
        code=f"biller:{code}:{currency}",
        name=name[:200],
        is_hot=True,
    )
    return Biller.objects.create(
        code=code,
        name=name,
        category=category,
        validator=validator,
        currency=currency,
        ledger_account=account,
        min_amount_minor=min_amount_minor,
        max_amount_minor=max_amount_minor,
    )


def _receipt_no() -> str:
    return f"B{timezone.localdate():%Y%m%d}{secrets.randbelow(10**10):010d}"


def bill_payment_create(
    *, customer: Customer, biller_code: str, account_number: object, amount: Money, step_up: StepUpInput | None = None
) -> BillPayment:
    """Pay ``amount`` from the customer's wallet to the biller, after the biller's account-number
    check (``BillAccountInvalid`` 400). Call inside a transaction (the request's). ``step_up``: the
    request's (``payments.step_up``); a step-up the pre-check asks for raises ``StepUpRequired``.

    Raises ``BillerNotFound`` (404), ``BillerUnavailable`` (403), ``CurrencyMismatch`` /
    ``BillAmountOutOfRange`` (400), and the ledger's and limits' errors; nothing moves on any of them.
    """
    biller = Biller.objects.select_related("ledger_account").filter(code=biller_code).first()
    if biller is None:
        raise BillerNotFound()
    if biller.status != Biller.Status.ACTIVE:
        raise BillerUnavailable()
    if amount.currency != biller.currency:
        raise CurrencyMismatch(details={"biller_currency": biller.currency})
    if not biller.min_amount_minor <= amount.minor <= biller.max_amount_minor:
        raise BillAmountOutOfRange(
            details={
                "min": Money(biller.min_amount_minor, biller.currency).amount_str(),
                "max": Money(biller.max_amount_minor, biller.currency).amount_str(),
            }
        )
    normalized = bill_account_validate(validator=biller.validator, account_number=account_number)
    with transaction.atomic():
        customer_ensure_can_transact(customer)
        wallet = wallet_get_or_create(customer=customer, currency=amount.currency)
        ctx = PaymentContext(
            customer=customer,
            kind=Transfer.Kind.BILL_PAYMENT,
            amount=amount,
            counterparty_account=biller.ledger_account,
            metadata={"biller": biller.code, "category": biller.category},
        )
        risk_precheck_step_up(ctx, step_up)
        quote = promotions_quote(ctx)  # bills carry no instant discount; benefits ride on the event
        limits_check_outgoing(customer=customer, amount=amount)
        receipt_no = _receipt_no()
        transfer = transfer_post(
            kind=Transfer.Kind.BILL_PAYMENT,
            legs=[Leg(wallet, -amount), Leg(biller.ledger_account, amount)],
            reference=receipt_no,
            memo=biller.name[:200],
            metadata={"biller": biller.code, "category": biller.category},
            initiated_by=customer,
        )
        payment = BillPayment.objects.create(
            receipt_no=receipt_no,
            customer=customer,
            biller=biller,
            account_number=normalized,
            wallet=wallet,
            transfer=transfer,
            amount_minor=amount.minor,
            currency=amount.currency,
        )
        transfer_event_publish(
            topic=TOPIC_PAYMENT_COMPLETED,
            transfer=transfer,
            payment_type="BILL",
            payment_id=str(payment.public_id),
            customer=str(customer.public_id),
            biller=biller.code,
            category=biller.category,
            amount=amount.as_dict(),
            benefits=quote.benefits,
        )
        return payment
