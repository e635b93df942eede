"""Refunds (services.refunds): full and partial, linked to the original, never more than paid, even racing."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from accounts.models import Customer
from accounts.services import staff as staff_services
from core.models import AuditEvent, OutboxEvent
from core.money import Money
from payments.errors import AccountFrozen, InsufficientFunds
from payments.errors_movements import RefundExceedsPayment, RefundNotAllowed
from payments.ledger import Leg, system_account, transfer_post
from payments.models import LedgerAccount, MerchantPayment, Refund, Transfer
from payments.services.bills import bill_payment_create
from payments.services.merchant_payments import merchant_ledger_account, merchant_payment_create, merchant_static_qr
from payments.services.refunds import refund_create, refund_customer_share
from tests.factories import CustomerFactory, StaffFactory
from tests.payments.conftest import kyc_tiers_ensure
from tests.payments.factories import customer_client, wallet_fund
from tests.payments.factories_movements import (
    ELECTRICITY_ACCOUNT,
    balance,
    biller_make,
    merchant_make,
    staff_roles_ensure,
    wallet_of,
)


def _pay(customer: Customer, merchant, amount: str) -> MerchantPayment:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return merchant_payment_create(
            customer=customer, qr=merchant_static_qr(merchant), amount=Money.parse(amount, "CNY"), currency="CNY"
        )


@pytest.mark.django_db
def test_partial_then_full_refund_returns_exactly_what_was_paid(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    merchant = merchant_make()
    payment = _pay(alice, merchant, "60.00")
    staff_roles_ensure()
    staff = StaffFactory(roles=["CUSTOMER_SERVICE"])

    first = refund_create(
        payment_transfer=payment.transfer, amount=Money(20_00, "CNY"), reason="damaged", initiated_by_staff=staff
    )
    second = refund_create(
        payment_transfer=payment.transfer, amount=Money(40_00, "CNY"), reason="returned", initiated_by_staff=staff
    )

    assert first.original_transfer == payment.transfer and second.merchant_payment == payment
    assert balance(wallet_of(alice)) == 100_00
    assert balance(merchant_ledger_account(merchant, "CNY")) == 0
    assert MerchantPayment.objects.get(pk=payment.pk).refunded_minor == 60_00
    assert OutboxEvent.objects.filter(topic="refund.completed").count() == 2
    assert AuditEvent.objects.filter(action="payments.refund.create").count() == 2
    assert Transfer.objects.get(pk=second.transfer_id).kind == "REFUND"


@pytest.mark.django_db
def test_over_refund_is_refused_and_changes_nothing(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    payment = _pay(alice, merchant_make(), "60.00")
    refund_create(payment_transfer=payment.transfer, amount=Money(50_00, "CNY"), reason="x", initiated_by_staff=None)
    transfers = Transfer.objects.count()

    with pytest.raises(RefundExceedsPayment) as excinfo:
        refund_create(
            payment_transfer=payment.transfer, amount=Money(10_01, "CNY"), reason="x", initiated_by_staff=None
        )

    assert excinfo.value.status_code == 409 and excinfo.value.details == {"refundable": "10.00"}
    assert Transfer.objects.count() == transfers
    assert balance(wallet_of(alice)) == 90_00


@pytest.mark.django_db
def test_bill_payment_refund_and_p2p_is_not_refundable(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "500.00")
    biller = biller_make()
    with transaction.atomic():
        bill = bill_payment_create(
            customer=alice, biller_code=biller.code, account_number=ELECTRICITY_ACCOUNT, amount=Money(100_00, "CNY")
        )
    other = wallet_fund(bob, "1.00")
    topup = Transfer.objects.filter(postings__account=other).first()

    refund_create(
        payment_transfer=bill.transfer, amount=Money(100_00, "CNY"), reason="double billed", initiated_by_staff=None
    )

    assert balance(wallet_of(alice)) == 500_00
    assert balance(biller.ledger_account) == 0
    with pytest.raises(RefundNotAllowed):
        refund_create(payment_transfer=topup, amount=Money(1, "CNY"), reason="x", initiated_by_staff=None)


@pytest.mark.django_db
def test_refund_when_merchant_account_is_empty_is_insufficient_funds(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    merchant = merchant_make()
    payment = _pay(alice, merchant, "60.00")
    with transaction.atomic():  # the merchant's money was settled out to its bank
        transfer_post(
            kind="WITHDRAWAL",
            legs=[
                Leg(merchant_ledger_account(merchant, "CNY"), Money(-60_00, "CNY")),
                Leg(system_account(LedgerAccount.Kind.SETTLEMENT, "CNY"), Money(60_00, "CNY")),
            ],
        )

    with pytest.raises(InsufficientFunds):
        refund_create(payment_transfer=payment.transfer, amount=Money(1_00, "CNY"), reason="x", initiated_by_staff=None)

    assert MerchantPayment.objects.get(pk=payment.pk).refunded_minor == 0


def test_customer_share_of_a_discounted_payment_adds_up_exactly() -> None:
    # paid 25.00 of 30.00 (5.00 discount); refunded in three parts: 10.00, 10.00, 10.00
    parts = [
        refund_customer_share(paid_minor=25_00, amount_minor=30_00, refunded_before=b, refunded_after=b + 10_00)
        for b in (0, 10_00, 20_00)
    ]

    assert parts == [8_33, 8_33, 8_34]
    assert sum(parts) == 25_00


@pytest.mark.django_db
def test_refunds_list_shows_own_refunds(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    payment = _pay(alice, merchant_make(name="全家便利店"), "10.00")
    refund_create(payment_transfer=payment.transfer, amount=Money(4_00, "CNY"), reason="缺货", initiated_by_staff=None)

    body = customer_client(alice).get("/api/v1/refunds").json()["results"]

    assert [(r["payee"], r["amount"]["amount"], r["reason"]) for r in body] == [("全家便利店", "4.00", "缺货")]
    assert customer_client(CustomerFactory()).get("/api/v1/refunds").json()["results"] == []


@pytest.mark.django_db(transaction=True)
def test_racing_refunds_never_exceed_the_amount_paid() -> None:
    kyc_tiers_ensure()
    alice = CustomerFactory()
    wallet_fund(alice, "100.00")
    merchant = merchant_make()
    payment = _pay(alice, merchant, "50.00")
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        try:
            barrier.wait()
            refund_create(
                payment_transfer=payment.transfer, amount=Money(15_00, "CNY"), reason="race", initiated_by_staff=None
            )
            result = "ok"
        except RefundExceedsPayment:
            result = "refused"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 5
    assert MerchantPayment.objects.get(pk=payment.pk).refunded_minor == 45_00
    assert Refund.objects.count() == 3
    assert balance(wallet_of(alice)) == 50_00 + 45_00
    assert balance(merchant_ledger_account(merchant, "CNY")) == 5_00


@pytest.mark.django_db
def test_refund_to_a_frozen_customer_is_refused(alice: Customer) -> None:
    """Review (medium): a merchant refund credited a frozen customer's wallet; now AccountFrozen."""
    staff_roles_ensure()
    wallet_fund(alice, "100.00")
    payment = _pay(alice, merchant_make(), "60.00")
    officer = StaffFactory(roles=["RISK_OFFICER"])
    staff_services.customer_status_change(staff=officer, customer=alice, action="freeze", reason="fraud")
    before = balance(wallet_of(alice))

    with pytest.raises(AccountFrozen):
        refund_create(
            payment_transfer=payment.transfer, amount=Money(60_00, "CNY"), reason="r", initiated_by_staff=None
        )

    assert balance(wallet_of(alice)) == before
    assert not Refund.objects.filter(original_transfer=payment.transfer).exists()
