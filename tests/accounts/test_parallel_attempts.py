"""Attempt limits under parallel requests: N parallel guesses evaluate at most the limit.

Each test fires 20 guesses from 20 threads (own database connection each, released at the end) and
counts how many guesses were actually *evaluated* by wrapping the comparison itself (the PIN
hasher's ``verify``, the password check, the OTP code hash, the KYC verifier). The database is
never mocked.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts import errors
from accounts.hashers import PaymentPinHasher
from accounts.integrations import KycResult, SimulatedKycVerifier
from accounts.models import Customer, KycTier, OtpChallenge
from accounts.pii import phone_index
from accounts.services import auth, customer_kyc_submit, customer_login, customer_payment_pin_verify
from accounts.services.auth import LOGIN_MAX_FAILURES
from accounts.services.kyc import KYC_MAX_FAILURES_PER_DAY
from accounts.services.otp import OTP_MAX_ATTEMPTS, otp_check
from accounts.services.pin import PIN_MAX_ATTEMPTS
from tests.accounts.conftest import STRONG_PASSWORD, otp_for
from tests.accounts.factories import national_id
from tests.factories import CUSTOMER_PASSWORD, PAYMENT_PIN, CustomerFactory

PARALLEL = 20


class Counter:
    def __init__(self) -> None:
        self.value = 0
        self._lock = threading.Lock()

    def wrap(self, func: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.value += 1
            return func(*args, **kwargs)

        return counted


def run_parallel(n: int, action: Callable[[int], Any]) -> list[Any]:
    """Run ``action(i)`` in ``n`` threads released together; each result or raised exception, in order."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = action(i)
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def codes(results: list[Any]) -> list[str]:
    return sorted(getattr(r, "code", "ok") for r in results)


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_pins_evaluate_at_most_the_limit_and_the_lock_holds(monkeypatch):
    customer = CustomerFactory()
    evaluated = Counter()
    monkeypatch.setattr(PaymentPinHasher, "verify", evaluated.wrap(PaymentPinHasher.verify))

    results = run_parallel(
        PARALLEL, lambda i: customer_payment_pin_verify(customer=Customer.objects.get(pk=customer.pk), pin="999990")
    )
    evaluated_in_burst = evaluated.value

    assert evaluated_in_burst == PIN_MAX_ATTEMPTS
    assert codes(results).count("payment_pin_invalid") == PIN_MAX_ATTEMPTS - 1
    assert codes(results).count("payment_pin_locked") == PARALLEL - PIN_MAX_ATTEMPTS + 1
    with pytest.raises(errors.PaymentPinLocked):  # the right PIN after the limit is refused, unevaluated
        customer_payment_pin_verify(customer=Customer.objects.get(pk=customer.pk), pin=PAYMENT_PIN)
    assert evaluated.value == evaluated_in_burst
    assert Customer.objects.get(pk=customer.pk).pin_locked_until is not None


@pytest.mark.django_db(transaction=True)
def test_a_right_pin_inside_a_wrong_burst_never_lets_more_than_the_limit_of_wrong_pins_in_a_row(monkeypatch):
    customer = CustomerFactory()
    evaluated = Counter()
    monkeypatch.setattr(PaymentPinHasher, "verify", evaluated.wrap(PaymentPinHasher.verify))

    results = run_parallel(
        PARALLEL,
        lambda i: customer_payment_pin_verify(
            customer=Customer.objects.get(pk=customer.pk), pin=PAYMENT_PIN if i == PARALLEL // 2 else "999990"
        ),
    )

    # Serialized per customer: the right PIN resets the counter only if evaluated before the lock.
    assert evaluated.value <= 2 * PIN_MAX_ATTEMPTS
    assert Customer.objects.get(pk=customer.pk).pin_locked_until is not None
    assert codes(results).count("payment_pin_locked") >= PARALLEL - 2 * PIN_MAX_ATTEMPTS


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_passwords_evaluate_at_most_the_limit(monkeypatch):
    customer = CustomerFactory()
    from accounts.services import auth

    evaluated = Counter()
    monkeypatch.setattr(auth, "check_password", evaluated.wrap(auth.check_password))

    results = run_parallel(
        PARALLEL,
        lambda i: customer_login(phone=customer.phone, password="Wrong-Password-000", device_id="device-0001-abcdef"),
    )
    evaluated_in_burst = evaluated.value

    assert evaluated_in_burst == LOGIN_MAX_FAILURES
    assert codes(results).count("invalid_credentials") == LOGIN_MAX_FAILURES
    assert codes(results).count("login_locked") == PARALLEL - LOGIN_MAX_FAILURES
    with pytest.raises(errors.LoginLocked):
        customer_login(phone=customer.phone, password=STRONG_PASSWORD, device_id="device-0001-abcdef")
    assert evaluated.value == evaluated_in_burst


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_otp_codes_evaluate_at_most_the_limit(monkeypatch, api_client):
    from accounts.services import otp

    phone = "+8613800138111"
    code = otp_for(api_client, phone, "REGISTER")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    evaluated = Counter()
    monkeypatch.setattr(otp, "_code_hash", evaluated.wrap(otp._code_hash))

    results = run_parallel(
        PARALLEL, lambda i: otp_check(index=phone_index(phone), purpose=OtpChallenge.Purpose.REGISTER, code=wrong)
    )
    evaluated_in_burst = evaluated.value

    assert evaluated_in_burst == OTP_MAX_ATTEMPTS
    assert codes(results).count("otp_too_many_attempts") == PARALLEL - OTP_MAX_ATTEMPTS + 1
    with pytest.raises(errors.OtpTooManyAttempts):
        otp_check(index=phone_index(phone), purpose=OtpChallenge.Purpose.REGISTER, code=code)
    assert evaluated.value == evaluated_in_burst
    assert OtpChallenge.objects.get().attempts == OTP_MAX_ATTEMPTS


class CountingMismatchVerifier(SimulatedKycVerifier):
    counter = Counter()

    def verify(self, *, legal_name: str, national_id: str) -> KycResult:
        with self.counter._lock:
            self.counter.value += 1
        return KycResult(matched=False)


@pytest.mark.django_db(transaction=True)
def test_parallel_kyc_mismatches_evaluate_at_most_the_limit(settings):
    settings.KYC_VERIFIER = f"{__name__}.CountingMismatchVerifier"
    CountingMismatchVerifier.counter = Counter()
    customer = CustomerFactory(kyc_tier=KycTier.objects.get(level=0), kyc_verified_at=None)

    results = run_parallel(
        PARALLEL,
        lambda i: customer_kyc_submit(
            customer=Customer.objects.get(pk=customer.pk), legal_name="张三", national_id=national_id()
        ),
    )

    assert CountingMismatchVerifier.counter.value == KYC_MAX_FAILURES_PER_DAY
    assert codes(results).count("kyc_mismatch") == KYC_MAX_FAILURES_PER_DAY
    assert codes(results).count("kyc_too_many_attempts") == PARALLEL - KYC_MAX_FAILURES_PER_DAY


@pytest.mark.django_db(transaction=True)
def test_parallel_logins_pass_the_login_throttle_exactly_up_to_its_rate(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].split("/")[0])
    payload = {"phone": "+8613800138222", "password": "Wrong-Password-000", "device_id": "device-0001-abcdef"}

    results = run_parallel(PARALLEL, lambda i: APIClient().post("/api/v1/auth/login", payload).status_code)

    assert limit < PARALLEL
    assert sum(1 for status in results if status != 429) == limit


@pytest.mark.django_db(transaction=True)
def test_a_right_password_inside_a_burst_does_not_clear_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Customer login: a right password compared while a burst took the lock must not reset the counter."""
    customer = CustomerFactory()
    real_check = auth.check_password
    right_taken = threading.Event()
    evaluated_wrong = []

    def check(password: str, encoded: str) -> bool:
        ok = real_check(password, encoded)
        if password == CUSTOMER_PASSWORD:
            right_taken.set()
            time.sleep(1.5)  # argon2 on a loaded machine: the right try is still comparing...
        else:
            evaluated_wrong.append(password)
        return ok

    monkeypatch.setattr(auth, "check_password", check)
    results: list[Any] = [None] * PARALLEL

    def run(i: int) -> None:
        try:
            if i == 0:
                results[i] = customer_login(
                    phone=customer.phone, password=CUSTOMER_PASSWORD, device_id="device-0001-abcdef"
                )
            else:
                right_taken.wait(5)  # ...while the attacker's burst takes every remaining attempt
                results[i] = customer_login(
                    phone=customer.phone, password=f"Wrong-{i:04d}-x", device_id="dev-attacker-0001"
                )
        except Exception as exc:  # noqa: BLE001
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    locked_in_burst = sum(isinstance(r, errors.LoginLocked) for r in results)
    assert locked_in_burst >= PARALLEL - LOGIN_MAX_FAILURES, results  # the burst did reach the lock
    # The phone was locked by the burst. The right password's success (compared before the lock)
    # must not unlock it for the attacker: the next wrong guess must still be refused unevaluated.
    before = len(evaluated_wrong)
    with pytest.raises(errors.LoginLocked):
        customer_login(phone=customer.phone, password="Wrong-after-burst-1", device_id="dev-attacker-0001")
    assert len(evaluated_wrong) == before


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_staff_passwords_evaluate_at_most_the_axes_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Staff sign-in: 20 parallel wrong passwords (20 addresses) compared 14 times past axes' limit of 5."""
    from django.conf import settings
    from django.contrib.auth.models import AbstractBaseUser
    from django.test import Client

    from tests.factories import StaffFactory

    staff = StaffFactory(roles=[])
    evaluated: list[int] = []
    lock = threading.Lock()
    real = AbstractBaseUser.check_password

    def counted(self: Any, raw: str) -> bool:
        with lock:
            evaluated.append(1)
        time.sleep(0.2)  # a slow hasher widens nothing that a loaded server does not
        return real(self, raw)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counted)
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = [0] * PARALLEL

    def run(i: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
            barrier.wait()
            r = client.post(
                "/admin/login/", {"username": staff.username, "password": f"wrong-{i}", "otp_token": "123456"}
            )
            statuses[i] = r.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(evaluated) <= settings.AXES_FAILURE_LIMIT, (len(evaluated), statuses)
