"""Step-up end to end through the payment API (issue 13): pay → 403 ``step_up_required`` with a
challenge → confirm the SMS code → repeat with the same Idempotency-Key and ``step_up_challenge`` →
201, once. The challenge is bound to the customer, the payment (key and body) and the amount, expires,
is used once under concurrency, and a later refusal gives it back; a passkey satisfies a step-up."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Customer, KycTier
from core.money import Money
from payments.models import IdempotencyRecord, Transfer
from risk.models import CustomerRiskProfile, StepUpChallenge
from risk.services import step_up_challenge_consume
from tests.accounts.conftest import bearer_client, last_code
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.factories import ledger_snapshot, wallet_fund
from tests.payments.factories_movements import ELECTRICITY_ACCOUNT, biller_make, card_for

TRANSFERS = "/api/v1/transfers"
BIG = "2000.00"  # above the new-payee amount (1,000 CNY): a first payment to someone asks for a step-up


def _pay(client: Any, to: Customer, key: str, amount: str = BIG, **extra: Any) -> Any:
    body = {"to_phone": to.phone, "amount": amount, "currency": "CNY", "pin": PAYMENT_PIN, **extra}
    return client.post(TRANSFERS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _confirm(client: Any, challenge_id: str) -> None:
    response = client.post(f"/api/v1/risk/challenges/{challenge_id}/confirm", {"otp_code": last_code()}, format="json")
    assert response.status_code == 200, response.json()


def _challenge_of(response: Any) -> str:
    assert response.status_code == 403, response.json()
    assert response.json()["code"] == "step_up_required"
    return str(response.json()["details"]["challenge_id"])


@pytest.fixture
def client(alice: Customer, risk_on: None) -> Any:
    wallet_fund(alice, "3000.00")
    return bearer_client(alice)


@pytest.mark.django_db
def test_the_whole_flow_pays_once_and_replays_the_answer(
    alice: Customer, bob: Customer, client: Any, _sms_outbox
) -> None:  # type: ignore[no-untyped-def]
    key = str(uuid.uuid4())
    before = ledger_snapshot()

    first = _pay(client, bob, key)
    again = _pay(client, bob, key)  # before confirming: the same challenge, no second SMS

    challenge_id = _challenge_of(first)
    details = first.json()["details"]
    assert details["reason_code"] == "NEW_PAYEE" and details["sms_sent"] is True
    assert details["expires_at"].endswith("Z")
    assert _challenge_of(again) == challenge_id and again.json()["details"]["sms_sent"] is False
    assert len(_sms_outbox) == 1
    assert ledger_snapshot() == before and not IdempotencyRecord.objects.filter(customer=alice).exists()

    _confirm(client, challenge_id)
    paid = _pay(client, bob, key, step_up_challenge=challenge_id)
    replay = _pay(client, bob, key, step_up_challenge=challenge_id)

    assert paid.status_code == 201, paid.json()
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["id"] == paid.json()["id"]
    assert Transfer.objects.filter(kind="P2P").count() == 1
    assert StepUpChallenge.objects.get(public_id=challenge_id).used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["amount", "payee", "key", "customer"])
def test_the_challenge_is_bound_to_customer_payment_and_amount(
    alice: Customer, bob: Customer, client: Any, change: str
) -> None:
    key = str(uuid.uuid4())
    challenge_id = _challenge_of(_pay(client, bob, key))
    _confirm(client, challenge_id)
    carol = CustomerFactory()
    wallet_fund(bob, "3000.00")
    before = ledger_snapshot()

    if change == "customer":
        response = _pay(bearer_client(bob), carol, key, step_up_challenge=challenge_id)
    else:
        response = _pay(
            client,
            carol if change == "payee" else bob,
            str(uuid.uuid4()) if change == "key" else key,
            amount="2000.01" if change == "amount" else BIG,
            step_up_challenge=challenge_id,
        )

    assert _challenge_of(response) != challenge_id  # a new challenge for that payment
    expected = "NEW_PAYEE" if change == "customer" else "STEP_UP_CHALLENGE_INVALID"
    assert response.json()["details"]["reason_code"] == expected
    assert StepUpChallenge.objects.get(public_id=challenge_id).used_at is None
    assert ledger_snapshot()["transfers"] == before["transfers"]
    assert _pay(client, bob, key, step_up_challenge=challenge_id).status_code == 201  # still good for its own


@pytest.mark.django_db
def test_an_expired_challenge_is_refused(alice: Customer, bob: Customer, client: Any) -> None:
    key = str(uuid.uuid4())
    challenge_id = _challenge_of(_pay(client, bob, key))
    _confirm(client, challenge_id)
    StepUpChallenge.objects.filter(public_id=challenge_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = ledger_snapshot()

    response = _pay(client, bob, key, step_up_challenge=challenge_id)

    assert _challenge_of(response) != challenge_id
    assert response.json()["details"]["reason_code"] == "STEP_UP_CHALLENGE_INVALID"
    assert ledger_snapshot() == before


@pytest.mark.django_db
def test_an_unconfirmed_challenge_is_not_enough(alice: Customer, bob: Customer, client: Any) -> None:
    key = str(uuid.uuid4())
    challenge_id = _challenge_of(_pay(client, bob, key))

    response = _pay(client, bob, key, step_up_challenge=challenge_id)

    assert _challenge_of(response) == challenge_id  # still the live one: confirm it first
    assert Transfer.objects.filter(kind="P2P").count() == 0


@pytest.mark.django_db
def test_a_later_refusal_leaves_the_challenge_unused(alice: Customer, bob: Customer, risk_on: None) -> None:
    wallet_fund(alice, "1500.00")
    client = bearer_client(alice)
    key = str(uuid.uuid4())
    challenge_id = _challenge_of(_pay(client, bob, key))
    _confirm(client, challenge_id)
    CustomerRiskProfile.objects.create(customer=alice, step_up_next=True)
    before = ledger_snapshot()

    response = _pay(client, bob, key, step_up_challenge=challenge_id)

    assert response.status_code == 422 and response.json()["code"] == "insufficient_funds"
    assert ledger_snapshot() == before
    challenge = StepUpChallenge.objects.get(public_id=challenge_id)
    assert challenge.used_at is None  # rolled back with the payment
    assert CustomerRiskProfile.objects.get(customer=alice).step_up_next is True  # so is the flag's clearing
    assert step_up_challenge_consume(
        challenge_id=challenge_id, customer_id=alice.pk, fingerprint=challenge.fingerprint, amount=Money(2000_00, "CNY")
    )


@pytest.mark.django_db
def test_a_step_up_comes_after_the_pin(alice: Customer, bob: Customer, client: Any, _sms_outbox) -> None:  # type: ignore[no-untyped-def]
    response = _pay(client, bob, str(uuid.uuid4()), pin="000000")

    assert response.status_code == 403 and response.json()["code"] == "payment_pin_invalid"
    assert not _sms_outbox and not StepUpChallenge.objects.exists()


def _run_threads(n: int, work: Any) -> Counter[str]:
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def target(i: int) -> None:
        try:
            barrier.wait(10)
            result = work(i)
        except Exception as exc:  # noqa: BLE001 - surfaced in the assertion
            result = f"unexpected: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return Counter(outcomes)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keys", ["same", "different"])
def test_eight_parallel_payments_with_one_challenge_pay_once(risk_on: None, monkeypatch: Any, keys: str) -> None:
    """``same``: 8 retries of one request (the key's lock and stored answer). ``different``: 8
    requests under 8 keys that all carry the challenge and pass the pre-check (the payment fingerprint
    forced equal), so only the challenge's row lock in the money step stands between them."""
    alice, bob = CustomerFactory(), CustomerFactory()
    wallet_fund(alice, "9000.00")
    clients = [bearer_client(alice, device_id=f"alice-phone-{i:04d}") for i in range(8)]
    if keys == "different":
        monkeypatch.setattr("payments.api.common.payment_fingerprint", lambda **kwargs: "f" * 64)
    challenge_id = _challenge_of(_pay(clients[0], bob, "key-0"))
    _confirm(clients[0], challenge_id)

    def pay(i: int) -> str:
        response = _pay(clients[i], bob, "key-0" if keys == "same" else f"key-{i}", step_up_challenge=challenge_id)
        return f"{response.status_code} {response.json().get('code', '')}".strip()

    outcomes = _run_threads(8, pay)

    assert Transfer.objects.filter(kind="P2P").count() == 1, outcomes
    assert outcomes["201"] >= 1 and sum(outcomes.values()) == 8, outcomes
    if keys == "same":
        assert set(outcomes) <= {"201", "409 idempotency_in_flight"}, outcomes
    else:
        assert outcomes == Counter({"201": 1, "403 step_up_required": 7}), outcomes
    assert StepUpChallenge.objects.get(public_id=challenge_id).used_at is not None


@pytest.mark.django_db
def test_a_passkey_satisfies_a_step_up(alice: Customer, bob: Customer, client: Any, _sms_outbox) -> None:  # type: ignore[no-untyped-def]
    from tests.accounts.passkey_flows import registered
    from tests.accounts.software_authenticator import SoftwareAuthenticator

    authenticator = SoftwareAuthenticator()
    registered(client, authenticator)
    KycTier.objects.filter(pk=alice.kyc_tier_id).update(passkey_replaces_pin=True)
    CustomerRiskProfile.objects.create(customer=alice, step_up_next=True)
    _sms_outbox.clear()
    key = str(uuid.uuid4())
    options = client.post(
        "/api/v1/me/passkeys/payment-options",
        {"amount": BIG, "currency": "CNY", "payee": f"phone:{bob.phone}", "idempotency_key": key},
        format="json",
    ).json()
    passkey = {"challenge_id": options["challenge_id"], "credential": authenticator.assertion(options["public_key"])}

    response = client.post(
        TRANSFERS,
        {"to_phone": bob.phone, "amount": BIG, "currency": "CNY", "passkey": passkey},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )

    assert response.status_code == 201, response.json()
    assert not _sms_outbox and not StepUpChallenge.objects.exists()
    assert CustomerRiskProfile.objects.get(customer=alice).step_up_next is False  # the flag is satisfied


@pytest.mark.django_db
def test_a_bill_payment_asks_and_takes_the_challenge(alice: Customer, client: Any) -> None:
    biller = biller_make()
    body = {"biller": biller.code, "account_number": ELECTRICITY_ACCOUNT, "amount": BIG, "currency": "CNY"}
    key = str(uuid.uuid4())
    before = ledger_snapshot()

    first = client.post("/api/v1/bill-payments", {**body, "pin": PAYMENT_PIN}, format="json", HTTP_IDEMPOTENCY_KEY=key)

    challenge_id = _challenge_of(first)
    assert first.json()["details"]["reason_code"] == "NEW_PAYEE"
    assert ledger_snapshot() == before and not IdempotencyRecord.objects.filter(customer=alice).exists()
    _confirm(client, challenge_id)
    other = client.post(
        "/api/v1/bill-payments",
        {**body, "amount": "1999.00", "pin": PAYMENT_PIN, "step_up_challenge": challenge_id},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    paid = client.post(
        "/api/v1/bill-payments",
        {**body, "pin": PAYMENT_PIN, "step_up_challenge": challenge_id},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )

    assert _challenge_of(other) != challenge_id
    assert paid.status_code == 201, paid.json()
    assert StepUpChallenge.objects.get(public_id=challenge_id).used_at is not None


@pytest.mark.django_db
def test_a_withdrawal_under_the_step_up_flag_asks_and_takes_the_challenge(alice: Customer, client: Any) -> None:
    card = card_for(alice)
    CustomerRiskProfile.objects.create(customer=alice, step_up_next=True)
    body = {"card": str(card.public_id), "amount": "100.00", "currency": "CNY", "pin": PAYMENT_PIN}
    key = str(uuid.uuid4())

    first = client.post("/api/v1/withdrawals", body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    challenge_id = _challenge_of(first)
    assert first.json()["details"]["reason_code"] == "RISK_REVIEW"
    _confirm(client, challenge_id)
    done = client.post(
        "/api/v1/withdrawals", {**body, "step_up_challenge": challenge_id}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert done.status_code == 202, done.json()
    assert StepUpChallenge.objects.get(public_id=challenge_id).used_at is not None
    assert CustomerRiskProfile.objects.get(customer=alice).step_up_next is False


@pytest.mark.django_db
def test_a_top_up_never_asks_for_a_step_up(alice: Customer, client: Any) -> None:
    card = card_for(alice)
    CustomerRiskProfile.objects.create(customer=alice, step_up_next=True)

    response = client.post(
        "/api/v1/topups",
        {"card": str(card.public_id), "amount": BIG, "currency": "CNY", "pin": PAYMENT_PIN},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )

    assert response.status_code == 202, response.json()


@pytest.mark.django_db
def test_a_qr_payment_asks_and_takes_the_challenge(alice: Customer, client: Any) -> None:
    from payments.services.merchant_payments import merchant_static_qr
    from tests.payments.factories_movements import merchant_make

    body = {"qr": merchant_static_qr(merchant_make()), "amount": BIG, "currency": "CNY", "pin": PAYMENT_PIN}
    key = str(uuid.uuid4())
    before = ledger_snapshot()

    first = client.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY=key)

    challenge_id = _challenge_of(first)
    assert first.json()["details"]["reason_code"] == "NEW_PAYEE"
    assert ledger_snapshot() == before
    _confirm(client, challenge_id)
    paid = client.post(
        "/api/v1/payments", {**body, "step_up_challenge": challenge_id}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert paid.status_code == 201, paid.json()
    assert StepUpChallenge.objects.get(public_id=challenge_id).used_at is not None


@pytest.mark.django_db
def test_switched_off_the_payment_goes_ahead(alice: Customer, bob: Customer, client: Any, settings: Any) -> None:
    settings.RISK_PRECHECK_STEP_UP = False

    response = _pay(client, bob, str(uuid.uuid4()))

    assert response.status_code == 201, response.json()
    assert not StepUpChallenge.objects.exists()


@pytest.mark.django_db
def test_a_device_first_seen_recently_asks_for_a_step_up(alice: Customer, bob: Customer, risk_on: None) -> None:
    from accounts.models import Device
    from risk.models import KnownPayee

    wallet_fund(alice, "3000.00")
    now = timezone.now()
    KnownPayee.objects.create(
        customer=alice, payee_key=f"customer:{bob.public_id}", first_paid_at=now, last_paid_at=now
    )
    Device.objects.create(customer=alice, device_id="alice-old-phone", first_seen_at=now - timedelta(days=30))
    new_phone = bearer_client(alice, device_id="alice-new-phone")  # first seen now (the token's device)
    old_phone = bearer_client(alice, device_id="alice-old-phone")

    from_new = _pay(new_phone, bob, str(uuid.uuid4()), amount="300.00")
    from_old = _pay(old_phone, bob, str(uuid.uuid4()), amount="300.00")
    small_from_new = _pay(new_phone, bob, str(uuid.uuid4()), amount="200.00")

    _challenge_of(from_new)
    assert from_new.json()["details"]["reason_code"] == "NEW_DEVICE"
    assert from_old.status_code == 201, from_old.json()
    assert small_from_new.status_code == 201, small_from_new.json()
