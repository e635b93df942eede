"""POST /api/v1/payments (QR merchant payments): static and dynamic QR, discounts, and every refusal."""

from __future__ import annotations

import time
import uuid

import pytest
from django.test import override_settings

from accounts.models import Customer
from core.models import OutboxEvent
from core.money import Money
from payments.interfaces import PaymentContext, PromotionQuote
from payments.ledger import Leg, account_open, system_account, transfer_post
from payments.models import LedgerAccount, Merchant, MerchantOrder, MerchantPayment
from payments.qr import QrPayload, qr_sign
from payments.services.merchant_payments import merchant_ledger_account, merchant_order_qr, merchant_static_qr
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, ledger_snapshot, wallet_fund
from tests.payments.factories_movements import balance, merchant_make, order_make, post_money, wallet_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments"


def _pay(client, qr: str, **extra: object):  # type: ignore[no-untyped-def]
    return post_money(client, URL, {"qr": qr, "pin": PAYMENT_PIN, **extra})


def _unchanged(before: dict) -> bool:  # type: ignore[type-arg]
    after = ledger_snapshot()
    return (after["transfers"], after["postings"], after["outbox"]) == (
        before["transfers"],
        before["postings"],
        before["outbox"],
    )


def test_static_qr_payment_moves_the_typed_amount(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    merchant = merchant_make()

    response = _pay(customer_client(alice), merchant_static_qr(merchant), amount="35.50", currency="CNY")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["amount"] == {"amount": "35.50", "currency": "CNY"}
    assert body["paid"] == {"amount": "35.50", "currency": "CNY"}
    assert body["merchant"]["category"] == "DINING"
    assert balance(wallet_of(alice)) == 64_50
    assert balance(merchant_ledger_account(merchant, "CNY")) == 35_50
    event = OutboxEvent.objects.get(topic="payment.completed")
    assert event.payload["merchant"] == str(merchant.public_id) and event.payload["mcc"] == "5814"


def test_dynamic_qr_pays_the_order_amount_once(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    wallet_fund(bob, "100.00")
    order = order_make(merchant_make(), "88.80")
    qr = merchant_order_qr(order)

    first = _pay(customer_client(alice), qr)
    second = _pay(customer_client(bob), qr, amount="88.80", currency="CNY")

    assert first.status_code == 201 and first.json()["order_id"] == str(order.public_id)
    assert second.status_code == 409 and second.json()["code"] == "order_already_paid"
    assert balance(wallet_of(alice)) == 11_20
    assert balance(wallet_of(bob)) == 100_00
    assert MerchantOrder.objects.get(pk=order.pk).status == "PAID"


def test_static_qr_without_amount_is_400(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    before = ledger_snapshot()

    response = _pay(customer_client(alice), merchant_static_qr(merchant_make()))

    assert response.status_code == 400 and response.json()["code"] == "amount_required"
    assert _unchanged(before)


def test_dynamic_qr_with_another_amount_is_400(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    order = order_make(merchant_make(), "88.80")
    before = ledger_snapshot()

    response = _pay(customer_client(alice), merchant_order_qr(order), amount="8.88", currency="CNY")

    assert response.status_code == 400 and response.json()["code"] == "amount_mismatch"
    assert _unchanged(before)
    assert MerchantOrder.objects.get(pk=order.pk).status == "OPEN"


def test_expired_dynamic_qr_is_400_qr_expired(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    order = order_make(merchant_make(), "10.00", seconds=-5)
    before = ledger_snapshot()

    response = _pay(customer_client(alice), merchant_order_qr(order))

    assert response.status_code == 400 and response.json()["code"] == "qr_expired"
    assert _unchanged(before)


def test_forged_and_altered_qr_are_400_qr_invalid(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    merchant = merchant_make()
    order = order_make(merchant, "88.80")
    genuine = merchant_order_qr(order)
    with override_settings(QR_SIGNING_KEY="attacker-key-attacker-key-attacker"):
        forged = qr_sign(
            QrPayload(
                merchant_public_id=merchant.public_id,
                currency="CNY",
                order_public_id=order.public_id,
                amount=Money(1, "CNY"),
                expires_at=int(time.time()) + 60,
            )
        )
    altered = genuine[:-2] + ("AA" if not genuine.endswith("AA") else "BB")
    before = ledger_snapshot()
    client = customer_client(alice)

    for qr in (forged, altered, "https://evil.example/pay"):
        response = _pay(client, qr, amount="0.01", currency="CNY")
        assert response.status_code == 400 and response.json()["code"] == "qr_invalid", qr

    assert _unchanged(before)


def test_qr_of_unknown_or_suspended_merchant(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    merchant = merchant_make()
    Merchant.objects.filter(pk=merchant.pk).update(status=Merchant.Status.SUSPENDED)
    unknown = qr_sign(QrPayload(merchant_public_id=uuid.uuid4(), currency="CNY"))
    client = customer_client(alice)

    suspended = _pay(client, merchant_static_qr(merchant), amount="1.00", currency="CNY")
    missing = _pay(client, unknown, amount="1.00", currency="CNY")

    assert suspended.status_code == 403 and suspended.json()["code"] == "merchant_unavailable"
    assert missing.status_code == 400 and missing.json()["code"] == "qr_invalid"


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        (1.5, "CNY", "invalid_amount"),
        ("1.005", "CNY", "too_many_decimals"),
        ("0.00", "CNY", "amount_not_positive"),
        ("-1", "CNY", "amount_not_positive"),
        ("1.00", "XXX", "unknown_currency"),
        ("1.00", "USD", "currency_mismatch"),
    ],
)
def test_bad_amounts_are_400_and_nothing_moves(alice: Customer, amount: object, currency: str, code: str) -> None:
    wallet_fund(alice, "100.00")
    qr = merchant_static_qr(merchant_make())
    before = ledger_snapshot()

    response = _pay(customer_client(alice), qr, amount=amount, currency=currency)

    assert response.status_code == 400 and response.json()["code"] == code
    assert _unchanged(before)


def test_insufficient_funds_is_422_and_leaves_the_order_open(alice: Customer) -> None:
    wallet_fund(alice, "10.00")
    order = order_make(merchant_make(), "88.80")
    before = ledger_snapshot()

    response = _pay(customer_client(alice), merchant_order_qr(order))

    assert response.status_code == 422 and response.json()["code"] == "insufficient_funds"
    assert _unchanged(before)
    assert MerchantOrder.objects.get(pk=order.pk).status == "OPEN"


def test_wrong_pin_is_403_and_nothing_moves(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    qr = merchant_static_qr(merchant_make())
    before = ledger_snapshot()

    response = _pay(customer_client(alice), qr, amount="1.00", currency="CNY", pin="111112")

    assert response.status_code == 403 and response.json()["code"] == "payment_pin_invalid"
    assert _unchanged(before)


def test_frozen_wallet_cannot_pay(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    LedgerAccount.objects.filter(pk=wallet.pk).update(status=LedgerAccount.Status.FROZEN)
    before = ledger_snapshot()

    response = _pay(customer_client(alice), merchant_static_qr(merchant_make()), amount="1.00", currency="CNY")

    assert response.status_code == 403 and response.json()["code"] == "account_frozen"
    assert _unchanged(before)


_BUDGET_CODE = "campaign:test-first-order:CNY"


def quote_with_discount(ctx: PaymentContext) -> PromotionQuote:
    return PromotionQuote(discount=Money(5_00, ctx.amount.currency), budget_account_code=_BUDGET_CODE)


def test_instant_discount_is_paid_by_the_campaign_budget(alice: Customer, settings: object) -> None:
    from django.db import transaction

    from payments import hooks

    wallet_fund(alice, "100.00")
    merchant = merchant_make()
    with transaction.atomic():
        budget = account_open(kind=LedgerAccount.Kind.CAMPAIGN_BUDGET, currency="CNY", code=_BUDGET_CODE, is_hot=True)
        transfer_post(
            kind="FUNDING",
            legs=[
                Leg(system_account(LedgerAccount.Kind.SETTLEMENT, "CNY"), Money(-50_00, "CNY")),
                Leg(budget, Money(50_00, "CNY")),
            ],
        )
    settings.PAYMENTS_PROMOTIONS_QUOTE = "tests.payments.test_merchant_payments.quote_with_discount"  # type: ignore[attr-defined]
    hooks._load.cache_clear()
    try:
        response = _pay(customer_client(alice), merchant_static_qr(merchant), amount="30.00", currency="CNY")
    finally:
        hooks._load.cache_clear()

    assert response.status_code == 201, response.json()
    assert response.json()["paid"] == {"amount": "25.00", "currency": "CNY"}
    assert response.json()["discount"] == {"amount": "5.00", "currency": "CNY"}
    assert balance(wallet_of(alice)) == 75_00
    assert balance(merchant_ledger_account(merchant, "CNY")) == 30_00
    assert balance(budget) == 45_00
    assert MerchantPayment.objects.get().discount_account == budget


def test_merchant_qr_images_are_served(alice: Customer) -> None:
    merchant = merchant_make()
    client = customer_client(alice)

    svg = client.get(f"/api/v1/merchants/{merchant.public_id}/qr.svg")
    png = client.get(f"/api/v1/merchants/{merchant.public_id}/qr.png")
    other = client.get(f"/api/v1/merchants/{merchant.public_id}/qr.gif")

    assert svg.status_code == 200 and svg["Content-Type"] == "image/svg+xml"
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert other.status_code == 404
    from rest_framework.test import APIClient

    assert APIClient().get(f"/api/v1/merchants/{merchant.public_id}/qr.svg").status_code == 200  # printed: public
