"""Keys of their own: the OTP HMAC has ``OTP_HASH_KEY``; PIN hashes name their key and rotate;
axes never stores a posted OTP code or password."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.hashers import PaymentPinHasher, pin_key_id
from accounts.models import Customer, OtpChallenge
from accounts.services import customer_payment_pin_verify
from accounts.services.otp import _code_hash
from accounts.services.pin import payment_pin_hash
from tests.accounts.conftest import otp_for
from tests.core.test_settings import PRODUCTION_ENV, run_manage
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

OLD_KEY = "old-pin-key-old-pin-key-old-pin-key-0001"
NEW_KEY = "new-pin-key-new-pin-key-new-pin-key-0002"


def test_otp_codes_are_keyed_with_their_own_key_not_the_secret_key(api_client, settings):
    phone = "+8613900000009"
    code = otp_for(api_client, phone, "REGISTER")
    stored = OtpChallenge.objects.get().code_hash
    index = OtpChallenge.objects.get().phone_index

    with override_settings(SECRET_KEY="another-secret-key-" * 4):
        assert _code_hash(index, "REGISTER", code) == stored
    with override_settings(OTP_HASH_KEY="another-otp-key-another-otp-key-0001"):
        assert _code_hash(index, "REGISTER", code) != stored


def test_production_refuses_to_start_without_an_otp_hash_key():
    result = run_manage("check", **{**PRODUCTION_ENV, "OTP_HASH_KEY": ""})

    assert result.returncode != 0
    assert "OTP_HASH_KEY" in result.stderr


def test_a_pin_hash_names_its_key_and_verifies_after_a_rotation_then_is_rehashed(settings):
    settings.PIN_HASH_KEY = OLD_KEY
    customer = CustomerFactory(payment_pin=payment_pin_hash("482913"))
    stored = Customer.objects.values_list("payment_pin", flat=True).get(pk=customer.pk)
    assert stored.split("$")[1] == pin_key_id(OLD_KEY) and OLD_KEY not in stored

    settings.PIN_HASH_KEY = NEW_KEY
    settings.PIN_HASH_KEYS_PREVIOUS = [OLD_KEY]
    customer_payment_pin_verify(customer=customer, pin="482913")

    rehashed = Customer.objects.values_list("payment_pin", flat=True).get(pk=customer.pk)
    assert rehashed.split("$")[1] == pin_key_id(NEW_KEY)
    settings.PIN_HASH_KEYS_PREVIOUS = []  # the old key retired: the PIN still works
    customer_payment_pin_verify(customer=customer, pin="482913")
    assert not check_password("482914", rehashed)


def test_a_hash_under_a_retired_key_no_longer_verifies(settings):
    settings.PIN_HASH_KEY = OLD_KEY
    stored = payment_pin_hash("482913")

    settings.PIN_HASH_KEY = NEW_KEY

    assert not check_password("482913", stored)


def test_a_pin_hash_from_before_key_ids_still_verifies_and_is_rehashed(settings):
    settings.PIN_HASH_KEY = OLD_KEY
    legacy = "pin_hmac_sha256$saltsaltsalt1234$" + PaymentPinHasher._digest(OLD_KEY, "482913", "saltsaltsalt1234")
    customer = CustomerFactory(payment_pin=legacy)
    assert check_password("482913", legacy) and not check_password("482914", legacy)

    customer_payment_pin_verify(customer=customer, pin="482913")

    rehashed = Customer.objects.values_list("payment_pin", flat=True).get(pk=customer.pk)
    assert rehashed.count("$") == 3 and rehashed.split("$")[1] == pin_key_id(OLD_KEY)


def test_axes_never_stores_a_posted_otp_code_or_password():
    user = User.objects.create_user("teller9", password="Staff-Password-2026", is_staff=True)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    Client().post(
        "/admin/login/?next=/admin/",
        {"username": "teller9", "password": "Wrong-Password-7731", "otp_token": "918273"},
    )

    rows = list(AccessAttempt.objects.values())
    assert rows, "axes recorded no failed attempt"
    text = repr(rows)
    assert "918273" not in text and "Wrong-Password-7731" not in text
