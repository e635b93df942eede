"""Retries with the same Idempotency-Key: answered from the stored result whatever has happened to
the PIN since (issue 8, item 4), with request ids that agree with the docs (issue 8, item 10)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Customer
from payments.models import Transfer
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, ledger_snapshot, wallet_fund

pytestmark = pytest.mark.django_db

URL = "/api/v1/transfers"


def _body(to: Customer, amount: str = "10.00", pin: str = PAYMENT_PIN) -> dict[str, str]:
    return {"to_phone": to.phone, "amount": amount, "currency": "CNY", "pin": pin}


def _lock_pin(customer: Customer) -> None:
    Customer.objects.filter(pk=customer.pk).update(
        pin_failed_attempts=5, pin_locked_until=timezone.now() + timedelta(minutes=30)
    )


def test_retry_after_the_pin_was_locked_replays_the_completed_payment(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    client = customer_client(alice)
    key = str(uuid.uuid4())
    first = client.post(URL, _body(bob), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201
    _lock_pin(alice)
    before = ledger_snapshot()

    retry = client.post(URL, _body(bob), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert ledger_snapshot() == before
    assert Transfer.objects.filter(kind="P2P").count() == 1


def test_retry_with_a_wrong_pin_replays_and_does_not_count_an_attempt(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    client = customer_client(alice)
    key = str(uuid.uuid4())
    client.post(URL, _body(bob), format="json", HTTP_IDEMPOTENCY_KEY=key)

    retry = client.post(URL, _body(bob, pin="000000"), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert Customer.objects.get(pk=alice.pk).pin_failed_attempts == 0


def test_retry_of_a_stored_failure_replays_it_with_the_pin_locked(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "5.00")
    client = customer_client(alice)
    key = str(uuid.uuid4())
    first = client.post(URL, _body(bob), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 422 and first.json()["code"] == "insufficient_funds"
    _lock_pin(alice)

    retry = client.post(URL, _body(bob), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert retry.status_code == 422 and retry.json()["code"] == "insufficient_funds"
    assert retry["Idempotent-Replayed"] == "true"


def test_a_new_key_with_the_pin_locked_is_still_refused(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    _lock_pin(alice)
    before = ledger_snapshot()

    response = customer_client(alice).post(URL, _body(bob), format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))

    assert response.status_code == 423 and response.json()["code"] == "payment_pin_locked"
    assert ledger_snapshot() == before


def test_same_key_with_a_different_body_is_422_before_the_pin(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    client = customer_client(alice)
    key = str(uuid.uuid4())
    client.post(URL, _body(bob), format="json", HTTP_IDEMPOTENCY_KEY=key)
    _lock_pin(alice)

    response = client.post(URL, _body(bob, amount="11.00"), format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 422 and response.json()["code"] == "idempotency_key_reused"


def test_replayed_error_names_the_current_request_and_the_original_in_a_header(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "5.00")
    client = customer_client(alice)
    key = str(uuid.uuid4())
    first = client.post(URL, _body(bob), format="json", HTTP_IDEMPOTENCY_KEY=key, HTTP_X_REQUEST_ID="original-req-0001")

    retry = client.post(URL, _body(bob), format="json", HTTP_IDEMPOTENCY_KEY=key, HTTP_X_REQUEST_ID="retry-req-000002")

    assert first.json()["request_id"] == first["X-Request-ID"] == "original-req-0001"
    assert retry.json()["request_id"] == retry["X-Request-ID"] == "retry-req-000002"
    assert retry["Idempotent-Original-Request-ID"] == "original-req-0001"
    assert {k: v for k, v in retry.json().items() if k != "request_id"} == {
        k: v for k, v in first.json().items() if k != "request_id"
    }
