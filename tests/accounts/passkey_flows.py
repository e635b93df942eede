"""Customer passkey flows through the real API, for the passkey tests (register, sign in, pay)."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from accounts.models import CustomerPasskey
from tests.accounts.conftest import last_code
from tests.accounts.software_authenticator import SoftwareAuthenticator

DEVICE_ID = "test-device-0001"  # bearer_client's default device


def register_passkey(client: APIClient, authenticator: SoftwareAuthenticator, **answer: Any) -> Any:
    """POST me/otp, me/passkeys/options, then me/passkeys with the authenticator's answer."""
    assert client.post("/api/v1/me/otp").status_code == 202
    code = last_code()
    options = client.post("/api/v1/me/passkeys/options").json()
    credential = authenticator.register(options["public_key"], **answer)
    return client.post(
        "/api/v1/me/passkeys",
        {"challenge_id": options["challenge_id"], "otp_code": code, "credential": credential, "name": "My phone"},
        format="json",
    )


def registered(client: APIClient, authenticator: SoftwareAuthenticator) -> CustomerPasskey:
    response = register_passkey(client, authenticator)
    assert response.status_code == 201, response.json()
    return CustomerPasskey.objects.get(public_id=response.json()["public_id"])


def login_options(device_id: str = DEVICE_ID) -> dict[str, Any]:
    response = APIClient().post("/api/v1/auth/passkey/options", {"device_id": device_id}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()  # type: ignore[no-any-return]


def login_body(
    authenticator: SoftwareAuthenticator,
    *,
    device_id: str = DEVICE_ID,
    options: dict[str, Any] | None = None,
    **answer: Any,
) -> dict[str, Any]:
    options = options or login_options(device_id)
    return {
        "challenge_id": options["challenge_id"],
        "device_id": device_id,
        "credential": authenticator.assertion(options["public_key"], **answer),
    }


def passkey_login(body: dict[str, Any]) -> Any:
    return APIClient().post("/api/v1/auth/passkey/login", body, format="json")


PAYMENT = {"amount": "12.34", "currency": "CNY", "payee": "phone:+8613800001111", "idempotency_key": "pay-0001"}


def payment_options(client: APIClient, **overrides: str) -> dict[str, Any]:
    response = client.post("/api/v1/me/passkeys/payment-options", {**PAYMENT, **overrides}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()  # type: ignore[no-any-return]
