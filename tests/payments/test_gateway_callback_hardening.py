"""The unauthenticated bank callback: malformed signatures are a 4xx and logged, forgers are throttled."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from core.validators import card_numbers_in
from payments.callback_guard import CALLBACK_MAX_BODY_BYTES
from payments.integrations import callback_signature_is_valid, callback_signature_parse
from payments.models import GatewayCallbackLog

pytestmark = pytest.mark.django_db

URL = "/api/v1/gateway/callbacks"
BODY = json.dumps({"operation": "CHARGE", "reference": "TU-x", "status": "SUCCEEDED"}).encode()
MAC = "0" * 64


@pytest.fixture(autouse=True)
def _fresh_budget() -> None:
    cache.clear()


def _post(signature: str, body: bytes = BODY, address: str = "198.51.100.9"):  # type: ignore[no-untyped-def]
    return APIClient(REMOTE_ADDR=address).post(
        URL, body, content_type="application/json", HTTP_X_GATEWAY_SIGNATURE=signature
    )


@pytest.mark.parametrize(
    "signature",
    [
        f"t=１７００000000,v1={MAC}",  # full-width digits
        f"t=²,v1={MAC}",  # str.isdigit() but not int()-able
        f"t=٣٤,v1={MAC}",  # Arabic-Indic digits
        f"t={'9' * 400},v1={MAC}",  # overflows a float
        f"t=-5,v1={MAC}",
        "t",
        "v1=" + MAC,
        f"t=1,t=2,v1={MAC}",
        ",,,=,",
        "x" * 600,
    ],
)
def test_malformed_signature_header_is_a_4xx_and_is_logged(signature: str) -> None:
    response = _post(signature)

    assert response.status_code == 401
    assert response.json()["code"] == "gateway_signature_invalid"
    log = GatewayCallbackLog.objects.get()
    assert log.outcome == "BAD_SIGNATURE"
    assert log.body == BODY.decode()


def test_signature_parser_never_raises_and_takes_only_ascii() -> None:
    assert callback_signature_parse(f"t=1700000000,v1={MAC}") == ("1700000000", MAC)
    assert callback_signature_parse(f"t={'9' * 400},v1={MAC}") is None
    assert callback_signature_parse(None) is None
    assert callback_signature_is_valid(BODY, f"t={'9' * 13},v1={MAC}") is False


def test_an_oversized_body_is_refused_and_logged_truncated() -> None:
    body = b'{"pad": "' + b"a" * CALLBACK_MAX_BODY_BYTES + b'"}'

    response = _post(f"t={int(time.time())},v1={MAC}", body=body)

    assert response.status_code == 400
    log = GatewayCallbackLog.objects.get()
    assert log.outcome == "MALFORMED" and len(log.body) == 4000


def test_forged_callbacks_from_one_address_are_throttled_before_anything_is_stored(settings) -> None:  # type: ignore[no-untyped-def]
    settings.GATEWAY_CALLBACK_FAILURES_PER_MINUTE = 3

    first = [_post(f"t={int(time.time())},v1={MAC}").status_code for _ in range(3)]
    throttled = _post(f"t={int(time.time())},v1={MAC}")
    other_address = _post(f"t={int(time.time())},v1={MAC}", address="203.0.113.50")

    assert first == [401, 401, 401]
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert other_address.status_code == 401
    assert GatewayCallbackLog.objects.count() == 4  # the throttled attempt stored nothing


ODD_SIGNED_BODIES = [
    b'{"operation":"CHARGE","reference":"TU\\u0000x","gateway_ref":"G","status":"SUCCEEDED","amount":"1.00","currency":"CNY"}',
    b'{"operation":"CHARGE","reference":"TU\\ud800","gateway_ref":"G","status":"SUCCEEDED","amount":"1.00","currency":"CNY"}',
    b'{"operation":"CHARGE","reference":"TUx","gateway_ref":"G\\u0000","status":"SUCCEEDED","amount":"1.00","currency":"CNY"}',
    b'{"operation":"CHARGE","reference":"TUx","gateway_ref":"G","status":"DECLINED","amount":"1.00","currency":"CNY","decline_code":"\\u0000"}',
    b'{"operation":"CHARGE","reference":"TUx","gateway_ref":"G","status":"SUCCEEDED","amount":"1.00","currency":"CNY","decline_code":"\\ud800"}',
    b'{"operation":["x"],"reference":"TUx","gateway_ref":"G","status":"SUCCEEDED","amount":"1.00","currency":"CNY"}',
    b'{"operation":"CHARGE","reference":"TUx","gateway_ref":"G","status":"SUCCEEDED","amount":"1.00","currency":{}}',
    b"\xff\xfe",
]


def _signed_now(body: bytes) -> str:
    t = str(int(time.time()))
    mac = hmac.new(settings.BANK_GATEWAY_CALLBACK_SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


@pytest.mark.parametrize("body", ODD_SIGNED_BODIES)
def test_signed_but_odd_callback_is_a_4xx_and_logged(body: bytes) -> None:
    """Review: a signed callback with a NUL or lone surrogate in reference reached PostgreSQL and 500'd unlogged."""
    client = APIClient(REMOTE_ADDR="203.0.113.5")
    client.raise_request_exception = False  # type: ignore[attr-defined]
    before = GatewayCallbackLog.objects.count()
    response = client.post(URL, body, content_type="application/json", HTTP_X_GATEWAY_SIGNATURE=_signed_now(body))
    assert response.status_code < 500, (response.status_code, response.content[:200])
    assert GatewayCallbackLog.objects.count() == before + 1


def test_forged_gateway_callback_does_not_store_a_card_number() -> None:
    """Review: anyone can POST the callback; its body (a card number included) was stored as sent."""
    visa = "4111111111111111"
    body = json.dumps({"operation": "CHARGE", "reference": f"card {visa}", "status": "SUCCEEDED"}).encode()
    _post("t=1,v1=" + MAC, body=body, address="198.51.100.7")
    bodies = list(GatewayCallbackLog.objects.values_list("body", flat=True))
    assert bodies and not any(card_numbers_in(b) for b in bodies), bodies
