"""Registration and OTP: the happy path and every bad input of issue 3, each a clear 4xx with nothing half-created."""

from __future__ import annotations

import logging
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Consent, Customer, CustomerToken, Device, OtpChallenge
from accounts.pii import phone_index
from core.models import OutboxEvent
from tests.accounts.conftest import STRONG_PASSWORD, last_code, otp_for, register_payload
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PHONE = "+8613912345678"


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Customer.objects.count(),
        Consent.objects.count(),
        Device.objects.count(),
        CustomerToken.objects.count(),
        OutboxEvent.objects.filter(topic="customer.registered").count(),
    )


def test_register_with_otp_creates_customer_consents_device_token_and_event(api_client, sms_outbox):
    code = otp_for(api_client, "139 1234 5678", "REGISTER")

    response = api_client.post("/api/v1/auth/register", register_payload(PHONE, code, marketing_version="2026-01"))

    assert response.status_code == 201, response.json()
    body = response.json()
    customer = Customer.objects.get(public_id=body["customer_id"])
    assert customer.phone == PHONE
    assert customer.phone_index == phone_index(PHONE)
    assert customer.kyc_tier_id == 0
    assert customer.onboarding_channel == Customer.Channel.APP
    assert customer.phone_verified_at is not None
    assert customer.password.startswith("argon2")
    assert sorted(customer.consents.values_list("purpose", flat=True)) == ["MARKETING", "PRIVACY", "TERMS"]
    device = Device.objects.get(customer=customer)
    assert device.trusted and str(device.public_id) == body["device_id"]
    assert CustomerToken.objects.get(customer=customer).key_hash != body["token"]
    event = OutboxEvent.objects.get(topic="customer.registered")
    assert event.payload["customer_id"] == str(customer.public_id)
    assert PHONE not in str(event.payload)
    assert sms_outbox[0].phone == PHONE
    me = api_client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200
    assert me.json()["phone_masked"] == "139****5678"


@pytest.mark.parametrize("phone", ["12345", "abc", "+86139123456789", "", "1391234567x"])
def test_malformed_phone_is_a_400_and_sends_nothing(api_client, sms_outbox, phone):
    response = api_client.post("/api/v1/auth/otp", {"phone": phone, "purpose": "REGISTER"})

    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_phone", "invalid_request")
    assert set(response.json()) == {"code", "message", "details", "request_id"}
    assert sms_outbox == []
    assert OtpChallenge.objects.count() == 0


def test_unknown_otp_purpose_is_a_400(api_client):
    response = api_client.post("/api/v1/auth/otp", {"phone": PHONE, "purpose": "STEP_UP"})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


@pytest.mark.parametrize("password", ["short-1A!", "password12345", "123456789012345", "13912345678-Abc!"])
def test_weak_password_is_a_400_and_leaves_the_code_usable(api_client, password):
    code = otp_for(api_client, PHONE, "REGISTER")
    before = _counts()

    response = api_client.post("/api/v1/auth/register", register_payload(PHONE, code, password=password))

    assert response.status_code == 400
    assert response.json()["code"] == "weak_password"
    assert response.json()["details"]["password"]
    assert _counts() == before
    assert OtpChallenge.objects.get().consumed_at is None
    assert api_client.post("/api/v1/auth/register", register_payload(PHONE, code)).status_code == 201


def test_wrong_otp_is_a_400_with_attempts_left_and_nothing_created(api_client):
    code = otp_for(api_client, PHONE, "REGISTER")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    before = _counts()

    response = api_client.post("/api/v1/auth/register", register_payload(PHONE, wrong))

    assert response.status_code == 400
    assert response.json()["code"] == "otp_invalid"
    assert response.json()["details"] == {"attempts_left": 4}
    assert _counts() == before
    assert OtpChallenge.objects.get().attempts == 1


def test_expired_otp_is_refused(api_client):
    code = otp_for(api_client, PHONE, "REGISTER")
    OtpChallenge.objects.update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    before = _counts()

    response = api_client.post("/api/v1/auth/register", register_payload(PHONE, code))

    assert response.status_code == 400
    assert response.json()["code"] == "otp_expired"
    assert _counts() == before


def test_a_code_serves_only_its_own_purpose(api_client):
    code = otp_for(api_client, PHONE, "REGISTER")
    assert api_client.post("/api/v1/auth/register", register_payload(PHONE, code)).status_code == 201

    response = api_client.post(
        "/api/v1/auth/password/reset", {"phone": PHONE, "otp_code": code, "new_password": STRONG_PASSWORD + "x"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "otp_invalid"


def test_a_consumed_code_cannot_be_used_twice(api_client):
    customer = CustomerFactory(phone=PHONE, phone_index=phone_index(PHONE))
    code = otp_for(api_client, PHONE, "RESET_PASSWORD")
    payload = {"phone": PHONE, "otp_code": code, "new_password": "Amber-Window-Falcon-90"}
    assert api_client.post("/api/v1/auth/password/reset", payload).status_code == 204
    password_after_first = Customer.objects.get(pk=customer.pk).password

    response = api_client.post("/api/v1/auth/password/reset", {**payload, "new_password": "Other-Window-Falcon-91"})

    assert response.status_code == 400
    assert response.json()["code"] == "otp_invalid"  # not "otp_used": that would say the phone has an account
    assert Customer.objects.get(pk=customer.pk).password == password_after_first


def test_too_many_wrong_codes_locks_the_challenge_even_for_the_right_code(api_client):
    code = otp_for(api_client, PHONE, "REGISTER")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    statuses = [
        api_client.post("/api/v1/auth/register", register_payload(PHONE, wrong)).json()["code"] for _ in range(5)
    ]

    response = api_client.post("/api/v1/auth/register", register_payload(PHONE, code))

    assert statuses == ["otp_invalid"] * 4 + ["otp_too_many_attempts"]
    assert response.status_code == 429
    assert response.json()["code"] == "otp_too_many_attempts"
    assert Customer.objects.count() == 0


def test_duplicate_registration_answers_like_any_phone_and_sends_no_code(api_client, sms_outbox):
    """Issue 9 item 8: this used to be a 409 at OTP request and at registration (an enumeration oracle)."""
    code = otp_for(api_client, PHONE, "REGISTER")
    CustomerFactory(phone=PHONE, phone_index=phone_index(PHONE))  # someone registered meanwhile (counter)
    sms_outbox.clear()
    cache.clear()  # a minute later: past the resend gap

    again = api_client.post("/api/v1/auth/otp", {"phone": "13912345678", "purpose": "REGISTER"})
    response = api_client.post("/api/v1/auth/register", register_payload(PHONE, code))

    assert again.status_code == 202
    assert len(sms_outbox) == 1 and not re.search(r"\d{6}", sms_outbox[0].body)  # no code in it
    assert response.status_code == 400  # the newest challenge's code was never sent
    assert response.json()["code"] == "otp_invalid"
    assert Customer.objects.count() == 1


def test_missing_consent_versions_are_refused(api_client):
    code = otp_for(api_client, PHONE, "REGISTER")

    response = api_client.post("/api/v1/auth/register", register_payload(PHONE, code, terms_version=""))

    assert response.status_code == 400
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    "field,version",
    [("terms_version", "v1"), ("privacy_version", "2025-12"), ("marketing_version", "latest")],
)
def test_a_consent_version_that_is_not_current_is_refused_and_the_code_kept(api_client, field, version):
    code = otp_for(api_client, PHONE, "REGISTER")

    refused = api_client.post("/api/v1/auth/register", register_payload(PHONE, code, **{field: version}))
    accepted = api_client.post("/api/v1/auth/register", register_payload(PHONE, code))

    assert refused.status_code == 400
    assert refused.json()["code"] == "consent_version_invalid"
    assert refused.json()["details"]["current_version"] == "2026-01"
    assert accepted.status_code == 201  # the refusal came before the code was used


def test_otp_resend_is_rate_limited_per_phone(api_client, sms_outbox):
    otp_for(api_client, PHONE, "REGISTER")

    response = api_client.post("/api/v1/auth/otp", {"phone": PHONE, "purpose": "REGISTER"})

    assert response.status_code == 429
    assert response.json()["code"] == "otp_rate_limited"
    assert len(sms_outbox) == 1


def test_otp_requests_are_rate_limited_per_address(api_client, monkeypatch, sms_outbox):
    from accounts.services import otp

    monkeypatch.setattr(otp, "OTP_MAX_PER_IP_PER_HOUR", 3)
    codes = [
        api_client.post("/api/v1/auth/otp", {"phone": f"+861391234560{i}", "purpose": "REGISTER"}).status_code
        for i in range(4)
    ]

    assert codes == [202, 202, 202, 429]
    assert len(sms_outbox) == 3


def test_otp_for_unknown_phone_login_answers_alike_but_sends_nothing(api_client, sms_outbox):
    response = api_client.post("/api/v1/auth/otp", {"phone": PHONE, "purpose": "LOGIN"})

    assert response.status_code == 202
    assert sms_outbox == []
    assert OtpChallenge.objects.count() == 1  # the same work as for a known phone; its code goes nowhere


def test_the_code_is_stored_hashed_and_never_logged(api_client, caplog):
    caplog.set_level(logging.DEBUG)
    code = otp_for(api_client, PHONE, "REGISTER")

    challenge = OtpChallenge.objects.get()

    assert code not in challenge.code_hash
    assert challenge.code_hash.startswith("hmac-sha256$")
    lifetime = (challenge.expires_at - challenge.created_at).total_seconds()
    assert 299 <= lifetime <= 301
    assert code not in caplog.text
    assert PHONE not in caplog.text


def test_register_twice_with_same_code_concurrently_is_single_use(api_client):
    """The second request sees the code consumed (or the phone taken): one customer only."""
    code = otp_for(api_client, PHONE, "REGISTER")
    first = api_client.post("/api/v1/auth/register", register_payload(PHONE, code))

    second = api_client.post("/api/v1/auth/register", register_payload(PHONE, code, device_id="device-0002-xyz"))

    assert first.status_code == 201
    assert second.status_code == 400  # was a 409 phone_already_registered: an enumeration oracle (issue 9)
    assert second.json()["code"] == "otp_invalid"
    assert Customer.objects.count() == 1


def test_last_code_helper_reads_latest(api_client):
    otp_for(api_client, PHONE, "REGISTER")
    assert len(last_code()) == 6


def test_registration_with_a_referrer_is_attributed_to_them(api_client):
    referrer = CustomerFactory()
    code = otp_for(api_client, PHONE, "REGISTER")

    response = api_client.post(
        "/api/v1/auth/register", register_payload(PHONE, code, referrer_id=str(referrer.public_id))
    )

    assert response.status_code == 201
    customer = Customer.objects.get(public_id=response.json()["customer_id"])
    assert customer.referred_by == referrer and customer.onboarding_channel == Customer.Channel.REFERRAL
    event = OutboxEvent.objects.get(topic="customer.registered")
    assert event.payload["referred_by"] == str(referrer.public_id) and event.payload["channel"] == "REFERRAL"


def test_unknown_referrer_is_a_400_and_keeps_the_code(api_client):
    code = otp_for(api_client, PHONE, "REGISTER")

    response = api_client.post(
        "/api/v1/auth/register", register_payload(PHONE, code, referrer_id="8b9d7a52-3c3e-4b7e-9d55-1e0b2b8f9a10")
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_referrer"
    assert OtpChallenge.objects.get().consumed_at is None and Customer.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_code_checked_by_two_requests_at_once_is_consumed_once(api_client):
    """Both requests pass ``otp_check``; the conditional UPDATE lets exactly one consume the code."""
    import threading

    from django.db import connection, transaction

    from accounts.errors import OtpInvalid
    from accounts.services.otp import otp_check, otp_consume

    code = otp_for(api_client, PHONE, "REGISTER")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def use_code() -> None:
        try:
            challenge = otp_check(index=phone_index(PHONE), purpose="REGISTER", code=code)
            barrier.wait()
            with transaction.atomic():
                otp_consume(challenge)
            outcomes.append("consumed")
        except OtpInvalid as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=use_code) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["consumed", "otp_used"]


def test_registration_passes_a_referral_code_on_to_promotions(api_client):
    code = otp_for(api_client, PHONE, "REGISTER")

    response = api_client.post("/api/v1/auth/register", register_payload(PHONE, code, referral_code="kcmr-awrd"))

    assert response.status_code == 201
    event = OutboxEvent.objects.get(topic="customer.registered")
    assert event.payload["referral_code"] == "KCMRAWRD"  # resolved (or refused, with its reason) by promotions


def test_a_malformed_referral_code_is_a_400_and_keeps_the_code(api_client):
    code = otp_for(api_client, PHONE, "REGISTER")

    response = api_client.post("/api/v1/auth/register", register_payload(PHONE, code, referral_code="ABC!"))

    assert response.status_code == 400 and response.json()["code"] == "invalid_referral_code"
    assert OtpChallenge.objects.get().consumed_at is None and Customer.objects.count() == 0
