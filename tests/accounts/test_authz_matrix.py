"""Authorization matrix of the accounts API: every endpoint × owner, another customer, anonymous.

Anonymous gets 401 everywhere except the four sign-in endpoints; another customer never reaches
the owner's objects (404, object unchanged) and ``me`` endpoints only ever show the caller's own data.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import get_resolver
from rest_framework.test import APIClient

from accounts.api import urls as accounts_urls
from accounts.models import Customer, CustomerPasskey, Device, LinkedCard
from tests.accounts.conftest import bearer_client
from tests.factories import PAYMENT_PIN, CustomerFactory, LinkedCardFactory

pytestmark = pytest.mark.django_db


@dataclass
class World:
    owner: Customer
    other: Customer
    owner_client: APIClient
    other_client: APIClient
    card: LinkedCard
    device: Device
    passkey: CustomerPasskey


@pytest.fixture
def world() -> World:
    owner, other = CustomerFactory(legal_name="王五"), CustomerFactory(legal_name="赵六")
    owner_client = bearer_client(owner, device_id="owner-phone-0001")
    bearer_client(owner, device_id="owner-tablet-0002")
    passkey = CustomerPasskey.objects.create(
        customer=owner,
        device=owner_client.device,  # type: ignore[attr-defined]
        credential_id=secrets.token_bytes(32),
        credential_id_hash=secrets.token_hex(32),
        public_key=b"cose",
        user_handle=secrets.token_bytes(32),
    )
    return World(
        owner=owner,
        other=other,
        owner_client=owner_client,
        other_client=bearer_client(other),
        card=LinkedCardFactory(customer=owner),
        device=Device.objects.get(device_id="owner-tablet-0002"),
        passkey=passkey,
    )


ANONYMOUS_OK = {
    "auth/otp",
    "auth/register",
    "auth/login",
    "auth/password/reset",
    "auth/passkey/options",
    "auth/passkey/login",
}
PUBLIC_READ = {"consent-texts", "kyc/tiers"}  # reference data an app shows before registration
PAYMENT = {"amount": "1.00", "currency": "CNY", "payee": "phone:+8613800001111", "idempotency_key": "k-1"}

# (method, route, body builder, owner's expected status)
CUSTOMER_ENDPOINTS: list[tuple[str, str, Any, int]] = [
    ("post", "auth/logout", None, 204),
    ("post", "auth/password", lambda w: {"old_password": "x" * 12, "new_password": "y" * 12}, 403),
    ("get", "me", None, 200),
    ("patch", "me", lambda w: {"display_name": "x"}, 200),
    ("post", "me/otp", None, 202),
    ("put", "me/pin", lambda w: {"pin": "482915", "old_pin": "246810"}, 204),
    ("get", "me/kyc", None, 200),
    ("post", "me/kyc", lambda w: {"legal_name": "王五", "national_id": "110105199503071239"}, 409),
    ("get", "me/consents", None, 200),
    ("post", "me/consents", lambda w: {"purpose": "MARKETING", "version": "2026-01"}, 201),
    ("delete", "me/consents/MARKETING", None, 404),
    ("get", "me/devices", None, 200),
    ("get", "me/passkeys", None, 200),
    ("post", "me/passkeys/options", None, 200),
    (
        "post",
        "me/passkeys",
        lambda w: {"challenge_id": str(uuid.uuid4()), "otp_code": "123456", "credential": {"id": "x"}},
        400,  # no STEP_UP code was sent
    ),
    ("post", "me/passkeys/payment-options", lambda w: PAYMENT, 200),
    ("get", "cards", None, 200),
    (
        "post",
        "cards",
        lambda w: {"gateway_token": "gw_tok_matrix01", "bank_name": "农业银行", "last4": "1234", "pin": PAYMENT_PIN},
        201,
    ),
]
OBJECT_ENDPOINTS: list[tuple[str, str, int]] = [
    ("get", "cards/{card}", 200),
    ("delete", "cards/{card}", 204),
    ("delete", "me/devices/{device}", 204),
    ("get", "me/passkeys/{passkey}", 200),
    ("delete", "me/passkeys/{passkey}", 204),
]


def _url(route: str, w: World) -> str:
    return "/api/v1/" + route.format(card=w.card.public_id, device=w.device.public_id, passkey=w.passkey.public_id)


def test_the_matrix_covers_every_accounts_route():
    routes = {str(p.pattern) for p in accounts_urls.urlpatterns}
    covered = (
        {r for _, r, _, _ in CUSTOMER_ENDPOINTS} | {r for _, r, _ in OBJECT_ENDPOINTS} | ANONYMOUS_OK | PUBLIC_READ
    )
    placeholder = {"cards": "{card}", "me/passkeys": "{passkey}"}
    normalised = {
        r.replace("<uuid:public_id>", next((v for k, v in placeholder.items() if r.startswith(k)), "{device}")).replace(
            "<str:purpose>", "MARKETING"
        )
        for r in routes
    }
    assert normalised <= covered
    assert get_resolver().resolve("/api/v1/me")


@pytest.mark.parametrize(
    "method,route", [(m, r) for m, r, _, _ in CUSTOMER_ENDPOINTS] + [(m, r) for m, r, _ in OBJECT_ENDPOINTS]
)
def test_anonymous_gets_401(world, method, route):
    response = getattr(APIClient(), method)(_url(route, world), {}, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("route", sorted(ANONYMOUS_OK))
def test_sign_in_endpoints_are_open_to_anonymous_callers_but_validate(route):
    response = APIClient().post(f"/api/v1/{route}", {}, format="json")

    assert response.status_code == 400


@pytest.mark.parametrize("route", sorted(PUBLIC_READ))
def test_public_reference_data_is_readable_by_anyone_and_writable_by_nobody(route):
    assert APIClient().get(f"/api/v1/{route}").status_code == 200
    assert APIClient().post(f"/api/v1/{route}", {}, format="json").status_code == 405


@pytest.mark.parametrize("method,route,body,expected", CUSTOMER_ENDPOINTS)
def test_owner_reaches_own_data_and_another_customer_only_theirs(world, method, route, body, expected):
    payload = body(world) if body else {}

    owner_response = getattr(world.owner_client, method)(_url(route, world), payload, format="json")
    other_response = getattr(world.other_client, method)(_url(route, world), payload, format="json")

    assert owner_response.status_code == expected, owner_response.content
    for response in (owner_response, other_response):
        assert "赵六" not in response.content.decode() or response is other_response
    text = other_response.content.decode()
    assert str(world.owner.public_id) not in text
    assert str(world.card.public_id) not in text and str(world.device.public_id) not in text
    assert str(world.passkey.public_id) not in text
    assert "王五" not in text


@pytest.mark.parametrize("method,route,expected", OBJECT_ENDPOINTS)
def test_another_customers_objects_are_404_and_unchanged(world, method, route, expected):
    other = getattr(world.other_client, method)(_url(route, world))

    assert other.status_code == 404
    assert LinkedCard.objects.get(pk=world.card.pk).status == LinkedCard.Status.ACTIVE
    assert Device.objects.get(pk=world.device.pk).trusted is True
    assert world.owner.tokens.filter(device=world.device, revoked_at__isnull=True).exists()
    assert CustomerPasskey.objects.get(pk=world.passkey.pk).revoked_at is None
    owner = getattr(world.owner_client, method)(_url(route, world))
    assert owner.status_code == expected
