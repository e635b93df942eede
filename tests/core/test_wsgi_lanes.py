"""The WSGI entry point (``wallet_site.wsgi``, what gunicorn serves) runs the customer API on its
lean middleware lane and everything else on the full stack (``core.wsgi_lanes``)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from accounts.models import Customer
from core.wsgi_lanes import api_lane_path
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.conftest import reference_data_ensure
from tests.payments.factories import wallet_fund
from tests.wsgi import bearer_token, wsgi_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db: None) -> Customer:
    reference_data_ensure()
    return CustomerFactory(legal_name="王小明")


@pytest.fixture
def bob(db: None) -> Customer:
    reference_data_ensure()
    return CustomerFactory(legal_name="李娜")


def test_the_api_lane_covers_the_api_but_not_its_html_docs() -> None:
    assert api_lane_path("/api/v1/transfers")
    assert not api_lane_path("/api/v1/docs")
    assert not api_lane_path("/admin/login/")


def test_a_payment_through_the_api_lane_is_answered_in_full(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    headers = {"Authorization": f"Bearer {bearer_token(alice)}", "Idempotency-Key": str(uuid.uuid4())}
    body = {"to_phone": bob.phone, "amount": "1.50", "currency": "CNY", "pin": PAYMENT_PIN}

    status, response_headers, content = wsgi_call("/api/v1/transfers", method="POST", body=body, headers=headers)

    assert status == 201, content
    assert json.loads(content)["balance_after"] == {"amount": "98.50", "currency": "CNY"}
    assert response_headers["X-Request-ID"]
    assert "no-store" in response_headers["Cache-Control"]
    assert response_headers["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response_headers  # no session middleware on the lane
    assert "Content-Security-Policy" not in response_headers  # JSON: the admin's CSP is not needed


def test_the_lane_counts_its_requests_on_the_metrics_endpoint(settings: Any) -> None:
    wsgi_call("/api/v1/no-such-thing")
    wsgi_call("/api/v1/wallets")  # 401: no token

    status, _, content = wsgi_call("/metrics", headers={"Authorization": f"Bearer {settings.METRICS_TOKEN}"})

    assert status == 200
    assert b'tongbao_api_request_seconds_count{method="GET",route="api/v1/wallets",status="4xx"}' in content
    assert b'route="unmatched"' in content


def test_api_errors_keep_their_format_on_the_lane() -> None:
    status, _, content = wsgi_call("/api/v1/no-such-thing")

    assert status == 404
    assert json.loads(content)["code"] == "not_found"


def test_the_admin_and_the_docs_keep_the_full_stack() -> None:
    status, headers, _ = wsgi_call("/admin/login/")

    assert status == 200
    assert "Content-Security-Policy" in headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "csrftoken" in headers.get("Set-Cookie", "")
    docs_status, docs_headers, _ = wsgi_call("/api/v1/docs")
    assert docs_status == 200
    assert "Content-Security-Policy" in docs_headers
