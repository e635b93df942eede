"""The passkey payment factor: ``accounts.services.passkey_payment_verify`` bound to one payment.

The payments app wires it into the money step (docs/accounts.md "Passkeys"); here the factor itself:
the challenge names the payment (its fingerprint is the challenge's tail, so the authenticator signs
it), any other amount, payee, currency or key is refused, and so are replays, another customer's
credential, a revoked one and a counter going backwards, each leaving everything as it was.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from accounts import services
from accounts.errors import PasskeyChallengeInvalid, PasskeyCounterInvalid, PasskeyRejected
from accounts.models import Customer, CustomerPasskey, CustomerToken, KycTier
from tests.accounts.conftest import bearer_client
from tests.accounts.passkey_flows import PAYMENT, payment_options, registered
from tests.accounts.software_authenticator import SoftwareAuthenticator, unb64url
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory()


@pytest.fixture
def client(customer: Customer) -> Any:
    return bearer_client(customer)


@pytest.fixture
def authenticator() -> SoftwareAuthenticator:
    return SoftwareAuthenticator()


def _verify(
    client: Any, customer: Customer, options: dict[str, Any], credential: dict[str, Any], **payment: Any
) -> Any:
    details = {
        "amount_minor": 1234,
        "currency": "CNY",
        "payee": PAYMENT["payee"],
        "idempotency_key": PAYMENT["idempotency_key"],
    }
    details.update(payment)
    return services.passkey_payment_verify(
        customer=customer,
        token=CustomerToken.objects.get(customer=customer, device=client.device, revoked_at__isnull=True),
        challenge_id=options["challenge_id"],
        credential=credential,
        **details,
    )


def _counters(customer: Customer) -> list[tuple[int, Any]]:
    return list(
        CustomerPasskey.objects.filter(customer=customer).order_by("pk").values_list("sign_count", "last_used_at")
    )


def test_a_passkey_confirms_exactly_the_payment_it_was_asked_for(client, customer, authenticator):
    passkey = registered(client, authenticator)
    options = payment_options(client)

    factor = _verify(client, customer, options, authenticator.assertion(options["public_key"]))

    assert factor.customer_id == customer.pk and factor.passkey_id == passkey.public_id
    assert factor.factor == "PASSKEY" and factor.user_verified and factor.satisfies_step_up
    assert factor.replaces_pin is False  # no tier allows it until an administrator says so
    assert factor.fingerprint == services.payment_fingerprint(
        customer=customer, amount_minor=1234, currency="CNY", payee=PAYMENT["payee"], idempotency_key="pay-0001"
    )
    passkey.refresh_from_db()
    assert passkey.sign_count == 1


def test_the_signed_challenge_ends_with_the_payment_fingerprint(client, customer, authenticator):
    registered(client, authenticator)
    options = payment_options(client)
    assertion = authenticator.assertion(options["public_key"])

    signed = unb64url(json.loads(unb64url(assertion["response"]["clientDataJSON"]))["challenge"])

    fingerprint = services.payment_fingerprint(
        customer=customer, amount_minor=1234, currency="CNY", payee=PAYMENT["payee"], idempotency_key="pay-0001"
    )
    assert signed.endswith(bytes.fromhex(fingerprint)) and len(signed) == 64
    assert [c["id"] for c in options["public_key"]["allowCredentials"]] == [assertion["id"]]
    assert options["public_key"]["userVerification"] == "required"


def test_the_kyc_tier_decides_whether_a_passkey_replaces_the_pin(client, customer, authenticator):
    registered(client, authenticator)
    KycTier.objects.filter(level=customer.kyc_tier_id).update(passkey_replaces_pin=True)
    options = payment_options(client)

    factor = _verify(client, customer, options, authenticator.assertion(options["public_key"]))

    assert factor.replaces_pin is True
    assert services.passkey_may_replace_pin(customer=customer) is True


@pytest.mark.parametrize(
    "changed",
    [
        {"amount_minor": 1235},
        {"currency": "USD"},
        {"payee": "phone:+8613800002222"},
        {"idempotency_key": "pay-0002"},
    ],
)
def test_an_assertion_for_another_payment_is_refused_and_changes_nothing(client, customer, authenticator, changed):
    registered(client, authenticator)
    options = payment_options(client)
    before = _counters(customer)

    with pytest.raises(PasskeyRejected) as refused:
        _verify(client, customer, options, authenticator.assertion(options["public_key"]), **changed)

    assert refused.value.status_code == 403 and refused.value.details == {"reason": "binding"}
    assert _counters(customer) == before


def test_a_replayed_payment_assertion_is_refused(client, customer, authenticator):
    registered(client, authenticator)
    options = payment_options(client)
    assertion = authenticator.assertion(options["public_key"])
    _verify(client, customer, options, assertion)
    before = _counters(customer)

    with pytest.raises(PasskeyChallengeInvalid) as refused:
        _verify(client, customer, options, assertion)

    assert refused.value.status_code == 400
    assert _counters(customer) == before


def test_another_customers_credential_cannot_confirm_my_payment(client, customer, authenticator):
    registered(client, authenticator)
    other = CustomerFactory()
    other_client = bearer_client(other, device_id="other-phone-0002")
    other_authenticator = SoftwareAuthenticator()
    registered(other_client, other_authenticator)
    options = payment_options(client)
    before = _counters(customer), _counters(other)

    with pytest.raises(PasskeyRejected) as refused:
        _verify(client, customer, options, other_authenticator.assertion(options["public_key"]))

    assert refused.value.status_code == 403 and refused.value.details == {"reason": "unknown_credential"}
    assert (_counters(customer), _counters(other)) == before


def test_another_customers_challenge_is_invalid_for_my_payment(client, customer, authenticator):
    registered(client, authenticator)
    other = CustomerFactory()
    other_client = bearer_client(other, device_id="other-phone-0002")
    registered(other_client, SoftwareAuthenticator())
    their_options = payment_options(other_client)

    with pytest.raises(PasskeyChallengeInvalid):
        _verify(client, customer, their_options, authenticator.assertion(their_options["public_key"]))


def test_a_revoked_passkey_cannot_confirm_a_payment(client, customer, authenticator):
    passkey = registered(client, authenticator)
    options = payment_options(client)
    client.delete(f"/api/v1/me/passkeys/{passkey.public_id}")

    with pytest.raises(PasskeyRejected) as refused:
        _verify(client, customer, options, authenticator.assertion(options["public_key"]))

    assert refused.value.details == {"reason": "unknown_credential"}


def test_a_payment_counter_going_backwards_is_refused(client, customer, authenticator):
    passkey = registered(client, authenticator)
    CustomerPasskey.objects.filter(pk=passkey.pk).update(sign_count=50)
    options = payment_options(client)
    before = _counters(customer)

    with pytest.raises(PasskeyCounterInvalid) as refused:
        _verify(client, customer, options, authenticator.assertion(options["public_key"], sign_count=49))

    assert refused.value.status_code == 403
    assert _counters(customer) == before


@pytest.mark.parametrize(
    "answer,reason", [({"origin": "https://evil.example"}, "origin"), ({"user_verified": False}, "user_verification")]
)
def test_a_payment_assertion_from_elsewhere_or_without_the_biometric_is_refused(
    client, customer, authenticator, answer, reason
):
    registered(client, authenticator)
    options = payment_options(client)

    with pytest.raises(PasskeyRejected) as refused:
        _verify(client, customer, options, authenticator.assertion(options["public_key"], **answer))

    assert refused.value.details == {"reason": reason}


def test_payment_options_need_a_passkey_on_this_device_and_a_valid_amount(client, customer):
    no_passkey = client.post("/api/v1/me/passkeys/payment-options", PAYMENT, format="json")
    float_amount = client.post("/api/v1/me/passkeys/payment-options", {**PAYMENT, "amount": 12.34}, format="json")
    too_precise = client.post("/api/v1/me/passkeys/payment-options", {**PAYMENT, "amount": "1.234"}, format="json")

    assert no_passkey.status_code == 409 and no_passkey.json()["code"] == "passkey_not_registered"
    assert float_amount.status_code == 400
    assert too_precise.status_code == 400


def test_an_administrator_lets_passkeys_replace_the_pin_for_a_tier_audited():
    from core.models import AuditEvent
    from tests.accounts.conftest import admin_client_for
    from tests.factories import StaffFactory

    admin_user = StaffFactory(roles=["ADMINISTRATOR"])
    tier = KycTier.objects.get(level=2)

    response = admin_client_for(admin_user).post(
        f"/admin/accounts/kyctier/{tier.pk}/change/",
        {
            "name": tier.name,
            "per_transaction_limit_minor": tier.per_transaction_limit_minor,
            "daily_limit_minor": tier.daily_limit_minor,
            "monthly_limit_minor": tier.monthly_limit_minor,
            "balance_cap_minor": tier.balance_cap_minor,
            "passkey_replaces_pin": "on",
        },
    )

    assert response.status_code == 302
    assert KycTier.objects.get(level=2).passkey_replaces_pin is True
    event = AuditEvent.objects.get(action="accounts.kyctier.change")
    assert event.actor == admin_user and event.changes == {"passkey_replaces_pin": [False, True]}
