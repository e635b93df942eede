"""Payment PIN: verify, lockout after 5 wrong tries for 30 minutes, set/change over the API."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.errors import PaymentPinInvalid, PaymentPinLocked, PaymentPinNotSet
from accounts.models import Customer, OtpChallenge
from accounts.services import customer_payment_pin_verify
from accounts.services.pin import PIN_LOCK_DURATION, PIN_MAX_ATTEMPTS
from tests.accounts.conftest import bearer_client, last_code
from tests.factories import PAYMENT_PIN, CustomerFactory

pytestmark = pytest.mark.django_db


def _fresh(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def test_right_pin_passes_and_resets_the_counter():
    customer = CustomerFactory()
    Customer.objects.filter(pk=customer.pk).update(pin_failed_attempts=3)

    customer_payment_pin_verify(customer=customer, pin=PAYMENT_PIN)

    assert _fresh(customer).pin_failed_attempts == 0


def test_no_pin_set_is_a_400():
    customer = CustomerFactory(payment_pin="")

    with pytest.raises(PaymentPinNotSet) as caught:
        customer_payment_pin_verify(customer=customer, pin=PAYMENT_PIN)

    assert caught.value.status_code == 400
    assert caught.value.code == "payment_pin_not_set"


def test_wrong_pin_counts_down_then_locks_for_30_minutes():
    customer = CustomerFactory()
    left = []
    for _ in range(PIN_MAX_ATTEMPTS - 1):
        with pytest.raises(PaymentPinInvalid) as caught:
            customer_payment_pin_verify(customer=customer, pin="999990")
        assert caught.value.status_code == 403
        left.append(caught.value.details["attempts_left"])

    with pytest.raises(PaymentPinLocked) as locked:
        customer_payment_pin_verify(customer=customer, pin="999990")
    with pytest.raises(PaymentPinLocked):
        customer_payment_pin_verify(customer=customer, pin=PAYMENT_PIN)  # even the right PIN

    assert left == [4, 3, 2, 1]
    assert locked.value.status_code == 423
    until = _fresh(customer).pin_locked_until
    assert until is not None
    assert abs((until - timezone.now()) - PIN_LOCK_DURATION).total_seconds() < 5


def test_after_the_lock_expires_the_right_pin_passes():
    customer = CustomerFactory()
    Customer.objects.filter(pk=customer.pk).update(pin_locked_until=timezone.now() - timezone.timedelta(seconds=1))

    customer_payment_pin_verify(customer=customer, pin=PAYMENT_PIN)

    fresh = _fresh(customer)
    assert fresh.pin_locked_until is None and fresh.pin_failed_attempts == 0


@pytest.mark.parametrize("pin", ["", "12345", "1234567", "abcdef", None, 246810])
def test_malformed_pin_counts_as_a_wrong_try(pin):
    customer = CustomerFactory()

    with pytest.raises(PaymentPinInvalid):
        customer_payment_pin_verify(customer=customer, pin=pin)  # type: ignore[arg-type]

    assert _fresh(customer).pin_failed_attempts == 1


@pytest.mark.django_db(transaction=True)
def test_failure_counter_survives_the_callers_rollback_and_concurrent_tries_all_count():
    customer = CustomerFactory()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def wrong_try() -> None:
        try:
            barrier.wait()
            customer_payment_pin_verify(customer=customer, pin="999990")
        except (PaymentPinInvalid, PaymentPinLocked) as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrong_try) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == ["payment_pin_invalid"] * 4
    assert _fresh(customer).pin_failed_attempts == 4  # no lost update under concurrency
    with pytest.raises(RuntimeError), transaction.atomic():  # the payment that followed failed and rolled back...
        raise RuntimeError
    with pytest.raises(PaymentPinLocked):
        customer_payment_pin_verify(customer=customer, pin="999990")
    assert _fresh(customer).pin_locked_until is not None


@pytest.mark.django_db(transaction=True)
def test_pin_verify_inside_an_open_transaction_is_refused():
    customer = CustomerFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        customer_payment_pin_verify(customer=customer, pin="999990")


def test_set_first_pin_over_api_then_change_with_old_pin():
    customer = CustomerFactory(payment_pin="")
    client = bearer_client(customer)

    first = client.put("/api/v1/me/pin", {"pin": "482915"})
    no_proof = client.put("/api/v1/me/pin", {"pin": "730461"})
    wrong_old = client.put("/api/v1/me/pin", {"pin": "730461", "old_pin": "000001"})
    changed = client.put("/api/v1/me/pin", {"pin": "730461", "old_pin": "482915"})

    assert first.status_code == 204
    assert no_proof.status_code == 400 and no_proof.json()["code"] == "payment_pin_verification_required"
    assert wrong_old.status_code == 403 and wrong_old.json()["details"] == {"attempts_left": 4}
    assert changed.status_code == 204
    fresh = _fresh(customer)
    assert fresh.payment_pin.startswith("pin_hmac_sha256$") and "730461" not in fresh.payment_pin
    customer_payment_pin_verify(customer=fresh, pin="730461")


def test_change_pin_with_a_step_up_code_instead_of_the_old_pin():
    customer = CustomerFactory()
    client = bearer_client(customer)

    sent = client.post("/api/v1/me/otp")
    changed = client.put("/api/v1/me/pin", {"pin": "730461", "otp_code": last_code(customer.phone)})

    assert sent.status_code == 202
    assert changed.status_code == 204
    assert OtpChallenge.objects.get(purpose="STEP_UP").consumed_at is not None
    customer_payment_pin_verify(customer=customer, pin="730461")


@pytest.mark.parametrize("pin", ["12345", "abcdef", "123456", "111111"])
def test_malformed_or_trivial_new_pin_is_a_400(pin):
    customer = CustomerFactory(payment_pin="")
    client = bearer_client(customer)

    response = client.put("/api/v1/me/pin", {"pin": pin})

    assert response.status_code == 400
    assert _fresh(customer).payment_pin == ""
