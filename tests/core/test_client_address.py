"""One client address for lockouts, throttles, audit and metrics, configured by TRUSTED_PROXY_COUNT."""

from __future__ import annotations

import pytest
from axes.helpers import get_client_ip_address
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.request import Request

from core.audit import audit_record
from core.client_address import client_address
from core.models import AuditEvent
from core.throttling import FailOpenAnonRateThrottle, FailOpenUserRateThrottle, GuardedScopedRateThrottle

PROXY = "172.18.0.5"  # the nginx container, as gunicorn sees it


def _request(xff: str | None = None, remote: str = PROXY):  # type: ignore[no-untyped-def]
    extra = {"HTTP_X_FORWARDED_FOR": xff} if xff is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    "proxies,xff,expected",
    [
        (0, "6.6.6.6", PROXY),  # no proxy configured: the header is the client's to fake, ignored
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # left entry written by the client
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "198.51.100.7", "198.51.100.7"),  # shorter chain: left-most, as DRF does
        (1, "6.6.6.6, not-an-ip", PROXY),  # malformed: the socket, never header text
        (1, "", PROXY),
        (1, None, PROXY),
        (1, "2001:DB8::1", "2001:db8::1"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_client_address_honours_the_trusted_proxy_count(settings, proxies, xff, expected) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_address(_request(xff)) == expected


def test_axes_throttles_and_audit_all_use_the_one_function(settings, db) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    django_request = _request("6.6.6.6, 198.51.100.7")
    drf_request = Request(django_request)

    idents = {
        "axes": get_client_ip_address(django_request),
        "anon": FailOpenAnonRateThrottle().get_ident(drf_request),
        "user": FailOpenUserRateThrottle().get_ident(drf_request),
        "scoped": GuardedScopedRateThrottle().get_ident(drf_request),
    }
    audit_record(action="core.test.client_address", request=django_request)

    assert idents == dict.fromkeys(idents, "198.51.100.7")
    assert AuditEvent.objects.get(action="core.test.client_address").ip_address == "198.51.100.7"


@pytest.mark.django_db
def test_behind_the_proxy_one_attackers_failures_do_not_lock_out_other_staff(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    staff = User.objects.create_user("teller9", password="Staff-Password-2026", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    attacker = Client(REMOTE_ADDR=PROXY)
    for attempt in range(5):  # a new spoofed left entry every time: still one address
        attacker.post(
            "/admin/login/",
            {"username": f"guess{attempt}", "password": "wrong-password-123", "otp_token": ""},
            HTTP_X_FORWARDED_FOR=f"10.9.9.{attempt}, 203.0.113.66",
        )
    colleague = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.20")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    locked = attacker.post(
        "/admin/login/",
        {"username": "guess9", "password": "x"},
        HTTP_X_FORWARDED_FOR="10.9.9.99, 203.0.113.66",
    )
    colleague.post(
        "/admin/login/?next=/admin/", {"username": "teller9", "password": "Staff-Password-2026", "otp_token": code}
    )

    assert locked.status_code == 429
    assert colleague.get("/admin/").status_code == 200
