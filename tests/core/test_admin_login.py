"""Staff sign in to /admin/ with password + TOTP; failures lock the account; reused codes are refused."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "Staff-Password-2026"


@pytest.fixture
def staff() -> User:
    user = User.objects.create_user("teller1", password=PASSWORD, is_staff=True, is_superuser=True)
    return user


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login(client: Client, username: str, password: str, otp_token: str = "", otp_device: str = "") -> object:
    data = {"username": username, "password": password, "otp_token": otp_token}
    if otp_device:
        data["otp_device"] = otp_device
    return client.post("/admin/login/?next=/admin/", data)


def test_password_alone_does_not_open_the_admin(staff: User) -> None:
    TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()

    login(client, "teller1", PASSWORD)

    assert client.get("/admin/").status_code == 302


def test_staff_without_a_totp_device_cannot_enter(staff: User) -> None:
    client = Client()

    response = login(client, "teller1", PASSWORD, otp_token="123456")

    assert response.status_code == 200  # the form again, with an error
    assert client.get("/admin/").status_code == 302


def test_password_and_current_totp_code_open_the_admin(staff: User) -> None:
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()

    response = login(client, "teller1", PASSWORD, current_code(device), device.persistent_id)

    assert response.status_code == 302
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Tongbao" in page.content.decode() or "通宝" in page.content.decode()


def test_a_used_totp_code_is_refused_a_second_time(staff: User) -> None:
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    code = current_code(device)
    first = Client()
    login(first, "teller1", PASSWORD, code, device.persistent_id)
    second = Client()

    login(second, "teller1", PASSWORD, code, device.persistent_id)

    assert first.get("/admin/").status_code == 200
    assert second.get("/admin/").status_code == 302


def test_repeated_failures_lock_the_account(staff: User) -> None:
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()
    for _ in range(5):
        login(client, "teller1", "wrong-password-123")

    response = login(client, "teller1", PASSWORD, current_code(device), device.persistent_id)

    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_admin_speaks_the_browsers_language(staff: User) -> None:
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/admin/login/")
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/admin/login/")

    assert "Log in" in english.content.decode()
    assert "登录" in chinese.content.decode()


def test_one_device_needs_no_device_choice(staff: User) -> None:
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    client = Client()

    login(client, "teller1", PASSWORD, current_code(device))

    assert client.get("/admin/").status_code == 200


def test_with_two_devices_the_form_asks_which(staff: User) -> None:
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=staff, name="tablet", confirmed=True)
    client = Client()

    response = login(client, "teller1", PASSWORD, current_code(device))

    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_a_completed_sign_in_restarts_the_attempt_count(staff: User) -> None:
    """4 wrong passwords, a full sign-in, then 4 wrong again: the attempt count (Redis) restarted."""
    from django.conf import settings

    from accounts.backends import _username_key

    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        login(Client(REMOTE_ADDR=f"192.0.2.{i + 1}"), "teller1", "wrong")
    client = Client(REMOTE_ADDR="192.0.2.50")
    assert login(client, "teller1", PASSWORD, current_code(device), device.persistent_id).status_code == 302

    assert cache.get(_username_key("teller1")) is None


def test_once_the_attempts_are_taken_a_right_password_is_not_compared(staff: User) -> None:
    """Attempts taken from many addresses (e.g. in parallel) refuse even the right password, unevaluated."""
    from django.conf import settings

    from accounts.backends import _username_key
    from core.throttling import attempt_take

    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt_take(_username_key("TELLER1"), 60)  # the same username, however it is spelt
    client = Client(REMOTE_ADDR="192.0.2.60")

    login(client, "teller1", PASSWORD, current_code(device), device.persistent_id)

    assert client.get("/admin/").status_code == 302
    assert cache.get(_username_key("teller1")) == settings.AXES_FAILURE_LIMIT + 1  # not reset
