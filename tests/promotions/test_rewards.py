"""Deferred rewards through the outbox consumers: cashback, points, top-up rebate, cumulative spend;
limits, windows, stacking and pausing; exactly once per campaign and payment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import ConsumedEvent
from promotions.models import PointsLot, RewardGrant
from promotions.services.lifecycle import campaign_pause, campaign_resume
from promotions.services.payouts import points_expire_due, rewards_release_due
from promotions.services.rewards import PAYMENT_KINDS, occasion_from_payment, rewards_grant
from tests.factories import StaffFactory
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import (
    TOPUP_CONSUMER,
    balance,
    budget,
    deliver,
    merchant,
    pay,
    rewards_of,
    shopper,
    topup_event,
)

pytestmark = pytest.mark.django_db


def _grants(campaign) -> list[tuple[str, str]]:
    return list(RewardGrant.objects.filter(campaign=campaign).order_by("pk").values_list("status", "skip_reason"))


def test_cashback_is_paid_once_however_often_the_event_arrives() -> None:
    campaign = campaign_running()
    customer, shop = shopper(), merchant()
    _payment, event = pay(customer, shop, "33.33")

    assert deliver(event) is True
    assert deliver(event) is False  # redelivered: the consumer does nothing
    occasion = occasion_from_payment(event)
    assert occasion is not None
    rewards_grant(occasion, PAYMENT_KINDS)  # even the consumer's body run again grants nothing more

    assert balance(customer) == 1000_00 - 33_33 + 3_33
    assert budget(campaign) == (1_000_00 - 3_33, 0, 1_000_00 - 3_33)
    assert _grants(campaign) == [("PAID", "")]
    assert len(rewards_of(customer)) == 1
    assert ConsumedEvent.objects.filter(consumer="promotions.rewards_on_payment", event_id=event.pk).count() == 1


def test_a_delayed_cashback_is_held_on_the_budget_then_released() -> None:
    campaign = campaign_running(benefit={"percent": "10", "cap": "5.00", "release_after_days": 7})
    customer, shop = shopper(), merchant()
    deliver(pay(customer, shop, "80.00")[1])

    grant = RewardGrant.objects.get(campaign=campaign)
    assert grant.status == "PENDING" and grant.hold is not None
    assert budget(campaign) == (1_000_00, 5_00, 995_00)
    assert rewards_release_due() == 0  # not yet
    assert rewards_release_due(now=timezone.now() + timedelta(days=7, minutes=1)) == 1
    assert rewards_release_due(now=timezone.now() + timedelta(days=8)) == 0  # twice: nothing more

    grant.refresh_from_db()
    assert grant.status == "PAID"
    assert balance(customer) == 1000_00 - 80_00 + 5_00
    assert budget(campaign) == (995_00, 0, 995_00)


@pytest.mark.parametrize(
    ("overrides", "mcc", "amount"),
    [
        ({}, "5812", "19.99"),  # below min_amount
        ({"conditions": {"min_amount": "20.00", "mcc_categories": ["TRAVEL"]}}, "5812", "50.00"),
        ({"window": {"weekdays": [((timezone.localdate().isoweekday()) % 7) + 1]}}, "5812", "50.00"),
        ({"segment": {"kyc_tiers": [1]}}, "5812", "50.00"),  # the shopper is tier 2
    ],
    ids=["min_amount", "category", "weekday", "segment"],
)
def test_payments_outside_the_rules_get_nothing_and_leave_no_row(overrides, mcc, amount) -> None:
    campaign = campaign_running(**overrides)
    customer = shopper()

    deliver(pay(customer, merchant(mcc), amount)[1])

    assert balance(customer) == 1000_00 - int(amount.replace(".", ""))
    assert _grants(campaign) == []


def test_a_customer_without_marketing_consent_is_never_rewarded() -> None:
    campaign = campaign_running()
    customer = shopper(consent=False)

    deliver(pay(customer, merchant(), "50.00")[1])

    assert _grants(campaign) == [] and rewards_of(customer) == []


def test_per_person_and_global_limits_hold_and_say_why() -> None:
    campaign = campaign_running(per_person_limit=1, global_limit=2)
    shop = merchant()
    first, second, third = shopper(), shopper(), shopper()

    for customer in (first, first, second, third):
        deliver(pay(customer, shop, "50.00")[1])

    assert _grants(campaign) == [
        ("PAID", ""),
        ("SKIPPED", "per_person_limit"),
        ("PAID", ""),
        ("SKIPPED", "global_limit"),
    ]
    campaign.refresh_from_db()
    assert campaign.granted_count == 2


def test_pausing_is_instant_and_resuming_pays_again() -> None:
    campaign = campaign_running()
    shop, customer = merchant(), shopper()
    maker = StaffFactory(roles=["MARKETING"], branch=None)
    _p, during = pay(customer, shop, "50.00")

    campaign_pause(campaign_id=campaign.pk, by=maker, reason="abuse suspected")
    deliver(during)  # paid while active, delivered after the pause: the pause wins
    campaign_resume(campaign_id=campaign.pk, by=maker)
    deliver(pay(customer, shop, "50.00")[1])

    assert _grants(campaign) == [("SKIPPED", "campaign_paused"), ("PAID", "")]


def test_one_campaign_per_stacking_group_and_an_exclusive_one_alone() -> None:
    low = campaign_running(stacking_group="DINING", priority=1)
    high = campaign_running(stacking_group="DINING", priority=5, benefit={"percent": "20", "cap": "5.00"})
    other_group = campaign_running(stacking_group="WEEKEND", priority=3)
    customer = shopper()

    deliver(pay(customer, merchant(), "20.00")[1])

    assert _grants(high) == [("PAID", "")]
    assert _grants(other_group) == [("PAID", "")]
    assert _grants(low) == [("SKIPPED", "stacking_group")]
    assert balance(customer) == 1000_00 - 20_00 + 4_00 + 2_00


def test_an_exclusive_campaign_of_higher_priority_applies_alone() -> None:
    exclusive = campaign_running(stacking_group="VIP", exclusive=True, priority=9)
    ordinary = campaign_running(stacking_group="", priority=1)
    customer = shopper()

    deliver(pay(customer, merchant(), "50.00")[1])

    assert _grants(exclusive) == [("PAID", "")]
    assert _grants(ordinary) == [("SKIPPED", "stacking_exclusive")]


def test_points_are_earned_per_spend_with_multipliers_and_expire_in_the_ledger() -> None:
    campaign = campaign_running(
        kind="POINTS",
        benefit={
            "points_per_yuan": 1,
            "multipliers": [{"mcc_categories": ["DINING"], "factor": 3}],
            "max_points": 1000,
            "expire_after_days": 30,
        },
        budget_minor=10_000,
    )
    customer = shopper()

    deliver(pay(customer, merchant("5812"), "25.90")[1])  # dining: 25 x 3
    deliver(pay(customer, merchant("5411"), "20.50")[1])  # groceries: 20 x 1

    assert balance(customer, "PTS") == 95
    assert budget(campaign) == (10_000 - 95, 0, 10_000 - 95)
    assert points_expire_due() == 0
    assert points_expire_due(now=timezone.now() + timedelta(days=31)) == 95
    assert points_expire_due(now=timezone.now() + timedelta(days=32)) == 0
    assert balance(customer, "PTS") == 0
    assert set(PointsLot.objects.values_list("remaining", "expired_points")) == {(0, 75), (0, 20)}


def test_a_top_up_rebate_follows_the_top_up_event() -> None:
    campaign = campaign_running(
        kind="TOPUP_REBATE", conditions={"min_amount": "100.00"}, benefit={"percent": "2", "cap": "10.00"}
    )
    customer = shopper("0.01")

    deliver(topup_event(customer, "99.99"), TOPUP_CONSUMER)
    deliver(topup_event(customer, "300.00"), TOPUP_CONSUMER)
    deliver(topup_event(customer, "900.00"), TOPUP_CONSUMER)

    assert _grants(campaign) == [("PAID", ""), ("PAID", "")]
    assert balance(customer) == 1 + 6_00 + 10_00


def test_cumulative_spend_milestones_are_granted_once_each() -> None:
    campaign = campaign_running(
        kind="CUMULATIVE_SPEND",
        conditions={},
        benefit={
            "period": "CAMPAIGN",
            "milestones": [{"spend": "100.00", "reward": "3.00"}, {"spend": "250.00", "reward": "8.00"}],
        },
    )
    customer, shop = shopper(), merchant()

    events = [pay(customer, shop, amount)[1] for amount in ("60.00", "60.00", "200.00", "10.00")]
    for event in events:
        deliver(event)
    deliver(events[2])  # redelivered: counted once

    assert _grants(campaign) == [("PAID", ""), ("PAID", "")]
    assert balance(customer) == 1000_00 - 330_00 + 3_00 + 8_00
