"""No enumeration of customers: registration, login, reset and KYC answer alike for known and
unknown phones (and ID numbers), in body and in the work done; SMS leave after the answer."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts import integrations
from accounts.models import OtpChallenge
from accounts.services import otp
from tests.accounts.conftest import STRONG_PASSWORD, otp_for, register_payload
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

KNOWN = "+8613900000001"
UNKNOWN = "+8613900000002"


def _answer(response: Any) -> tuple[int, dict[str, Any]]:
    body = dict(response.json()) if response.content else {}
    body.pop("request_id", None)
    return response.status_code, body


@pytest.fixture
def known_customer() -> Any:
    return CustomerFactory(phone=KNOWN, phone_index=otp.phone_index(KNOWN))


@pytest.mark.parametrize("purpose", ["REGISTER", "LOGIN", "RESET_PASSWORD"])
def test_otp_request_answers_and_works_alike_for_known_and_unknown_phones(known_customer, monkeypatch, purpose):
    dispatched: list[tuple[str, bool]] = []
    monkeypatch.setattr(otp, "otp_sms_dispatch", lambda *, phone, body: dispatched.append((phone, body is not None)))

    known = APIClient().post("/api/v1/auth/otp", {"phone": KNOWN, "purpose": purpose})
    unknown = APIClient().post("/api/v1/auth/otp", {"phone": UNKNOWN, "purpose": purpose})

    assert _answer(known) == _answer(unknown)
    assert known.status_code == 202
    assert [phone for phone, _ in dispatched] == [KNOWN, UNKNOWN]  # one SMS job each, after the same work
    assert OtpChallenge.objects.filter(purpose=purpose).count() == 2


def test_what_the_sms_says_for_known_and_unknown_phones(known_customer, sms_outbox):
    for phone in (KNOWN, UNKNOWN):
        APIClient().post("/api/v1/auth/otp", {"phone": phone, "purpose": "REGISTER"})
    register = {m.phone: m.body for m in sms_outbox}
    sms_outbox.clear()
    cache.clear()  # past the resend gap
    for phone in (KNOWN, UNKNOWN):
        APIClient().post("/api/v1/auth/otp", {"phone": phone, "purpose": "LOGIN"})
    login = {m.phone: m.body for m in sms_outbox}

    # The SMS is in the default language, Simplified Chinese: "this number already has a Tongbao account".
    assert "已注册通宝账户" in register[KNOWN] and not re.search(r"\d{6}", register[KNOWN])
    assert re.search(r"\d{6}", register[UNKNOWN])
    assert set(login) == {KNOWN}


def test_registering_a_known_phone_answers_like_a_wrong_code_for_an_unknown_one(known_customer):
    for phone in (KNOWN, UNKNOWN):
        APIClient().post("/api/v1/auth/otp", {"phone": phone, "purpose": "REGISTER"})

    known = APIClient().post("/api/v1/auth/register", register_payload(KNOWN, "123456"))
    unknown = APIClient().post("/api/v1/auth/register", register_payload(UNKNOWN, "123456"))

    assert _answer(known) == _answer(unknown)
    assert known.status_code == 400 and known.json()["code"] == "otp_invalid"


def test_registering_without_a_request_answers_alike_even_after_a_past_registration():
    client = APIClient()
    code = otp_for(client, KNOWN, "REGISTER")
    assert client.post("/api/v1/auth/register", register_payload(KNOWN, code)).status_code == 201

    known = APIClient().post("/api/v1/auth/register", register_payload(KNOWN, code))
    unknown = APIClient().post("/api/v1/auth/register", register_payload(UNKNOWN, code))

    assert _answer(known) == _answer(unknown)


def test_password_reset_answers_alike_for_known_and_unknown_phones(known_customer):
    payload = {"otp_code": "123456", "new_password": "Amber-Window-Falcon-90"}
    before = [
        _answer(APIClient().post("/api/v1/auth/password/reset", {**payload, "phone": p})) for p in (KNOWN, UNKNOWN)
    ]
    for phone in (KNOWN, UNKNOWN):
        APIClient().post("/api/v1/auth/otp", {"phone": phone, "purpose": "RESET_PASSWORD"})

    after = [
        _answer(APIClient().post("/api/v1/auth/password/reset", {**payload, "phone": p})) for p in (KNOWN, UNKNOWN)
    ]

    assert before[0] == before[1]
    assert after[0] == after[1]
    assert after[0][1]["details"] == {"attempts_left": 4}


def test_login_answers_alike_for_a_wrong_password_and_an_unknown_phone(known_customer):
    payload = {"password": STRONG_PASSWORD + "x", "device_id": "device-0001-abcdef"}

    known = APIClient().post("/api/v1/auth/login", {**payload, "phone": KNOWN})
    unknown = APIClient().post("/api/v1/auth/login", {**payload, "phone": UNKNOWN})

    assert _answer(known) == _answer(unknown)


@pytest.mark.django_db(transaction=True)
def test_the_sms_leaves_after_the_answer(settings):
    settings.ACCOUNTS_SMS_DELIVERY = "thread"
    release = threading.Event()
    sent = threading.Event()

    class SlowGateway:
        def send(self, message: integrations.SmsMessage) -> None:
            release.wait(5)
            integrations.outbox.append(message)
            sent.set()

    settings.SMS_BACKEND = f"{__name__}.SlowGateway"
    globals()["SlowGateway"] = SlowGateway

    response = APIClient().post("/api/v1/auth/otp", {"phone": UNKNOWN, "purpose": "REGISTER"})

    assert response.status_code == 202
    assert not sent.is_set()  # answered while the gateway still holds the message
    release.set()
    assert sent.wait(5)
    assert integrations.outbox[-1].phone == UNKNOWN
