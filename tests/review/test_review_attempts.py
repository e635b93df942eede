"""Reviewer: a right password evaluated during a burst of wrong ones must not clear the lock the
burst reached (customer login; the counter lives in Redis and a success DELETEs it)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from accounts import errors
from accounts.services import auth, customer_login
from accounts.services.auth import LOGIN_MAX_FAILURES
from tests.factories import CUSTOMER_PASSWORD as STRONG_PASSWORD
from tests.factories import CustomerFactory

PARALLEL = 20


@pytest.mark.django_db(transaction=True)
def test_a_right_password_inside_a_burst_does_not_clear_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    customer = CustomerFactory()
    real_check = auth.check_password
    right_taken = threading.Event()
    evaluated_wrong = []

    def check(password: str, encoded: str) -> bool:
        ok = real_check(password, encoded)
        if password == STRONG_PASSWORD:
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
                results[i] = customer_login(phone=customer.phone, password=STRONG_PASSWORD, device_id="device-0001-abcdef")
            else:
                right_taken.wait(5)  # ...while the attacker's burst takes every remaining attempt
                results[i] = customer_login(phone=customer.phone, password=f"Wrong-{i:04d}-x", device_id="dev-attacker-0001")
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
    """Staff sign-in (django-axes, AXES_FAILURE_LIMIT=5): 20 parallel wrong passwords from 20 addresses."""
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
            r = client.post("/admin/login/", {"username": staff.username, "password": f"wrong-{i}", "otp_token": "123456"})
            statuses[i] = r.status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PARALLEL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(evaluated) <= settings.AXES_FAILURE_LIMIT, (len(evaluated), statuses)
