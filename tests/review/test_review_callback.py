"""Reviewer: the gateway callback never 500s and logs every attempt, also with a valid signature."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from payments.models import GatewayCallbackLog

pytestmark = pytest.mark.django_db

BODIES = [
    b'{"operation":"CHARGE","reference":"TU\\u0000x","gateway_ref":"G","status":"SUCCEEDED","amount":"1.00","currency":"CNY"}',
    b'{"operation":"CHARGE","reference":"TU\\ud800","gateway_ref":"G","status":"SUCCEEDED","amount":"1.00","currency":"CNY"}',
    b'{"operation":"CHARGE","reference":"TUx","gateway_ref":"G\\u0000","status":"SUCCEEDED","amount":"1.00","currency":"CNY"}',
    b'{"operation":"CHARGE","reference":"TUx","gateway_ref":"G","status":"DECLINED","amount":"1.00","currency":"CNY","decline_code":"\\u0000"}',
    b'{"operation":"CHARGE","reference":"TUx","gateway_ref":"G","status":"SUCCEEDED","amount":"1.00","currency":"CNY","decline_code":"\\ud800"}',
    b'{"operation":["x"],"reference":"TUx","gateway_ref":"G","status":"SUCCEEDED","amount":"1.00","currency":"CNY"}',
    b'{"operation":"CHARGE","reference":"TUx","gateway_ref":"G","status":"SUCCEEDED","amount":"1.00","currency":{}}',
    b'\xff\xfe',
]


def _signed(body: bytes) -> str:
    t = str(int(time.time()))
    mac = hmac.new(settings.BANK_GATEWAY_CALLBACK_SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


@pytest.mark.parametrize("body", BODIES)
def test_signed_but_odd_callback_is_a_4xx_and_logged(body: bytes) -> None:
    cache.clear()
    client = APIClient(REMOTE_ADDR="203.0.113.5")
    client.raise_request_exception = False  # type: ignore[attr-defined]
    before = GatewayCallbackLog.objects.count()
    response = client.post("/api/v1/gateway/callbacks/", body, content_type="application/json",
                           HTTP_X_GATEWAY_SIGNATURE=_signed(body))
    assert response.status_code < 500, (response.status_code, response.content[:200])
    assert GatewayCallbackLog.objects.count() == before + 1
