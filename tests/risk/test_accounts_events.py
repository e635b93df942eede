"""Accounts publishes the sign-in, device and password events risk consumes: ids and a keyed
device hash, never the device id itself (ARCHITECTURE §6: device data serves anti-fraud only)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from accounts.models import OtpChallenge
from accounts.pii import device_index
from accounts.services import customer_login, otp_request
from accounts.services.auth import customer_password_reset
from core.models import OutboxEvent
from tests.accounts.conftest import STRONG_PASSWORD, last_code
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_login_on_a_new_device_then_a_reset_publish_their_events() -> None:
    from django.contrib.auth.hashers import make_password

    customer = CustomerFactory(password=make_password(STRONG_PASSWORD))
    otp_request(phone=customer.phone, purpose=OtpChallenge.Purpose.LOGIN)
    customer_login(phone=customer.phone, password=STRONG_PASSWORD, device_id="new-phone-0042", otp_code=last_code())
    cache.clear()  # the one-SMS-a-minute gap
    otp_request(phone=customer.phone, purpose=OtpChallenge.Purpose.RESET_PASSWORD)
    customer_password_reset(phone=customer.phone, otp_code=last_code(), new_password="Another-Long-Passphrase-9")

    events = {e.topic: e.payload for e in OutboxEvent.objects.filter(key=str(customer.public_id))}
    assert {"customer.device_added", "customer.logged_in", "customer.password_reset"} <= set(events)
    assert events["customer.logged_in"]["device_hash"] == device_index("new-phone-0042")
    assert events["customer.logged_in"]["with_otp"] is True
    assert "new-phone-0042" not in str(events)
