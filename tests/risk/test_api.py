"""The customer side: notices with a readable reason, a human-review request, all in OpenAPI."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from accounts.models import Customer
from core.pagination import KeysetCursor
from risk.models import CustomerNotice, ReviewRequest
from tests.accounts.conftest import bearer_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

API_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def test_notices_are_readable_in_the_customers_language(alice: Customer) -> None:
    CustomerNotice.objects.create(
        customer=alice, kind="PAYMENT_HELD", params={"amount": {"amount": "5800.00", "currency": "CNY"}}
    )
    client = bearer_client(alice)

    en = client.get("/api/v1/risk/notices", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    zh = client.get("/api/v1/risk/notices", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]

    assert en[0]["kind"] == "PAYMENT_HELD" and "5800.00 CNY" in en[0]["message"]
    assert "review" in en[0]["message"]
    assert zh[0]["message"]  # translated at merge (locale/ is the lead's); never empty
    assert API_TIMESTAMP.fullmatch(en[0]["created_at"])


def test_a_review_request_opens_a_task_and_another_customer_sees_nothing(alice: Customer) -> None:
    notice = CustomerNotice.objects.create(customer=alice, kind="ACCOUNT_FROZEN")
    mine = bearer_client(alice)
    other = bearer_client(CustomerFactory(), device_id="other-phone-0001")

    created = mine.post(
        "/api/v1/risk/reviews",
        {"notice_id": str(notice.public_id), "message": "I was abroad, it was me."},
        format="json",
    )
    stolen = other.post(
        "/api/v1/risk/reviews", {"notice_id": str(notice.public_id), "message": "review someone else"}, format="json"
    )
    again = mine.post(
        "/api/v1/risk/reviews", {"notice_id": str(notice.public_id), "message": "any news please?"}, format="json"
    )
    listed = mine.get("/api/v1/risk/reviews").json()["results"]

    assert created.status_code == 201, created.content
    assert created.json()["status"] == "OPEN" and created.json()["notice_id"] == str(notice.public_id)
    assert stolen.status_code == 404 and again.status_code == 409
    assert [r["id"] for r in listed] == [created.json()["id"]]
    assert created.json()["answered_at"] is None and API_TIMESTAMP.fullmatch(created.json()["created_at"])
    assert other.get("/api/v1/risk/reviews").json()["results"] == []
    assert other.get("/api/v1/risk/notices").json()["results"] == []
    assert ReviewRequest.objects.get().case is not None


@pytest.mark.parametrize("body", [{}, {"message": 12345}, {"message": "hi"}, {"message": "card 4111 1111 1111 1111"}])
def test_bad_review_input_is_a_400_and_nothing_is_stored(alice: Customer, body: dict) -> None:
    response = bearer_client(alice).post("/api/v1/risk/reviews", body, format="json")

    assert response.status_code == 400 and set(response.json()) == {"code", "message", "details", "request_id"}
    assert not ReviewRequest.objects.exists()


def test_the_risk_routes_are_in_the_openapi_schema() -> None:
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/v1/schema?format=json").json()

    assert "/api/v1/risk/challenges/{public_id}/confirm" in schema["paths"]
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/risk/reviews"])
    assert "get" in schema["paths"]["/api/v1/risk/notices"]


@pytest.mark.parametrize("path", ["/api/v1/risk/notices", "/api/v1/risk/reviews"])
def test_my_notices_and_reviews_page_newest_first(alice: Customer, path: str) -> None:
    notices = [CustomerNotice.objects.create(customer=alice, kind="ACCOUNT_FROZEN") for _ in range(3)]
    if path.endswith("reviews"):
        items = [
            ReviewRequest.objects.create(customer=alice, notice=n, message=f"please review {i}")
            for i, n in enumerate(notices)
        ]
    else:
        items = notices
    CustomerNotice.objects.create(customer=CustomerFactory(), kind="STEP_UP")  # someone else's
    client = bearer_client(alice)

    def page(cursor: str | None = None) -> dict[str, Any]:
        return client.get(f"{path}?page_size=2" + (f"&cursor={cursor}" if cursor else "")).json()

    first = page()
    second = page(first["next_cursor"])
    back = page(second["previous_cursor"])
    bad_size = client.get(f"{path}?page_size=0")

    newest_first = [str(i.public_id) for i in reversed(items)]
    assert [r["id"] for r in first["results"]] == newest_first[:2]
    assert [r["id"] for r in second["results"]] == newest_first[2:]
    assert (first["previous_cursor"], second["next_cursor"]) == (None, None)
    assert f"cursor={first['next_cursor']}" in first["next"]
    assert [r["id"] for r in back["results"]] == newest_first[:2]
    assert (bad_size.status_code, bad_size.json()["code"]) == (400, "invalid_page_size")


@pytest.mark.parametrize("path", ["/api/v1/risk/notices", "/api/v1/risk/reviews"])
@pytest.mark.parametrize(
    "cursor", ["bm90IGEgY3Vyc29y", KeysetCursor(("yesterday", 7)).encode(), KeysetCursor((1, 2, 3)).encode()]
)
def test_a_cursor_the_list_did_not_issue_is_a_400(alice: Customer, path: str, cursor: str) -> None:
    response = bearer_client(alice).get(f"{path}?cursor={cursor}")

    assert (response.status_code, response.json()["code"]) == (400, "invalid_cursor")


@pytest.mark.parametrize("table,path", [("risk_customernotice", "notices"), ("risk_reviewrequest", "reviews")])
def test_a_page_is_one_keyset_statement(alice: Customer, table: str, path: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(4):
        notice = CustomerNotice.objects.create(customer=alice, kind="ACCOUNT_FROZEN")
        ReviewRequest.objects.create(customer=alice, notice=notice, message=f"please review {i}")
    client = bearer_client(alice)
    first = client.get(f"/api/v1/risk/{path}?page_size=2").json()

    with CaptureQueriesContext(connection) as queries:
        client.get(f"/api/v1/risk/{path}?page_size=2&cursor={first['next_cursor']}")
    statements = [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]

    assert len(statements) == 1
    assert "LIMIT 3" in statements[0] and "OFFSET" not in statements[0] and "COUNT(" not in statements[0]


def test_the_risk_operations_pass_the_openapi_lint() -> None:
    from tools.openapi_lint import lint, schema_text

    document = yaml.safe_load(text := schema_text())
    paths = document["paths"]
    confirm = paths["/api/v1/risk/challenges/{public_id}/confirm"]["post"]
    create = paths["/api/v1/risk/reviews"]["post"]

    assert [p for p in lint(text) if "/risk/" in p] == []
    for operation in (confirm, create, paths["/api/v1/risk/reviews"]["get"], paths["/api/v1/risk/notices"]["get"]):
        assert operation["tags"] == ["Risk"] and operation["summary"]
        assert {"not_authenticated", "authentication_failed"} <= {e["code"] for e in operation["x-error-codes"]}
    for listing in (paths["/api/v1/risk/reviews"]["get"], paths["/api/v1/risk/notices"]["get"]):
        assert {p["name"] for p in listing["parameters"]} >= {"cursor", "page_size"}
        assert {e["code"] for e in listing["x-error-codes"]} >= {"invalid_cursor", "invalid_page_size"}
    assert {(e["code"], e["status"]) for e in confirm["x-error-codes"]} >= {
        ("not_found", 404),
        ("otp_invalid", 400),
        ("step_up_used", 409),
        ("step_up_expired", 409),
        ("otp_too_many_attempts", 429),
        ("rate_limit_unavailable", 503),
    }
    assert [(e["code"], e["status"]) for e in create["x-error-codes"] if e["status"] != 401] == [
        ("invalid_request", 400),
        ("malformed_request", 400),
        ("card_number_in_text", 400),
        ("not_found", 404),
        ("review_already_open", 409),
        ("throttled", 429),
        ("rate_limit_unavailable", 503),
    ]
