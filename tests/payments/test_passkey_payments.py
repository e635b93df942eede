"""A passkey confirms a payment through the money endpoints (issue 15): instead of the PIN where the
customer's KYC tier allows it, else together with it; bound to exactly this payment (amount,
currency, payee, Idempotency-Key); single-use; a retry of a stored answer replays it without asking
for any factor again. Every refusal is a clear 4xx with nothing moved."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from accounts.models import Customer, CustomerPasskey, KycTier
from payments.ledger import wallet_code
from payments.models import LedgerAccount
from payments.services.merchant_payments import merchant_static_qr
from tests.accounts.conftest import _sms_outbox, bearer_client  # noqa: F401 - _sms_outbox: the step-up SMS of registration
from tests.accounts.passkey_flows import registered
from tests.accounts.software_authenticator import SoftwareAuthenticator
from tests.factories import PAYMENT_PIN
from tests.payments.factories import ledger_snapshot, wallet_fund
from tests.payments.factories_movements import merchant_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(alice: Customer) -> Any:
    return bearer_client(alice)


@pytest.fixture
def authenticator(client: Any) -> SoftwareAuthenticator:
    authenticator = SoftwareAuthenticator()
    registered(client, authenticator)
    return authenticator


def _tier_allows(customer: Customer, allowed: bool = True) -> None:
    KycTier.objects.filter(pk=customer.kyc_tier_id).update(passkey_replaces_pin=allowed)


def _confirm(client: Any, authenticator: SoftwareAuthenticator, *, payee: str, key: str, amount: str = "12.34") -> Any:
    options = client.post(
        "/api/v1/me/passkeys/payment-options",
        {"amount": amount, "currency": "CNY", "payee": payee, "idempotency_key": key},
        format="json",
    )
    assert options.status_code == 200, options.json()
    body = options.json()
    return {"challenge_id": body["challenge_id"], "credential": authenticator.assertion(body["public_key"])}


def _transfer(client: Any, body: dict[str, Any], key: str) -> Any:
    return client.post("/api/v1/transfers", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def _balance(customer: Customer) -> int:
    return LedgerAccount.objects.get(code=wallet_code(customer, "CNY")).posted_minor


def test_a_passkey_replaces_the_pin_where_the_tier_allows_it(alice, bob, client, authenticator) -> None:
    wallet_fund(alice, "100.00")
    _tier_allows(alice)
    key = str(uuid.uuid4())
    passkey = _confirm(client, authenticator, payee=f"phone:{bob.phone}", key=key)
    body = {"to_phone": bob.phone, "amount": "12.34", "currency": "CNY", "passkey": passkey}

    first = _transfer(client, body, key)
    again = _transfer(client, body, key)  # the challenge is used up: the stored answer comes back

    assert first.status_code == 201, first.json()
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert _balance(alice) == 100_00 - 12_34
    assert CustomerPasskey.objects.get(customer=alice).sign_count == 1


def test_without_the_tier_switch_the_pin_is_needed_as_well(alice, bob, client, authenticator) -> None:
    wallet_fund(alice, "100.00")
    key = str(uuid.uuid4())
    before = ledger_snapshot()

    alone = _transfer(
        client,
        {
            "to_phone": bob.phone,
            "amount": "12.34",
            "passkey": _confirm(client, authenticator, payee=f"phone:{bob.phone}", key=key),
        },
        key,
    )
    assert alone.status_code == 400 and alone.json()["code"] == "pin_required", alone.json()
    assert ledger_snapshot() == before

    key = str(uuid.uuid4())
    both = _transfer(
        client,
        {
            "to_phone": bob.phone,
            "amount": "12.34",
            "pin": PAYMENT_PIN,
            "passkey": _confirm(client, authenticator, payee=f"phone:{bob.phone}", key=key),
        },
        key,
    )
    assert both.status_code == 201, both.json()


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "99.99"},  # another amount than the challenge's
        {"to_phone": "+8613900000000"},  # another payee
    ],
)
def test_a_passkey_asked_for_another_payment_is_refused_and_nothing_moves(
    alice, bob, client, authenticator, change: dict[str, str]
) -> None:
    wallet_fund(alice, "100.00")
    _tier_allows(alice)
    key = str(uuid.uuid4())
    body = {
        "to_phone": bob.phone,
        "amount": "12.34",
        "passkey": _confirm(client, authenticator, payee=f"phone:{bob.phone}", key=key),
    }
    before = ledger_snapshot()

    response = _transfer(client, {**body, **change}, key)

    assert response.status_code == 403 and response.json()["code"] == "passkey_rejected", response.json()
    assert response.json()["details"]["reason"] == "binding"
    assert ledger_snapshot() == before


def test_a_passkey_for_another_idempotency_key_is_refused(alice, bob, client, authenticator) -> None:
    wallet_fund(alice, "100.00")
    _tier_allows(alice)
    passkey = _confirm(client, authenticator, payee=f"phone:{bob.phone}", key="the-first-key")

    response = _transfer(client, {"to_phone": bob.phone, "amount": "12.34", "passkey": passkey}, "another-key")

    assert response.status_code == 403 and response.json()["details"]["reason"] == "binding"
    assert _balance(alice) == 100_00


def test_a_used_challenge_cannot_confirm_a_second_payment(alice, bob, client, authenticator) -> None:
    wallet_fund(alice, "100.00")
    _tier_allows(alice)
    key = str(uuid.uuid4())
    passkey = _confirm(client, authenticator, payee=f"phone:{bob.phone}", key=key)
    assert _transfer(client, {"to_phone": bob.phone, "amount": "12.34", "passkey": passkey}, key).status_code == 201

    replayed = _transfer(client, {"to_phone": bob.phone, "amount": "12.34", "passkey": passkey}, str(uuid.uuid4()))

    assert replayed.status_code in (400, 403), replayed.json()
    assert replayed.json()["code"] in ("passkey_challenge_invalid", "passkey_rejected")
    assert _balance(alice) == 100_00 - 12_34


def test_another_customers_passkey_confirms_nothing(alice, bob, client, authenticator) -> None:
    wallet_fund(bob, "100.00")
    _tier_allows(bob)
    bob_client = bearer_client(bob, device_id="bob-device")
    registered(bob_client, SoftwareAuthenticator())  # Bob has a passkey of his own
    key = str(uuid.uuid4())
    options = bob_client.post(
        "/api/v1/me/passkeys/payment-options",
        {"amount": "1.00", "currency": "CNY", "payee": f"phone:{alice.phone}", "idempotency_key": key},
        format="json",
    ).json()
    alices_answer = authenticator.assertion(options["public_key"])  # Alice's key signs Bob's challenge

    response = _transfer(
        bob_client,
        {
            "to_phone": alice.phone,
            "amount": "1.00",
            "passkey": {"challenge_id": options["challenge_id"], "credential": alices_answer},
        },
        key,
    )

    assert response.status_code == 403 and response.json()["code"] == "passkey_rejected", response.json()
    assert _balance(bob) == 100_00


def test_a_merchant_payment_with_a_passkey_names_the_qr_and_needs_the_amount(alice, client, authenticator) -> None:
    wallet_fund(alice, "100.00")
    _tier_allows(alice)
    qr = merchant_static_qr(merchant_make())
    key = str(uuid.uuid4())
    passkey = _confirm(client, authenticator, payee=f"qr:{qr}", key=key, amount="8.80")

    paid = client.post(
        "/api/v1/payments",
        {"qr": qr, "amount": "8.80", "currency": "CNY", "passkey": passkey},
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )

    assert paid.status_code == 201, paid.json()
    assert _balance(alice) == 100_00 - 8_80


def test_neither_pin_nor_passkey_is_a_400_naming_the_pin(alice, bob, client) -> None:
    response = _transfer(client, {"to_phone": bob.phone, "amount": "1.00"}, str(uuid.uuid4()))

    assert response.status_code == 400 and "pin" in response.json()["details"], response.json()


def test_fx_conversion_takes_the_pin_only(alice, client, authenticator) -> None:
    response = client.post(
        "/api/v1/fx/conversions",
        {"quote": str(uuid.uuid4()), "passkey": {"challenge_id": str(uuid.uuid4()), "credential": {}}},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )

    assert response.status_code == 400, response.json()
