"""A token's last-used time (at most once a minute) rides on the payment's own statement and
commit (core.deferred_writes); a request that moves no money writes it after the view answers."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Customer, CustomerToken
from core import deferred_writes
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, wallet_fund

pytestmark = pytest.mark.django_db


def _pay(client, to: Customer, amount: str = "1.00"):  # type: ignore[no-untyped-def]
    body = {"to_phone": to.phone, "amount": amount, "currency": "CNY", "pin": PAYMENT_PIN}
    return client.post("/api/v1/transfers", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


def test_payment_carries_the_token_touch_in_its_own_statement(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")
    client = customer_client(alice)
    token = CustomerToken.objects.get(customer=alice)
    assert token.last_used_at is None

    with CaptureQueriesContext(connection) as captured:
        response = _pay(client, bob)

    assert response.status_code == 201, response.json()
    statements = [q["sql"] for q in captured]
    carriers = [sql for sql in statements if "payments_pay(" in sql]
    assert len(carriers) == 1 and "UPDATE accounts_customertoken SET last_used_at" in carriers[0]
    assert not any(sql.startswith("UPDATE accounts_customertoken") for sql in statements)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_second_payment_within_a_minute_does_not_touch(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")
    client = customer_client(alice)
    assert _pay(client, bob).status_code == 201

    with CaptureQueriesContext(connection) as captured:
        assert _pay(client, bob).status_code == 201

    assert not any("accounts_customertoken SET" in q["sql"] for q in captured)


def test_a_read_writes_the_touch_after_the_view(alice: Customer) -> None:
    client = customer_client(alice)

    response = client.get("/api/v1/me")

    assert response.status_code == 200
    assert CustomerToken.objects.get(customer=alice).last_used_at is not None


def test_a_refused_request_still_records_the_use(alice: Customer, bob: Customer) -> None:
    client = customer_client(alice)

    response = client.post("/api/v1/transfers", {"amount": "x"}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))

    assert response.status_code == 400
    assert CustomerToken.objects.get(customer=alice).last_used_at is not None


def test_nothing_deferred_leaks_into_the_next_request(alice: Customer, bob: Customer) -> None:
    bob_token_before = CustomerToken.objects.filter(customer=bob).count()
    deferred_writes.defer("UPDATE accounts_customer SET business_name = 'leaked' WHERE id = %s", [alice.pk])

    customer_client(bob).get("/api/v1/me")

    assert deferred_writes.take() == []
    assert not Customer.objects.filter(business_name="leaked").exists()
    assert CustomerToken.objects.filter(customer=bob).count() == bob_token_before + 1
