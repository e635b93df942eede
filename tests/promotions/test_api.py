"""The customer API: offers ranked by my spending, my coupons, redeeming a code, my points; own
data only, the one error format, in the OpenAPI schema."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from promotions.services.coupons import code_display, coupon_batch_create, coupon_batch_generate
from promotions.versions import in_holdout
from tests.factories import StaffFactory
from tests.payments.factories import customer_client
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import deliver, merchant, pay, shopper

pytestmark = pytest.mark.django_db


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

    assert [o["name"] for o in body] == ["Dining", "Anywhere", "Travel"]
    assert {o["id"] for o in body} == {str(c.public_id) for c in (dining, travel, anywhere)}
    assert body[0]["benefit"] == {"percent": "10", "cap": "5.00", "release_after_days": 0}


def test_offers_speak_the_requests_language_and_hide_what_i_cannot_get() -> None:
    campaign_running(per_person_limit=1)
    held_out = campaign_running(holdout_bps=5000, name_zh="留出")
    customer = shopper()
    while in_holdout(held_out.version, customer.pk) is False:
        customer = shopper()
    client = customer_client(customer)

    before = client.get("/api/v1/promotions/offers", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    deliver(pay(customer, merchant(), "50.00")[1])  # uses the one reward of the first campaign
    after = client.get("/api/v1/promotions/offers").json()

    assert [o["name"] for o in before] == ["春季消费返现"]
    assert after == []
    assert customer_client(shopper(consent=False)).get("/api/v1/promotions/offers").json() == []


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
    assert [c["id"] for c in mine.get("/api/v1/promotions/coupons").json()] == [created.json()["id"]]
    assert theirs.get("/api/v1/promotions/coupons").json() == []


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
    schema = anonymous.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    for path in ("/promotions/offers", "/promotions/coupons", "/promotions/coupons/redeem", "/promotions/points"):
        assert f"/api/v1{path}" in schema["paths"], path
        method = "post" if path.endswith("redeem") else "get"
        assert getattr(anonymous, method)(f"/api/v1{path}").status_code == 401
