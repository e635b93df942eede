"""Real payments, refunds and event deliveries for the reward tests (no shortcuts into ledger tables)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import Consent, Customer
from core.models import OutboxEvent
from core.money import Money
from core.outbox import event_publish, outbox_event_deliver
from payments.ledger import account_balance, wallet_find
from payments.models import LedgerAccount, Merchant, MerchantPayment, Transfer
from payments.services.campaign_budget import campaign_budget_balance
from payments.services.merchant_payments import merchant_create, merchant_payment_create, merchant_static_qr
from payments.services.refunds import refund_create
from tests.factories import BranchFactory, CustomerFactory
from tests.payments.factories import wallet_fund

PAYMENT_CONSUMER = "promotions.rewards_on_payment"
TOPUP_CONSUMER = "promotions.rewards_on_topup"
REFUND_CONSUMER = "promotions.clawback_on_refund"


def cny(text: str) -> Money:
    return Money.parse(text, "CNY")


def shopper(funds: str = "1000.00", *, consent: bool = True, **fields: Any) -> Customer:
    """A KYC-tier-2 customer with money and (by default) a live marketing consent."""
    customer = CustomerFactory(**fields)
    if consent:
        Consent.objects.create(customer=customer, purpose=Consent.Purpose.MARKETING, version="1")
    wallet_fund(customer, funds)
    return customer


def merchant(mcc: str = "5812") -> Merchant:
    with transaction.atomic():
        return merchant_create(name=f"商户{mcc}", mcc=mcc, signing_branch=BranchFactory())


def pay(customer: Customer, shop: Merchant, amount: str) -> tuple[MerchantPayment, OutboxEvent]:
    """A real QR payment (the money step) and the ``payment.completed`` event it wrote."""
    payment = merchant_payment_create(customer=customer, qr=merchant_static_qr(shop), amount=cny(amount))
    event = OutboxEvent.objects.get(topic="payment.completed", key=str(payment.transfer.public_id))
    return payment, event


def refund(payment: MerchantPayment, amount: str) -> OutboxEvent:
    """A real refund of the payment and the ``refund.completed`` event it wrote."""
    done = refund_create(payment_transfer=payment.transfer, amount=cny(amount), reason="test", initiated_by_staff=None)
    return OutboxEvent.objects.get(topic="refund.completed", key=str(done.transfer.public_id))


def topup_event(customer: Customer, amount: str) -> OutboxEvent:
    """A ``topup.completed`` event as ``payments.services.funding`` writes it (the top-up itself is
    the gateway's business; the rebate only reads the event)."""
    import uuid

    from django.utils import timezone

    with transaction.atomic():
        return event_publish(
            topic="topup.completed",
            key=(tid := str(uuid.uuid4())),
            payload={
                "transfer_id": tid,
                "kind": "TOPUP",
                "reference": "TU-test",
                "initiated_by": None,
                "created_at": timezone.now().isoformat(),
                "customer": str(customer.public_id),
                "amount": cny(amount).as_dict(),
                "topup_id": str(uuid.uuid4()),
            },
        )


def deliver(event: OutboxEvent, consumer: str = PAYMENT_CONSUMER) -> bool:
    """What the events worker does with one delivery (its own transaction, once per consumer)."""
    return outbox_event_deliver(event_id=event.pk, consumer=consumer)


def balance(customer: Customer, currency: str = "CNY") -> int:
    wallet = wallet_find(customer=customer, currency=currency)
    return account_balance(wallet).posted.minor if wallet is not None else 0


def budget(campaign: Any) -> tuple[int, int, int]:
    """(posted, held, available) of the campaign's budget account, minor units."""
    state = campaign_budget_balance(campaign.budget_account_code)
    assert state is not None
    return state.posted.minor, state.pending.minor, state.available.minor


def rewards_of(customer: Customer) -> list[Transfer]:
    return list(
        Transfer.objects.filter(
            kind="REWARD", postings__account__customer=customer, postings__amount_minor__gt=0
        ).order_by("id")
    )


def ledger_accounts_never_negative() -> bool:
    return not LedgerAccount.objects.filter(allow_negative=False, posted_minor__lt=0).exists()
