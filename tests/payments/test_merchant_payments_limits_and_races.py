"""Merchant payments: KYC limits, closed customers, idempotent replay, and two payers racing for one order."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, transaction

from accounts.models import Customer, KycTier
from core.money import Money
from payments.errors import AccountClosed
from payments.models import MerchantOrder, MerchantPayment, Transfer
from payments.services.bills import bill_payment_create
from payments.services.merchant_payments import merchant_order_qr, merchant_payment_create, merchant_static_qr
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.conftest import kyc_tiers_ensure
from tests.payments.factories import customer_client, ledger_snapshot, wallet_fund
from tests.payments.factories_movements import (
    ELECTRICITY_ACCOUNT,
    balance,
    biller_make,
    merchant_make,
    order_make,
    post_money,
    wallet_of,
)

URL = "/api/v1/payments"


@pytest.mark.django_db
def test_payment_above_the_per_transaction_limit_is_refused(alice: Customer) -> None:
    Customer.objects.filter(pk=alice.pk).update(kyc_tier=KycTier.objects.get(level=1))  # 2,000.00 per payment
    wallet_fund(alice, "5000.00")
    qr = merchant_static_qr(merchant_make())
    before = ledger_snapshot()

    response = post_money(
        customer_client(alice), URL, {"qr": qr, "amount": "2000.01", "currency": "CNY", "pin": PAYMENT_PIN}
    )

    assert response.status_code == 403 and response.json()["code"] == "limit_exceeded"
    assert ledger_snapshot()["postings"] == before["postings"]


@pytest.mark.django_db
def test_unverified_customer_must_do_kyc_first(alice: Customer) -> None:
    Customer.objects.filter(pk=alice.pk).update(kyc_tier=KycTier.objects.get(level=0))
    wallet_fund(alice, "50.00")

    response = post_money(
        customer_client(alice),
        URL,
        {"qr": merchant_static_qr(merchant_make()), "amount": "1.00", "currency": "CNY", "pin": PAYMENT_PIN},
    )

    assert response.status_code == 403 and response.json()["code"] == "kyc_required"
    assert balance(wallet_of(alice)) == 50_00


@pytest.mark.django_db
def test_closed_customer_cannot_pay(alice: Customer) -> None:
    wallet_fund(alice, "50.00")
    biller = biller_make()
    Customer.objects.filter(pk=alice.pk).update(status=Customer.Status.CLOSED)

    with pytest.raises(AccountClosed), transaction.atomic():
        bill_payment_create(
            customer=alice, biller_code=biller.code, account_number=ELECTRICITY_ACCOUNT, amount=Money(1_00, "CNY")
        )

    assert balance(wallet_of(alice)) == 50_00


@pytest.mark.django_db
def test_replay_returns_the_first_answer_and_another_body_is_422(alice: Customer) -> None:
    wallet_fund(alice, "50.00")
    qr = merchant_static_qr(merchant_make())
    client = customer_client(alice)
    key = str(uuid.uuid4())
    body = {"qr": qr, "amount": "5.00", "currency": "CNY", "pin": PAYMENT_PIN}

    first = post_money(client, URL, body, key)
    replay = post_money(client, URL, body, key)
    other = post_money(client, URL, {**body, "amount": "6.00"}, key)

    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert MerchantPayment.objects.count() == 1
    assert balance(wallet_of(alice)) == 45_00


@pytest.mark.django_db(transaction=True)
def test_two_payers_racing_for_one_dynamic_order_only_one_pays() -> None:
    kyc_tiers_ensure()
    payers = [CustomerFactory() for _ in range(4)]
    for payer in payers:
        wallet_fund(payer, "100.00")
    order = order_make(merchant_make(), "60.00")
    qr = merchant_order_qr(order)
    barrier = threading.Barrier(len(payers))
    results: list[str] = []
    lock = threading.Lock()

    def pay(customer: Customer) -> None:
        try:
            barrier.wait()
            with transaction.atomic():
                merchant_payment_create(customer=customer, qr=qr, amount=None)
            outcome = "paid"
        except Exception as exc:  # noqa: BLE001 - the test records which refusal each thread got
            outcome = getattr(exc, "code", type(exc).__name__)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=pay, args=(p,)) for p in payers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == ["order_already_paid"] * 3 + ["paid"]
    assert MerchantOrder.objects.get(pk=order.pk).status == "PAID"
    assert Transfer.objects.filter(kind="MERCHANT_PAYMENT").count() == 1
    assert sorted(balance(wallet_of(p)) for p in payers) == [40_00, 100_00, 100_00, 100_00]
