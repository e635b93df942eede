"""Customer passkeys through the API: register (signed in + SMS step-up), list, revoke, sign in.

Real WebAuthn payloads from a software authenticator (tests/accounts/software_authenticator.py),
verified by py_webauthn. Every refusal is a 4xx in the one error format and changes nothing: no
token issued, no counter moved, no passkey stored or revived.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Customer, CustomerPasskey, CustomerToken, Device, OtpChallenge, WebAuthnChallenge
from tests.accounts.conftest import bearer_client, last_code
from tests.accounts.passkey_flows import (
    DEVICE_ID,
    login_body,
    login_options,
    passkey_login,
    register_passkey,
    registered,
)
from tests.accounts.software_authenticator import SoftwareAuthenticator, unb64url
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory(display_name="小王")


@pytest.fixture
def client(customer: Customer) -> APIClient:
    return bearer_client(customer)


@pytest.fixture
def authenticator() -> SoftwareAuthenticator:
    return SoftwareAuthenticator()


def _error(response: Any, status: int, code: str, reason: str | None = None) -> None:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "message", "details", "request_id"}
    assert body["code"] == code
    if reason is not None:
        assert body["details"] == {"reason": reason}


def _state(customer: Customer) -> tuple[Any, ...]:
    """Everything a refused passkey request must leave as it was."""
    passkeys = tuple(
        CustomerPasskey.objects.filter(customer=customer)
        .order_by("pk")
        .values_list("sign_count", "revoked_at", "last_used_at")
    )
    tokens = tuple(CustomerToken.objects.filter(customer=customer).order_by("pk").values_list("pk", "revoked_at"))
    return passkeys, tokens


# --- registration -------------------------------------------------------------------------------


def test_a_signed_in_customer_registers_a_passkey_with_an_sms_code_and_sees_it_listed(client, customer, authenticator):
    response = register_passkey(client, authenticator)

    assert response.status_code == 201, response.json()
    passkey = CustomerPasskey.objects.get(customer=customer)
    assert bytes(passkey.credential_id) == authenticator.credential_id
    assert bytes(passkey.public_key) == authenticator.cose_public_key()
    assert bytes(passkey.user_handle) == authenticator.user_handle
    assert passkey.device == client.device and passkey.sign_count == 0 and passkey.revoked_at is None
    assert OtpChallenge.objects.get(purpose="STEP_UP").consumed_at is not None
    assert not WebAuthnChallenge.objects.exists()
    listed = client.get("/api/v1/me/passkeys").json()["results"]
    assert [p["public_id"] for p in listed] == [str(passkey.public_id)]
    assert listed[0]["name"] == "My phone" and listed[0]["device_id"] == str(client.device.public_id)


def test_registration_options_require_user_verification_and_attestation_none(client):
    options = client.post("/api/v1/me/passkeys/options").json()["public_key"]

    assert options["rp"]["id"] == "localhost"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["attestation"] == "none"
    assert "138" not in options["user"]["name"][3:7]  # the phone is masked on the authenticator


def test_registration_without_a_step_up_code_stores_nothing(client, customer, authenticator):
    options = client.post("/api/v1/me/passkeys/options").json()
    credential = authenticator.register(options["public_key"])

    missing = client.post(
        "/api/v1/me/passkeys", {"challenge_id": options["challenge_id"], "credential": credential}, format="json"
    )
    wrong = client.post(
        "/api/v1/me/passkeys",
        {"challenge_id": options["challenge_id"], "otp_code": "000000", "credential": credential},
        format="json",
    )

    _error(missing, 400, "invalid_request")
    _error(wrong, 400, "otp_invalid")
    assert not CustomerPasskey.objects.exists()


@pytest.mark.parametrize(
    "answer,reason",
    [
        ({"origin": "https://evil.example"}, "origin"),
        ({"rp_id": "evil.example"}, "rp_id"),
        ({"user_verified": False}, "user_verification"),
        ({"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "challenge"),
    ],
)
def test_an_unverifiable_registration_is_refused_and_leaves_the_code_unused(
    client, customer, authenticator, answer, reason
):
    response = register_passkey(client, authenticator, **answer)

    _error(response, 400, "passkey_rejected", reason)
    assert not CustomerPasskey.objects.exists()
    assert OtpChallenge.objects.get(purpose="STEP_UP").consumed_at is None


def test_registration_on_a_device_that_is_not_trusted_is_refused(client, customer, authenticator):
    Device.objects.filter(pk=client.device.pk).update(trusted=False)

    response = client.post("/api/v1/me/passkeys/options")

    _error(response, 403, "device_not_trusted")


def test_a_registration_challenge_is_single_use(client, customer, authenticator):
    assert client.post("/api/v1/me/otp").status_code == 202
    code = last_code()
    options = client.post("/api/v1/me/passkeys/options").json()
    body = {
        "challenge_id": options["challenge_id"],
        "otp_code": code,
        "credential": authenticator.register(options["public_key"]),
    }
    assert client.post("/api/v1/me/passkeys", body, format="json").status_code == 201
    cache.clear()  # the SMS resend gap
    assert client.post("/api/v1/me/otp").status_code == 202  # a fresh code: only the challenge is spent
    body["otp_code"] = last_code()

    again = client.post("/api/v1/me/passkeys", body, format="json")

    _error(again, 400, "passkey_challenge_invalid")
    assert CustomerPasskey.objects.count() == 1


def test_another_customers_registration_challenge_is_invalid(client, customer, authenticator):
    other = bearer_client(CustomerFactory(), device_id="other-phone-0002")
    options = other.post("/api/v1/me/passkeys/options").json()
    client.post("/api/v1/me/otp")

    response = client.post(
        "/api/v1/me/passkeys",
        {
            "challenge_id": options["challenge_id"],
            "otp_code": last_code(),
            "credential": authenticator.register(options["public_key"]),
        },
        format="json",
    )

    _error(response, 400, "passkey_challenge_invalid")
    assert not CustomerPasskey.objects.exists()


# --- sign-in ------------------------------------------------------------------------------------


def test_signing_in_with_a_passkey_issues_the_same_kind_of_token_as_password_login(client, customer, authenticator):
    passkey = registered(client, authenticator)
    old_token = CustomerToken.objects.get(customer=customer, revoked_at__isnull=True)

    response = passkey_login(login_body(authenticator))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"token", "expires_at", "customer_id", "device_id"}
    assert body["customer_id"] == str(customer.public_id) and body["device_id"] == str(client.device.public_id)
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {body['token']}").get("/api/v1/me")
    assert me.status_code == 200 and me.json()["public_id"] == str(customer.public_id)
    passkey.refresh_from_db()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    old_token.refresh_from_db()
    assert old_token.revoked_at is not None  # one live token per device, as with password login


def test_sign_in_options_name_nobody_and_require_user_verification():
    options = login_options("some-device-id-123")["public_key"]

    assert options["userVerification"] == "required"
    assert options["allowCredentials"] == []
    assert options["rpId"] == "localhost"


def test_a_replayed_assertion_is_refused_and_changes_nothing(client, customer, authenticator):
    registered(client, authenticator)
    body = login_body(authenticator)
    assert passkey_login(body).status_code == 200
    before = _state(customer)

    replay = passkey_login(body)

    _error(replay, 400, "passkey_challenge_invalid")
    assert _state(customer) == before


def test_an_old_assertion_against_a_new_challenge_is_refused(client, customer, authenticator):
    registered(client, authenticator)
    old = login_body(authenticator)
    assert passkey_login(old).status_code == 200
    before = _state(customer)

    response = passkey_login({**old, "challenge_id": login_options()["challenge_id"]})

    _error(response, 401, "passkey_rejected", "challenge")
    assert _state(customer) == before


@pytest.mark.parametrize(
    "answer,reason",
    [
        ({"origin": "https://evil.example"}, "origin"),
        ({"origin": "http://localhost:8001"}, "origin"),
        ({"rp_id": "evil.example"}, "rp_id"),
        ({"user_verified": False}, "user_verification"),
    ],
)
def test_a_wrong_origin_rp_id_or_missing_user_verification_is_refused(client, customer, authenticator, answer, reason):
    registered(client, authenticator)
    before = _state(customer)

    response = passkey_login(login_body(authenticator, **answer))

    _error(response, 401, "passkey_rejected", reason)
    assert _state(customer) == before


def test_a_forged_signature_is_refused(client, customer, authenticator):
    registered(client, authenticator)
    before = _state(customer)
    impostor = SoftwareAuthenticator()
    impostor.credential_id, impostor.user_handle = authenticator.credential_id, authenticator.user_handle

    response = passkey_login(login_body(impostor))

    _error(response, 401, "passkey_rejected", "signature")
    assert _state(customer) == before


def test_a_counter_that_goes_backwards_is_refused_and_changes_nothing(client, customer, authenticator):
    passkey = registered(client, authenticator)
    CustomerPasskey.objects.filter(pk=passkey.pk).update(sign_count=10)
    before = _state(customer)

    response = passkey_login(login_body(authenticator, sign_count=7))

    _error(response, 401, "passkey_counter_invalid")
    assert _state(customer) == before


def test_a_revoked_passkey_cannot_sign_in(client, customer, authenticator):
    passkey = registered(client, authenticator)
    assert client.delete(f"/api/v1/me/passkeys/{passkey.public_id}").status_code == 204
    before = _state(customer)

    response = passkey_login(login_body(authenticator))

    _error(response, 401, "passkey_rejected", "unknown_credential")
    assert _state(customer) == before
    assert client.get("/api/v1/me/passkeys").json()["results"] == []


def test_revoking_a_device_revokes_its_passkeys(customer, authenticator):
    bearer_client(customer, device_id="second-phone-0009")
    client = bearer_client(customer)
    passkey = registered(client, authenticator)
    other = bearer_client(customer, device_id="second-phone-0009")

    assert other.delete(f"/api/v1/me/devices/{client.device.public_id}").status_code == 204

    passkey.refresh_from_db()
    assert passkey.revoked_at is not None
    _error(passkey_login(login_body(authenticator)), 401, "passkey_rejected", "unknown_credential")


def test_a_passkey_signs_in_only_on_the_device_it_was_registered_on(client, customer, authenticator):
    registered(client, authenticator)
    before = _state(customer)

    response = passkey_login(login_body(authenticator, device_id="another-device-0042"))

    _error(response, 401, "passkey_rejected", "device")
    assert _state(customer) == before


def test_a_challenge_issued_for_another_device_is_invalid(client, customer, authenticator):
    registered(client, authenticator)
    options = login_options("another-device-0042")

    response = passkey_login(login_body(authenticator, options=options))

    _error(response, 400, "passkey_challenge_invalid")


def test_an_expired_challenge_is_invalid(client, customer, authenticator):
    registered(client, authenticator)
    body = login_body(authenticator)
    WebAuthnChallenge.objects.update(expires_at=timezone.now())
    before = _state(customer)

    _error(passkey_login(body), 400, "passkey_challenge_invalid")
    assert _state(customer) == before


def test_an_unknown_credential_and_garbage_are_refused_cleanly(client, customer, authenticator):
    registered(client, authenticator)
    stranger = SoftwareAuthenticator()

    unknown = passkey_login(login_body(stranger))
    garbage = passkey_login({**login_body(authenticator), "credential": {"rawId": "!!", "id": "x"}})
    no_challenge = passkey_login({**login_body(authenticator), "challenge_id": "not-a-uuid"})

    _error(unknown, 401, "passkey_rejected", "unknown_credential")
    _error(garbage, 401, "passkey_rejected", "malformed")
    _error(no_challenge, 400, "invalid_request")


def test_a_closed_customer_cannot_sign_in_with_a_passkey(client, customer, authenticator):
    registered(client, authenticator)
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.CLOSED)

    _error(passkey_login(login_body(authenticator)), 403, "account_not_active")


def test_the_signed_client_data_carries_the_challenge_of_the_options(client, authenticator):
    registered(client, authenticator)
    options = login_options()
    assertion = authenticator.assertion(options["public_key"])

    import json

    client_data = json.loads(unb64url(assertion["response"]["clientDataJSON"]))
    stored = WebAuthnChallenge.objects.get(pk=options["challenge_id"])
    assert unb64url(client_data["challenge"]) == bytes(stored.challenge)
    assert stored.purpose == "CUSTOMER_LOGIN" and stored.device_key == DEVICE_ID


# --- list and revoke ----------------------------------------------------------------------------


def test_another_customers_passkey_is_404_and_stays_live(client, customer, authenticator):
    passkey = registered(client, authenticator)
    other = bearer_client(CustomerFactory(), device_id="other-phone-0002")

    assert other.get(f"/api/v1/me/passkeys/{passkey.public_id}").status_code == 404
    assert other.delete(f"/api/v1/me/passkeys/{passkey.public_id}").status_code == 404
    assert other.get("/api/v1/me/passkeys").json()["results"] == []
    passkey.refresh_from_db()
    assert passkey.revoked_at is None


def test_every_passkey_route_is_in_the_openapi_schema():
    schema = APIClient().get("/api/v1/schema?format=json").json()

    paths = schema["paths"]
    assert {"post"} <= set(paths["/api/v1/auth/passkey/options"])
    assert {"post"} <= set(paths["/api/v1/auth/passkey/login"])
    assert {"get", "post"} <= set(paths["/api/v1/me/passkeys"])
    assert {"post"} <= set(paths["/api/v1/me/passkeys/options"])
    assert {"post"} <= set(paths["/api/v1/me/passkeys/payment-options"])
    assert {"get", "delete"} <= set(paths["/api/v1/me/passkeys/{public_id}"])
    assert "passkey_rejected" in paths["/api/v1/auth/passkey/login"]["post"]["description"]


def test_the_schema_documents_passkey_rejected_with_the_status_each_operation_answers():
    paths = APIClient().get("/api/v1/schema?format=json").json()["paths"]

    def documented(path: str, method: str) -> dict[str, int]:
        return {e["code"]: e["status"] for e in paths[path][method]["x-error-codes"]}

    login = documented("/api/v1/auth/passkey/login", "post")
    register = documented("/api/v1/me/passkeys", "post")
    assert login["passkey_rejected"] == 401 and login["passkey_counter_invalid"] == 401
    assert register["passkey_rejected"] == 400 and register["passkey_already_registered"] == 409
    examples = paths["/api/v1/me/passkeys"]["post"]["responses"]["400"]["content"]["application/json"]["examples"]
    assert "passkey_rejected" in {e["value"]["code"] for e in examples.values()}
    assert documented("/api/v1/me/passkeys/payment-options", "post")["passkey_not_registered"] == 409
