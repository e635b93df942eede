"""The customer API: offers ranked by my spending, my coupons, redeeming a code, my points; own
data only, the one error format, in the OpenAPI schema."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from rest_framework.test import APIClient

from core.pagination import KeysetCursor
from promotions.services.coupons import code_display, coupon_batch_create, coupon_batch_generate, coupon_redeem
from promotions.versions import in_holdout
from tests.factories import StaffFactory
from tests.payments.factories import customer_client
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import deliver, merchant, pay, shopper

pytestmark = pytest.mark.django_db

API_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def _codes(campaign, quantity: int = 1) -> list[str]:
    batch = coupon_batch_create(
        campaign_id=campaign.pk, by=StaffFactory(roles=["MARKETING"], branch=None), quantity=quantity
    )
    coupon_batch_generate(batch_id=batch.pk)
    return [c.code for c in batch.coupons.order_by("pk")]


def test_offers_are_ranked_by_what_my_spending_suggests() -> None:
    dining = campaign_running(name_en="Dining", conditions={"mcc_categories": ["DINING"]}, priority=0)
    travel = campaign_running(name_en="Travel", conditions={"mcc_categories": ["TRAVEL"]}, priority=9)
    anywhere = campaign_running(name_en="Anywhere", conditions={}, priority=5)
    customer = shopper()
    for _ in range(3):
        pay(customer, merchant("5812"), "40.00")  # 120.00 on dining, nothing on travel

    body = customer_client(customer).get("/api/v1/promotions/offers", HTTP_ACCEPT_LANGUAGE="en").json()

    offers = body["results"]
    assert [o["name"] for o in offers] == ["Dining", "Anywhere", "Travel"]
    assert {o["id"] for o in offers} == {str(c.public_id) for c in (dining, travel, anywhere)}
    assert offers[0]["benefit"] == {"percent": "10", "cap": "5.00", "release_after_days": 0}
    assert API_TIMESTAMP.fullmatch(offers[0]["ends_at"])
    assert (body["next_cursor"], body["previous_cursor"]) == (None, None)


def test_offers_speak_the_requests_language_and_hide_what_i_cannot_get() -> None:
    campaign_running(per_person_limit=1)
    held_out = campaign_running(holdout_bps=5000, name_zh="留出")
    customer = shopper()
    while in_holdout(held_out.version, customer.pk) is False:
        customer = shopper()
    client = customer_client(customer)

    before = client.get("/api/v1/promotions/offers", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]
    deliver(pay(customer, merchant(), "50.00")[1])  # uses the one reward of the first campaign
    after = client.get("/api/v1/promotions/offers").json()["results"]

    assert [o["name"] for o in before] == ["春季消费返现"]
    assert after == []
    assert customer_client(shopper(consent=False)).get("/api/v1/promotions/offers").json()["results"] == []


def test_redeeming_a_code_and_listing_my_coupons() -> None:
    campaign = campaign_running(kind="COUPON", benefit={"discount": "5.00", "min_amount": "30.00"})
    code = _codes(campaign)[0]
    mine, theirs = customer_client(shopper()), customer_client(shopper())

    created = mine.post("/api/v1/promotions/coupons/redeem", {"code": code_display(code)}, format="json")
    again = mine.post("/api/v1/promotions/coupons/redeem", {"code": code}, format="json")
    stolen = theirs.post("/api/v1/promotions/coupons/redeem", {"code": code}, format="json")
    guessed = theirs.post("/api/v1/promotions/coupons/redeem", {"code": "0000-0000-0000-0000"}, format="json")

    assert created.status_code == 201
    assert created.json()["discount"] == {"amount": "5.00", "currency": "CNY"}
    for failure in (again, stolen, guessed):
        assert failure.status_code == 400
        body = failure.json()
        assert (body["code"], body["details"]) == ("coupon_unavailable", {})
    assert len({f.json()["message"] for f in (again, stolen, guessed)}) == 1
    assert [c["id"] for c in mine.get("/api/v1/promotions/coupons").json()["results"]] == [created.json()["id"]]
    assert theirs.get("/api/v1/promotions/coupons").json()["results"] == []
    assert API_TIMESTAMP.fullmatch(created.json()["claimed_at"])


def test_offers_page_in_one_ranking_even_when_my_spending_changes_meanwhile() -> None:
    campaign_running(name_en="Dining", conditions={"mcc_categories": ["DINING"]}, priority=0)
    campaign_running(name_en="Anywhere", conditions={}, priority=5)
    campaign_running(name_en="Travel", conditions={"mcc_categories": ["TRAVEL"]}, priority=9)
    customer = shopper()
    client = customer_client(customer)

    def offers(cursor: str | None = None) -> dict[str, Any]:
        query = "?page_size=1" + (f"&cursor={cursor}" if cursor else "")
        return client.get(f"/api/v1/promotions/offers{query}", HTTP_ACCEPT_LANGUAGE="en").json()

    first = offers()  # no spending yet: ranked by priority
    pay(customer, merchant("5812"), "120.00")  # from now on Dining would rank first and Travel last
    second = offers(first["next_cursor"])
    third = offers(second["next_cursor"])
    back = offers(third["previous_cursor"])
    fresh = client.get("/api/v1/promotions/offers", HTTP_ACCEPT_LANGUAGE="en").json()

    assert [[o["name"] for o in page["results"]] for page in (first, second, third)] == [
        ["Travel"],
        ["Anywhere"],
        ["Dining"],
    ]
    assert first["previous_cursor"] is None and third["next_cursor"] is None
    assert f"cursor={first['next_cursor']}" in first["next"]
    assert [o["name"] for o in back["results"]] == ["Anywhere"]
    assert [o["name"] for o in fresh["results"]] == ["Dining", "Anywhere", "Travel"]


@pytest.mark.parametrize(
    "path,cursor",
    [
        ("/api/v1/promotions/offers", "bm90IGEgY3Vyc29y"),
        ("/api/v1/promotions/offers", KeysetCursor(("2026-04-02T03:21:07.482913+00:00", 7)).encode()),
        ("/api/v1/promotions/offers", KeysetCursor((10**18, 0, 0, 0, "x")).encode()),  # a moment to come
        ("/api/v1/promotions/coupons", KeysetCursor((1_775_099_700_000_000, 0, 0, 0, "x")).encode()),
        ("/api/v1/promotions/coupons", KeysetCursor(("yesterday", 7)).encode()),
    ],
)
def test_a_cursor_the_list_did_not_issue_is_a_400(path: str, cursor: str) -> None:
    response = customer_client(shopper()).get(f"{path}?cursor={cursor}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_my_coupons_page_newest_first() -> None:
    campaign = campaign_running(kind="COUPON", benefit={"discount": "5.00"})
    customer = shopper()
    claims = [coupon_redeem(customer=customer, code=code) for code in _codes(campaign, 3)]
    client = customer_client(customer)

    first = client.get("/api/v1/promotions/coupons?page_size=2").json()
    second = client.get(f"/api/v1/promotions/coupons?page_size=2&cursor={first['next_cursor']}").json()
    back = client.get(f"/api/v1/promotions/coupons?page_size=2&cursor={second['previous_cursor']}").json()
    bad_size = client.get("/api/v1/promotions/coupons?page_size=0")

    newest_first = [str(c.public_id) for c in reversed(claims)]
    assert [c["id"] for c in first["results"]] == newest_first[:2]
    assert [c["id"] for c in second["results"]] == newest_first[2:]
    assert (first["previous_cursor"], second["next_cursor"]) == (None, None)
    assert [c["id"] for c in back["results"]] == newest_first[:2]
    assert first["results"][0]["min_amount"] is None
    assert (bad_size.status_code, bad_size.json()["code"]) == (400, "invalid_page_size")


def test_a_page_of_my_coupons_is_one_keyset_statement() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    campaign = campaign_running(kind="COUPON", benefit={"discount": "5.00"})
    customer = shopper()
    for code in _codes(campaign, 4):
        coupon_redeem(customer=customer, code=code)
    client = customer_client(customer)
    client.get("/api/v1/promotions/coupons")  # warm the token cache and the like

    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/promotions/coupons?page_size=3")
    statements = [q["sql"] for q in queries.captured_queries if "promotions_couponclaim" in q["sql"]]

    assert len(statements) == 1
    assert "LIMIT 4" in statements[0] and "OFFSET" not in statements[0] and "COUNT(" not in statements[0]


def test_a_code_sent_as_a_number_is_a_400_and_redeeming_is_rate_limited(monkeypatch) -> None:
    from core.throttling import GuardedScopedRateThrottle

    monkeypatch.setattr(
        GuardedScopedRateThrottle,
        "THROTTLE_RATES",
        {**GuardedScopedRateThrottle.THROTTLE_RATES, "coupon_redeem": "3/min"},
    )
    client = customer_client(shopper())

    typed = client.post("/api/v1/promotions/coupons/redeem", {"code": 1234567890123456}, format="json")
    statuses = [
        client.post("/api/v1/promotions/coupons/redeem", {"code": "X"}, format="json").status_code for _ in range(4)
    ]

    assert typed.status_code == 400 and typed.json()["code"] == "invalid_request"
    assert statuses[-1] == 429


def test_my_points_balance_expiry_and_history() -> None:
    campaign_running(
        kind="POINTS", benefit={"points_per_yuan": 1, "max_points": 500, "expire_after_days": 30}, budget_minor=1_000
    )
    customer = shopper()
    deliver(pay(customer, merchant(), "42.00")[1])

    body = customer_client(customer).get("/api/v1/promotions/points").json()

    assert body["balance"] == {"amount": "42", "currency": "PTS"}
    assert [e["points"] for e in body["expiring"]] == [42]
    assert [(h["type"], h["points"]) for h in body["history"]] == [("EARNED", 42)]


def test_the_endpoints_need_a_customer_and_are_in_the_schema() -> None:
    anonymous = APIClient()
    schema = anonymous.get("/api/v1/schema?format=json").json()

    for path in ("/promotions/offers", "/promotions/coupons", "/promotions/coupons/redeem", "/promotions/points"):
        assert f"/api/v1{path}" in schema["paths"], path
        method = "post" if path.endswith("redeem") else "get"
        operation = schema["paths"][f"/api/v1{path}"][method]
        assert operation["tags"] == ["Promotions"] and operation["summary"], path
        assert {"not_authenticated", "authentication_failed"} <= {e["code"] for e in operation["x-error-codes"]}
        assert getattr(anonymous, method)(f"/api/v1{path}").status_code == 401


def test_the_promotions_operations_pass_the_openapi_lint() -> None:
    from tools.openapi_lint import lint, schema_text

    document = yaml.safe_load(text := schema_text())
    offers = document["paths"]["/api/v1/promotions/offers"]["get"]
    redeem = document["paths"]["/api/v1/promotions/coupons/redeem"]["post"]

    assert [p for p in lint(text) if "/promotions/" in p] == []
    assert {p["name"] for p in offers["parameters"]} >= {"cursor", "page_size"}
    assert {e["code"] for e in offers["x-error-codes"]} >= {"invalid_cursor", "invalid_page_size"}
    assert [(e["code"], e["status"]) for e in redeem["x-error-codes"] if e["status"] != 401] == [
        ("invalid_request", 400),
        ("malformed_request", 400),
        ("coupon_unavailable", 400),
        ("throttled", 429),
        ("rate_limit_unavailable", 503),
    ]
