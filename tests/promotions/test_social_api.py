"""The customer API of referral and lottery, and sign-up with a referral code (accounts passes the
code on in ``customer.registered``; promotions resolves it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from rest_framework.test import APIClient

from promotions.referral_codes import code_decode
from promotions.services.lottery import lottery_draw_run, lottery_prizes_pay
from tests.payments.factories import customer_client
from tests.promotions.helpers import deliver, merchant, pay
from tests.promotions.social import (
    LOTTERY_CONSUMER,
    REGISTERED_CONSUMER,
    code_of,
    lottery_campaign,
    person,
    registered_event,
)

pytestmark = pytest.mark.django_db

PATHS = ("/promotions/referral", "/promotions/referral/referees", "/promotions/lottery/entries")


def test_my_referral_code_link_and_referees() -> None:
    referrer, friend = person(), person()
    deliver(registered_event(friend, code=code_of(referrer)), REGISTERED_CONSUMER)
    client = customer_client(referrer)

    mine = client.get("/api/v1/promotions/referral").json()
    referees = client.get("/api/v1/promotions/referral/referees").json()

    assert code_decode(mine["code"]) == referrer.pk and mine["link"].endswith(mine["code"])
    assert (mine["invited"], mine["pending"], mine["rewards_paid"]) == (1, 1, {"amount": "0.00", "currency": "CNY"})
    assert [r["status"] for r in referees["results"]] == ["PENDING"] and referees["next_cursor"] is None
    assert customer_client(friend).get("/api/v1/promotions/referral/referees").json()["results"] == []


def test_my_lottery_entries_show_the_commitment_then_the_seed_and_my_prize() -> None:
    campaign = lottery_campaign()
    me = person(funds="100.00")
    deliver(pay(me, merchant(), "20.00")[1], LOTTERY_CONSUMER)
    client = customer_client(me)

    before = client.get("/api/v1/promotions/lottery/entries").json()["results"]
    lottery_draw_run(campaign_id=campaign.pk, now=campaign.ends_at + timedelta(minutes=11))
    lottery_prizes_pay(campaign_id=campaign.pk)
    after = client.get("/api/v1/promotions/lottery/entries").json()["results"]

    assert [(e["outcome"], e["draw"]["seed"]) for e in before] == [("PENDING", None)]
    assert len(before[0]["draw"]["seed_commitment"]) == 64
    assert after[0]["outcome"] == "WON" and after[0]["prize"] == {"amount": "10.00", "currency": "CNY"}
    assert after[0]["prize_status"] == "PAID" and len(after[0]["draw"]["seed"]) == 64


def test_the_endpoints_need_a_customer_are_documented_and_pass_the_lint() -> None:
    from tools.openapi_lint import lint, schema_text

    anonymous = APIClient()
    document = yaml.safe_load(text := schema_text())

    assert [p for p in lint(text) if "/promotions/" in p] == []
    for path in PATHS:
        operation = document["paths"][f"/api/v1{path}"]["get"]
        assert operation["tags"] == ["Promotions"] and operation["summary"]
        assert anonymous.get(f"/api/v1{path}").status_code == 401
        assert anonymous.get(f"/api/v1{path}/").status_code in (401, 404)
    for path in PATHS[1:]:
        names = {p["name"] for p in document["paths"][f"/api/v1{path}"]["get"]["parameters"]}
        assert names >= {"cursor", "page_size"}
