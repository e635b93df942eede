"""Reviewer: KYC limits apply to CNY only, so an unverified (tier 0) customer moves any amount of USD.

docs/ledger.md: "Other currencies are not limited here: customers get them only through FX". But a
customer also gets USD by P2P from another customer (or a refund), and then sends it on, unlimited
and without KYC; the balance cap is CNY-only too.
"""

from __future__ import annotations

import uuid

import pytest

from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.factories import customer_client, wallet_fund

pytestmark = pytest.mark.django_db


def test_unverified_customer_cannot_send_usd_without_limit() -> None:
    mule = CustomerFactory(kyc_tier_id=0)  # unverified: zero CNY limits, kyc_required
    friend = CustomerFactory()
    wallet_fund(mule, "1000000.00", currency="USD")  # e.g. received by P2P from a verified customer
    client = customer_client(mule)
    cny = client.post("/api/v1/transfers/", {"to_phone": friend.phone, "amount": "1.00", "currency": "CNY",
                                            "pin": PAYMENT_PIN}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    usd = client.post("/api/v1/transfers/", {"to_phone": friend.phone, "amount": "900000.00", "currency": "USD",
                                            "pin": PAYMENT_PIN}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    assert cny.status_code == 403, cny.json()
    assert usd.status_code == 403, f"tier 0 sent 900,000.00 USD P2P: {usd.status_code} {usd.json()}"
