"""The WSGI entry point (``wallet_site.wsgi``, what gunicorn serves) runs the customer API on its
lean middleware lane and everything else on the full stack (``core.wsgi_lanes``)."""

from __future__ import annotations

import io
import json
import secrets
import uuid
from datetime import timedelta
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from accounts.authentication import token_hash
from accounts.models import Customer, CustomerToken, Device
from core.wsgi_lanes import api_lane_path
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.conftest import reference_data_ensure
from tests.payments.factories import wallet_fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db: None) -> Customer:
    reference_data_ensure()
    return CustomerFactory(legal_name="王小明")


@pytest.fixture
def bob(db: None) -> Customer:
    reference_data_ensure()
    return CustomerFactory(legal_name="李娜")


def _call(
    path: str, *, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    from wallet_site.wsgi import application

    raw = json.dumps(body).encode() if body is not None else b""
    environ: dict[str, Any] = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "SERVER_NAME": "localhost",
        "HTTP_HOST": "localhost",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    # As Django's test client does: the test's transaction must survive the request's signals.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        content = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


def _token(customer: Customer) -> str:
    raw = secrets.token_urlsafe(32)
    device = Device.objects.create(customer=customer, device_id=f"lane-{secrets.token_hex(6)}", trusted=True)
    CustomerToken.objects.create(
        customer=customer, device=device, key_hash=token_hash(raw), expires_at=timezone.now() + timedelta(days=1)
    )
    return raw


def test_the_api_lane_covers_the_api_but_not_its_html_docs() -> None:
    assert api_lane_path("/api/v1/transfers/")
    assert not api_lane_path("/api/v1/docs/")
    assert not api_lane_path("/admin/login/")


def test_a_payment_through_the_api_lane_is_answered_in_full(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    headers = {"Authorization": f"Bearer {_token(alice)}", "Idempotency-Key": str(uuid.uuid4())}
    body = {"to_phone": bob.phone, "amount": "1.50", "currency": "CNY", "pin": PAYMENT_PIN}

    status, response_headers, content = _call("/api/v1/transfers/", method="POST", body=body, headers=headers)

    assert status == 201, content
    assert json.loads(content)["balance_after"] == {"amount": "98.50", "currency": "CNY"}
    assert response_headers["X-Request-ID"]
    assert "no-store" in response_headers["Cache-Control"]
    assert response_headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response_headers  # no session middleware on the lane
    assert "Content-Security-Policy" not in response_headers  # JSON: the admin's CSP is not needed


def test_the_lane_counts_its_requests_on_the_metrics_endpoint(settings: Any) -> None:
    _call("/api/v1/no-such-thing/")
    _call("/api/v1/wallets/")  # 401: no token

    status, _, content = _call("/metrics", headers={"Authorization": f"Bearer {settings.METRICS_TOKEN}"})

    assert status == 200
    assert b'tongbao_api_request_seconds_count{method="GET",route="api/v1/wallets/",status="4xx"}' in content
    assert b'route="unmatched"' in content


def test_api_errors_keep_their_format_on_the_lane() -> None:
    status, _, content = _call("/api/v1/no-such-thing/")

    assert status == 404
    assert json.loads(content)["code"] == "not_found"


def test_the_admin_and_the_docs_keep_the_full_stack() -> None:
    status, headers, _ = _call("/admin/login/")

    assert status == 200
    assert "Content-Security-Policy" in headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "csrftoken" in headers.get("Set-Cookie", "")
    docs_status, docs_headers, _ = _call("/api/v1/docs/")
    assert docs_status == 200
    assert "Content-Security-Policy" in docs_headers
