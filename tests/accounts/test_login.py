"""Login (OTP on a new device), tokens (hashed, expiring, one per device), logout, devices, passwords."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import token_hash
from accounts.models import Customer, CustomerToken, Device
from accounts.pii import phone_index
from tests.accounts.conftest import NEW_PASSWORD, bearer_client, otp_for
from tests.factories import CUSTOMER_PASSWORD, CustomerFactory

pytestmark = pytest.mark.django_db

PHONE = "+8613700001111"


@pytest.fixture
def customer() -> Customer:
    return CustomerFactory(phone=PHONE, phone_index=phone_index(PHONE))


def _login(client: APIClient, **overrides: object):
    payload = {"phone": PHONE, "password": CUSTOMER_PASSWORD, "device_id": "phone-device-0001"}
    payload.update(overrides)
    return client.post("/api/v1/auth/login", payload)


def test_new_device_needs_an_otp_then_is_trusted(api_client, customer, sms_outbox):
    first = _login(api_client)
    code = otp_for(api_client, PHONE, "LOGIN")

    second = _login(api_client, otp_code=code)
    third = _login(api_client)

    assert first.status_code == 401
    assert first.json()["code"] == "otp_required"
    assert second.status_code == 200, second.json()
    assert Device.objects.get(customer=customer).trusted is True
    assert third.status_code == 200  # trusted now: no code
    assert CustomerToken.objects.filter(customer=customer, revoked_at__isnull=True).count() == 1


def test_login_token_is_stored_hashed_and_works(api_client, customer):
    bearer_client(customer, device_id="phone-device-0001")

    body = _login(api_client).json()

    stored = CustomerToken.objects.get(customer=customer, revoked_at__isnull=True)
    assert stored.key_hash == token_hash(body["token"])
    assert body["token"] not in stored.key_hash
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert api_client.get("/api/v1/me").status_code == 200


def test_wrong_password_and_unknown_phone_answer_the_same(api_client, customer):
    wrong = _login(api_client, password="Not-The-Password-1")
    unknown = _login(api_client, phone="+8613700009999")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    assert wrong.json()["message"] == unknown.json()["message"]


def test_five_wrong_passwords_lock_the_phone_even_for_the_right_one(api_client, customer):
    bearer_client(customer, device_id="phone-device-0001")
    codes = [_login(api_client, password=f"Wrong-Password-{i}").status_code for i in range(5)]

    locked = _login(api_client)

    assert codes == [401] * 5
    assert locked.status_code == 423
    assert locked.json()["code"] == "login_locked"


def test_malformed_phone_at_login_is_a_400(api_client):
    response = _login(api_client, phone="not-a-phone")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_phone"


def test_closed_customer_cannot_log_in(api_client, customer):
    bearer_client(customer, device_id="phone-device-0001")
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.CLOSED)

    response = _login(api_client)

    assert response.status_code == 403
    assert response.json()["code"] == "account_not_active"


def test_one_live_token_per_device_a_new_login_revokes_the_old(api_client, customer):
    old = bearer_client(customer, device_id="phone-device-0001")

    new_token = _login(api_client).json()["token"]

    assert old.get("/api/v1/me").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {new_token}")
    assert api_client.get("/api/v1/me").status_code == 200


def test_expired_token_is_refused(customer):
    client = bearer_client(customer)
    CustomerToken.objects.update(expires_at=timezone.now() - timezone.timedelta(seconds=1))

    response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_logout_revokes_the_current_token_only(customer):
    phone_app = bearer_client(customer, device_id="phone-device-0001")
    tablet = bearer_client(customer, device_id="tablet-device-0002")

    response = phone_app.post("/api/v1/auth/logout")

    assert response.status_code == 204
    assert phone_app.get("/api/v1/me").status_code == 401
    assert tablet.get("/api/v1/me").status_code == 200


def test_devices_are_listed_and_deleting_one_signs_it_out_and_untrusts_it(customer):
    phone_app = bearer_client(customer, device_id="phone-device-0001")
    tablet = bearer_client(customer, device_id="tablet-device-0002")

    listed = phone_app.get("/api/v1/me/devices").json()["results"]
    tablet_id = next(d["public_id"] for d in listed if not d["current"])
    deleted = phone_app.delete(f"/api/v1/me/devices/{tablet_id}")

    assert len(listed) == 2 and all(d["signed_in"] for d in listed)
    assert deleted.status_code == 204
    assert tablet.get("/api/v1/me").status_code == 401
    assert Device.objects.get(public_id=tablet_id).trusted is False
    assert phone_app.get("/api/v1/me").status_code == 200


def test_password_change_needs_the_current_password_and_signs_out_other_devices(customer):
    phone_app = bearer_client(customer, device_id="phone-device-0001")
    tablet = bearer_client(customer, device_id="tablet-device-0002")

    wrong = phone_app.post("/api/v1/auth/password", {"old_password": "nope-nope-nope", "new_password": NEW_PASSWORD})
    weak = phone_app.post("/api/v1/auth/password", {"old_password": CUSTOMER_PASSWORD, "new_password": "abc"})
    ok = phone_app.post("/api/v1/auth/password", {"old_password": CUSTOMER_PASSWORD, "new_password": NEW_PASSWORD})

    assert wrong.status_code == 403 and wrong.json()["code"] == "password_incorrect"
    assert weak.status_code == 400 and weak.json()["code"] == "weak_password"
    assert ok.status_code == 204
    assert phone_app.get("/api/v1/me").status_code == 200
    assert tablet.get("/api/v1/me").status_code == 401
    assert _login(APIClient(), password=NEW_PASSWORD).status_code == 200


def test_password_reset_by_otp_revokes_every_token(api_client, customer):
    phone_app = bearer_client(customer, device_id="phone-device-0001")
    code = otp_for(api_client, PHONE, "RESET_PASSWORD")

    response = api_client.post(
        "/api/v1/auth/password/reset", {"phone": PHONE, "otp_code": code, "new_password": NEW_PASSWORD}
    )

    assert response.status_code == 204
    assert phone_app.get("/api/v1/me").status_code == 401
    assert _login(api_client, password=CUSTOMER_PASSWORD).status_code == 401
    assert _login(api_client, password=NEW_PASSWORD).status_code == 200


def test_password_reset_with_weak_password_keeps_the_old_one(api_client, customer):
    code = otp_for(api_client, PHONE, "RESET_PASSWORD")
    before = Customer.objects.get(pk=customer.pk).password

    response = api_client.post(
        "/api/v1/auth/password/reset", {"phone": PHONE, "otp_code": code, "new_password": "password"}
    )

    assert response.status_code == 400
    assert Customer.objects.get(pk=customer.pk).password == before


def test_malformed_authorization_header_is_a_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer")

    assert api_client.get("/api/v1/me").status_code == 401
