"""Reviewer: no-store on /api/ (success, errors, 404, 405, 413, throttled), CSP on /admin/, request ids on replays."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import Customer
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, wallet_fund

pytestmark = pytest.mark.django_db


def test_no_store_on_every_api_answer(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")
    c = customer_client(alice)
    c.raise_request_exception = False  # type: ignore[attr-defined]
    anon = APIClient()
    answers = [
        c.get("/api/v1/me"),
        c.get("/api/v1/wallets"),
        c.get("/api/v1/transactions"),
        c.get("/api/v1/transactions/export.csv"),
        c.get("/api/v1/insights/spending?month=2026-11"),
        c.get("/api/v1/statements/2026-11.pdf"),
        c.get("/api/v1/nope"),
        c.delete("/api/v1/wallets"),
        anon.get("/api/v1/me"),
        anon.get("/api/v1/schema"),
        c.post(
            "/api/v1/transfers", b"x" * (2 * 1024 * 1024), content_type="application/json", HTTP_IDEMPOTENCY_KEY="big"
        ),
        c.post(
            "/api/v1/transfers",
            {"to_phone": bob.phone, "amount": "99999.00", "currency": "CNY", "pin": PAYMENT_PIN},
            format="json",
            HTTP_IDEMPOTENCY_KEY="k",
        ),
    ]
    bad = [
        (r.status_code, r.request["PATH_INFO"], r.get("Cache-Control"))
        for r in answers
        if "no-store" not in (r.get("Cache-Control") or "")
    ]
    assert not bad, bad


def test_csp_on_admin_pages() -> None:
    client = APIClient()
    for url in ("/admin/login/", "/admin/", "/admin/nope/"):
        r = client.get(url)
        assert r.get("Content-Security-Policy"), (url, r.status_code)


def test_replayed_error_carries_the_current_request_id(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "1.00")
    c = customer_client(alice)
    body = {"to_phone": bob.phone, "amount": "50.00", "currency": "CNY", "pin": PAYMENT_PIN}
    first = c.post("/api/v1/transfers", body, format="json", HTTP_IDEMPOTENCY_KEY="rid", HTTP_X_REQUEST_ID="a" * 32)
    second = c.post("/api/v1/transfers", body, format="json", HTTP_IDEMPOTENCY_KEY="rid", HTTP_X_REQUEST_ID="b" * 32)
    assert first.status_code == second.status_code == 422
    assert second.json()["request_id"] == second["X-Request-ID"] == "b" * 32
    assert second["Idempotent-Original-Request-ID"] == "a" * 32
    # wrong PIN on the retry: still the stored answer (replay before the PIN check)
    third = c.post("/api/v1/transfers", {**body, "pin": "000001"}, format="json", HTTP_IDEMPOTENCY_KEY="rid")
    assert third.status_code == 422 and third["Idempotent-Replayed"] == "true"
