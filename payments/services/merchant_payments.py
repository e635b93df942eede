"""Merchant payments by QR code (static: the customer types the amount; dynamic: an order).

``merchant_payment_create`` runs inside the request's durable transaction (``idempotent_execute``);
the payment PIN is verified before it, outside any transaction.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from core.money import Money
from payments.errors import CurrencyMismatch
from payments.errors_movements import (
    AmountMismatch,
    AmountRequired,
    MerchantUnavailable,
    OrderAlreadyPaid,
    OrderCancelled,
    UnsupportedCurrency,
)
from payments.events import TOPIC_PAYMENT_COMPLETED, transfer_event_publish
from payments.hooks import promotions_quote, risk_precheck_enforce
from payments.interfaces import PaymentContext, PromotionQuote
from payments.ledger import (
    Leg,
    account_balance,
    account_open,
    customer_ensure_can_transact,
    transfer_post,
    wallet_get_or_create,
)
from payments.limits import limits_check_outgoing
from payments.models import LedgerAccount, Merchant, MerchantOrder, MerchantPayment, Transfer
from payments.qr import QrExpired, QrInvalid, QrPayload, qr_sign, qr_verify

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from accounts.models import Branch, Customer

__all__ = [
    "merchant_create",
    "merchant_ledger_account",
    "merchant_order_create",
    "merchant_order_qr",
    "merchant_payment_create",
    "merchant_static_qr",
]


def merchant_create(
    *, name: str, mcc: str, signing_branch: Branch, signed_by: User | None = None, currencies: list[str] | None = None
) -> Merchant:
    merchant = Merchant.objects.create(
        name=name, mcc=mcc, signing_branch=signing_branch, signed_by=signed_by, currencies=currencies or ["CNY"]
    )
    for currency in merchant.currencies:
        merchant_ledger_account(merchant, currency)
    return merchant


def merchant_ledger_account(merchant: Merchant, currency: str) -> LedgerAccount:
    """The merchant's HOT account in ``currency`` (created on first use)."""
    return account_open(
        kind=LedgerAccount.Kind.MERCHANT,
        currency=currency,
        code=merchant.ledger_account_code(currency),
        name=merchant.name[:200],
        is_hot=True,
    )


def merchant_static_qr(merchant: Merchant, currency: str = "CNY") -> str:
    """The payload of the merchant's printed QR code (no amount, no expiry)."""
    return qr_sign(QrPayload(merchant_public_id=merchant.public_id, currency=currency))


def merchant_order_create(
    *, merchant: Merchant, amount: Money, expires_at: datetime, merchant_reference: str = "", description: str = ""
) -> MerchantOrder:
    if not amount.is_positive():
        raise ValueError("amount must be positive")
    if not merchant.accepts(amount.currency):
        raise UnsupportedCurrency()
    return MerchantOrder.objects.create(
        merchant=merchant,
        amount_minor=amount.minor,
        currency=amount.currency,
        expires_at=expires_at,
        merchant_reference=merchant_reference,
        description=description,
    )


def merchant_order_qr(order: MerchantOrder) -> str:
    return qr_sign(
        QrPayload(
            merchant_public_id=order.merchant.public_id,
            currency=order.currency,
            order_public_id=order.public_id,
            amount=Money(order.amount_minor, order.currency),
            expires_at=int(order.expires_at.timestamp()),
        )
    )


def _claim_order(payload: QrPayload, merchant: Merchant) -> MerchantOrder:
    """Mark the order PAID (conditional UPDATE, so two payers cannot both pay it); explain a refusal."""
    assert payload.order_public_id is not None
    now = timezone.now()
    claimed = MerchantOrder.objects.filter(
        public_id=payload.order_public_id, merchant=merchant, status=MerchantOrder.Status.OPEN, expires_at__gt=now
    ).update(status=MerchantOrder.Status.PAID, paid_at=now)
    order = MerchantOrder.objects.filter(public_id=payload.order_public_id, merchant=merchant).first()
    if order is None:
        raise QrInvalid()
    if not claimed:
        if order.status == MerchantOrder.Status.PAID:
            raise OrderAlreadyPaid()
        if order.status == MerchantOrder.Status.CANCELLED:
            raise OrderCancelled()
        raise QrExpired()
    if Money(order.amount_minor, order.currency) != payload.amount:
        raise QrInvalid()  # the signed amount must be the order's: never trust one without the other
    return order


def _usable_discount(quote: PromotionQuote, amount: Money) -> tuple[Money, LedgerAccount] | None:
    """The quote's instant discount if it is funded: a budget account, same currency, less than
    the amount, and (checked now; the ledger re-checks under the lock) enough budget left."""
    if quote.discount is None or not quote.budget_account_code:
        return None
    discount = quote.discount
    if discount.currency != amount.currency or not discount.is_positive() or discount >= amount:
        return None
    budget = LedgerAccount.objects.filter(
        code=quote.budget_account_code,
        kind=LedgerAccount.Kind.CAMPAIGN_BUDGET,
        currency=amount.currency,
        status=LedgerAccount.Status.ACTIVE,
    ).first()
    if budget is None or account_balance(budget).available < discount:
        return None
    return discount, budget


def merchant_payment_create(
    *, customer: Customer, qr: object, amount: Money | None, currency: str | None = None
) -> MerchantPayment:
    """Pay the merchant of a scanned QR code. Call inside a transaction (the request's).

    Static QR: ``amount`` required (``AmountRequired``). Dynamic QR: ``amount`` may be None, else
    it must equal the order's (``AmountMismatch``); the order is claimed at most once
    (``OrderAlreadyPaid`` 409). Forged/altered → ``QrInvalid``, past expiry → ``QrExpired`` (400).
    In the transaction: risk pre-check, promotions quote (instant discount funded by a campaign
    budget), KYC limits on what the customer pays, the transfer (wallet debited under its lock,
    merchant's hot account credited without a lock), the ``MerchantPayment`` row and the
    ``payment.completed`` event.
    """
    payload = qr_verify(qr)
    if currency is not None and currency != payload.currency:
        raise CurrencyMismatch()
    if amount is not None and amount.currency != payload.currency:
        raise CurrencyMismatch()
    with transaction.atomic():
        merchant = Merchant.objects.filter(public_id=payload.merchant_public_id).first()
        if merchant is None:
            raise QrInvalid()
        if merchant.status != Merchant.Status.ACTIVE or not merchant.accepts(payload.currency):
            raise MerchantUnavailable()
        order = None
        if payload.is_dynamic:
            assert payload.amount is not None
            if amount is not None and amount != payload.amount:
                raise AmountMismatch(details={"order_amount": payload.amount.as_dict()})
            amount = payload.amount
            order = _claim_order(payload, merchant)
        elif amount is None:
            raise AmountRequired()
        customer_ensure_can_transact(customer)
        wallet = wallet_get_or_create(customer=customer, currency=amount.currency)
        merchant_account = merchant_ledger_account(merchant, amount.currency)
        ctx = PaymentContext(
            customer=customer,
            kind=Transfer.Kind.MERCHANT_PAYMENT,
            amount=amount,
            counterparty_account=merchant_account,
            merchant_id=str(merchant.public_id),
            metadata={"mcc": merchant.mcc, "order": str(order.public_id) if order else None},
        )
        risk_precheck_enforce(ctx)
        quote = promotions_quote(ctx)
        discount = _usable_discount(quote, amount)
        customer_pays = amount - discount[0] if discount else amount
        limits_check_outgoing(customer=customer, amount=customer_pays)
        legs = [Leg(wallet, -customer_pays), Leg(merchant_account, amount)]
        if discount:
            legs.append(Leg(discount[1], -discount[0]))
        transfer = transfer_post(
            kind=Transfer.Kind.MERCHANT_PAYMENT,
            legs=legs,
            reference=f"MP{secrets.token_hex(8).upper()}",
            memo=merchant.name[:200],
            metadata={
                "merchant": str(merchant.public_id),
                "mcc": merchant.mcc,
                "order": str(order.public_id) if order else None,
            },
            initiated_by=customer,
        )
        payment = MerchantPayment.objects.create(
            customer=customer,
            merchant=merchant,
            order=order,
            wallet=wallet,
            transfer=transfer,
            amount_minor=amount.minor,
            currency=amount.currency,
            discount_minor=discount[0].minor if discount else 0,
            discount_account=discount[1] if discount else None,
        )
        transfer_event_publish(
            topic=TOPIC_PAYMENT_COMPLETED,
            transfer=transfer,
            payment_type="MERCHANT",
            payment_id=str(payment.public_id),
            customer=str(customer.public_id),
            merchant=str(merchant.public_id),
            mcc=merchant.mcc,
            amount=amount.as_dict(),
            paid_by_customer=customer_pays.as_dict(),
            discount=discount[0].as_dict() if discount else None,
            benefits=quote.benefits,
        )
        return payment
