"""One challenge, one assertion, many threads at the same instant: exactly one succeeds.

Real threads with their own database connections (``transaction=True``): the challenge is taken
by one ``DELETE ... RETURNING``, so every other thread finds it gone, whatever the timing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db import connection

from accounts import services
from accounts.models import CustomerPasskey, CustomerToken
from tests.accounts.conftest import bearer_client
from tests.accounts.passkey_flows import DEVICE_ID, PAYMENT, login_body, payment_options, registered
from tests.accounts.software_authenticator import SoftwareAuthenticator
from tests.factories import CustomerFactory
from tests.payments.test_concurrency import run_threads

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


def test_one_assertion_sent_by_eight_threads_signs_in_once() -> None:
    customer = CustomerFactory()
    authenticator = SoftwareAuthenticator()
    registered(bearer_client(customer), authenticator)
    body = login_body(authenticator)
    tokens_before = CustomerToken.objects.filter(customer=customer).count()

    def sign_in(i: int) -> str:
        issued = services.passkey_login(
            challenge_id=body["challenge_id"], device_id=DEVICE_ID, credential=body["credential"]
        )
        return "ok" if issued.token else "no token"

    outcomes = run_threads(THREADS, sign_in)

    assert outcomes == Counter({"ok": 1, "passkey_challenge_invalid": THREADS - 1})
    assert CustomerToken.objects.filter(customer=customer).count() == tokens_before + 1
    assert CustomerPasskey.objects.get(customer=customer).sign_count == 1


def test_one_payment_assertion_sent_by_eight_threads_confirms_once() -> None:
    customer = CustomerFactory()
    client = bearer_client(customer)
    authenticator = SoftwareAuthenticator()
    registered(client, authenticator)
    options = payment_options(client)
    credential = authenticator.assertion(options["public_key"])
    token = CustomerToken.objects.get(customer=customer, revoked_at__isnull=True)

    def confirm(i: int) -> str:
        factor = services.passkey_payment_verify(
            customer=customer,
            token=token,
            challenge_id=options["challenge_id"],
            credential=credential,
            amount_minor=1234,
            currency="CNY",
            payee=PAYMENT["payee"],
            idempotency_key=PAYMENT["idempotency_key"],
        )
        return "ok" if factor.user_verified else "unverified"

    outcomes = run_threads(THREADS, confirm)

    assert outcomes == Counter({"ok": 1, "passkey_challenge_invalid": THREADS - 1})
    assert CustomerPasskey.objects.get(customer=customer).sign_count == 1


def test_two_assertions_with_the_same_counter_value_are_not_both_accepted() -> None:
    """A cloned authenticator: two challenges, two answers carrying the same counter at once. The
    conditional counter UPDATE lets one through; the other is ``passkey_counter_invalid``."""
    customer = CustomerFactory()
    authenticator = SoftwareAuthenticator()
    registered(bearer_client(customer), authenticator)
    bodies: list[dict[str, Any]] = [login_body(authenticator, sign_count=5) for _ in range(THREADS)]

    def sign_in(i: int) -> str:
        services.passkey_login(
            challenge_id=bodies[i]["challenge_id"], device_id=DEVICE_ID, credential=bodies[i]["credential"]
        )
        return "ok"

    outcomes = run_threads(THREADS, sign_in)

    assert outcomes["ok"] == 1
    assert outcomes["passkey_counter_invalid"] == THREADS - 1
    assert CustomerPasskey.objects.get(customer=customer).sign_count == 5
    connection.close()
