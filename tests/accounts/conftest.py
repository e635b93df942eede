"""Fixtures of the accounts tests: SMS into an in-memory outbox, signed-in API clients, staff admin clients."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import integrations
from accounts.models import Customer
from accounts.services.auth import _device_trust, _token_issue
from tests.accounts.factories import ensure_reference_data


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """KYC tiers and role groups come from data migration 0002. A ``transaction=True`` test anywhere
    in the run flushes them; put them back so each test starts from the migrated state."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    ensure_reference_data()


@pytest.fixture(autouse=True)
def _sms_outbox(settings: object) -> Iterator[list[integrations.SmsMessage]]:
    settings.SMS_BACKEND = "accounts.integrations.LocmemSmsBackend"  # type: ignore[attr-defined]
    settings.ACCOUNTS_SMS_DELIVERY = "inline"  # type: ignore[attr-defined]  # send before answering: tests read the outbox
    integrations.outbox.clear()
    yield integrations.outbox
    integrations.outbox.clear()


@pytest.fixture
def sms_outbox(_sms_outbox: list[integrations.SmsMessage]) -> list[integrations.SmsMessage]:
    return _sms_outbox


def last_code(phone: str | None = None) -> str:
    """The 6-digit code of the last SMS (to ``phone`` if given)."""
    messages = [m for m in integrations.outbox if phone is None or m.phone == phone]
    assert messages, "no SMS was sent"
    match = re.search(r"\b(\d{6})\b", messages[-1].body)
    assert match
    return match.group(1)


def bearer_client(customer: Customer, device_id: str = "test-device-0001") -> APIClient:
    """An API client signed in as ``customer`` on a trusted device (token issued by the real service)."""
    from django.db import transaction

    with transaction.atomic():
        device = _device_trust(customer=customer, device_id=device_id, name="pytest")
        issued = _token_issue(customer=customer, device=device)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.token}")
    client.token = issued.token  # type: ignore[attr-defined]
    client.device = device  # type: ignore[attr-defined]
    return client


def admin_client_for(user: object, *, verified: bool = True) -> Client:
    """A Django test client logged in as ``user``; ``verified`` also passes TOTP (a confirmed device
    stored in the session, exactly what ``django_otp.login`` does after a correct code)."""
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    if verified:
        device = TOTPDevice.objects.create(user=user, name="pytest", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


STRONG_PASSWORD = "Blue-Harbour-Lantern-58"
NEW_PASSWORD = "Quiet-Orchard-Rivers-31"


def otp_for(client: APIClient, phone: str, purpose: str) -> str:
    """Request a code through the API and read it from the SMS outbox."""
    response = client.post("/api/v1/auth/otp", {"phone": phone, "purpose": purpose})
    assert response.status_code == 202, response.json()
    return last_code()


def register_payload(phone: str, code: str, **overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "phone": phone,
        "password": STRONG_PASSWORD,
        "otp_code": code,
        "device_id": "device-0001-abcdef",
        "device_name": "iPhone",
        "terms_version": "2026-01",
        "privacy_version": "2026-01",
    }
    payload.update(overrides)
    return payload
