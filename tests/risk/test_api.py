"""The customer side: notices with a readable reason, a human-review request, all in OpenAPI."""

from __future__ import annotations

import pytest

from accounts.models import Customer
from risk.models import CustomerNotice, ReviewRequest
from tests.accounts.conftest import bearer_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_notices_are_readable_in_the_customers_language(alice: Customer) -> None:
    CustomerNotice.objects.create(
        customer=alice, kind="PAYMENT_HELD", params={"amount": {"amount": "5800.00", "currency": "CNY"}}
    )
    client = bearer_client(alice)

    en = client.get("/api/v1/risk/notices", HTTP_ACCEPT_LANGUAGE="en").json()
    zh = client.get("/api/v1/risk/notices", HTTP_ACCEPT_LANGUAGE="zh-hans").json()

    assert en[0]["kind"] == "PAYMENT_HELD" and "5800.00 CNY" in en[0]["message"]
    assert "review" in en[0]["message"]
    assert zh[0]["message"]  # translated at merge (locale/ is the lead's); never empty


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
    listed = mine.get("/api/v1/risk/reviews").json()

    assert created.status_code == 201, created.content
    assert created.json()["status"] == "OPEN" and created.json()["notice_id"] == str(notice.public_id)
    assert stolen.status_code == 404 and again.status_code == 409
    assert [r["id"] for r in listed] == [created.json()["id"]]
    assert other.get("/api/v1/risk/reviews").json() == [] and other.get("/api/v1/risk/notices").json() == []
    assert ReviewRequest.objects.get().case is not None


@pytest.mark.parametrize("body", [{}, {"message": 12345}, {"message": "hi"}, {"message": "card 4111 1111 1111 1111"}])
def test_bad_review_input_is_a_400_and_nothing_is_stored(alice: Customer, body: dict) -> None:
    response = bearer_client(alice).post("/api/v1/risk/reviews", body, format="json")

    assert response.status_code == 400 and set(response.json()) == {"code", "message", "details", "request_id"}
    assert not ReviewRequest.objects.exists()


def test_the_risk_routes_are_in_the_openapi_schema() -> None:
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/v1/schema/?format=json").json()

    assert "/api/v1/risk/challenges/{public_id}/confirm" in schema["paths"]
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/risk/reviews"])
    assert "get" in schema["paths"]["/api/v1/risk/notices"]
