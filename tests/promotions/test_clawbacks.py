"""Refunds claw back cashback and points pro rata (before or after release), milestones no longer
reached in full; once per refund; never into overdraft."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.money import Money
from payments.ledger import Leg, system_account, transfer_post, wallet_find
from payments.models import LedgerAccount, Transfer
from promotions.models import PointsLot, RewardClawback, RewardGrant
from promotions.services.payouts import rewards_release_due
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import REFUND_CONSUMER, balance, budget, deliver, merchant, pay, refund, shopper

pytestmark = pytest.mark.django_db

CASHBACK_10 = {"percent": "10", "cap": "50.00"}


def test_partial_refunds_claw_back_pro_rata_and_a_full_refund_takes_it_all() -> None:
    campaign = campaign_running(benefit=CASHBACK_10)
    customer, shop = shopper(), merchant()
    payment, event = pay(customer, shop, "99.99")  # 9.99 back
    deliver(event)

    first = refund(payment, "10.00")
    deliver(first, REFUND_CONSUMER)
    deliver(first, REFUND_CONSUMER)  # redelivered: nothing more
    grant = RewardGrant.objects.get(campaign=campaign)
    assert grant.clawed_back_minor == 99  # 9.99 x 10.00 / 99.99 = 0.999: rounded down, in the customer's favour
    deliver(refund(payment, "89.99"), REFUND_CONSUMER)

    grant.refresh_from_db()
    assert grant.clawed_back_minor == 9_99 and grant.clawback_shortfall_minor == 0
    assert balance(customer) == 1000_00  # paid 99.99, got 9.99 back, refunded 99.99, gave 9.99 back
    assert budget(campaign)[0] == 1_000_00
    assert RewardClawback.objects.filter(grant=grant).count() == 2
    clawbacks = Transfer.objects.filter(kind="REWARD", reverses=grant.transfer).order_by("id")
    assert [t.reason_code for t in clawbacks] == ["REWARD_CLAWBACK", "REWARD_CLAWBACK"]


def test_a_refund_before_release_lowers_the_held_reward_and_a_full_one_voids_it() -> None:
    campaign = campaign_running(benefit={**CASHBACK_10, "release_after_days": 7})
    shop = merchant()
    partly, fully = shopper(), shopper()
    payment_a, event_a = pay(partly, shop, "100.00")
    payment_b, event_b = pay(fully, shop, "100.00")
    deliver(event_a)
    deliver(event_b)
    assert budget(campaign) == (1_000_00, 20_00, 980_00)

    deliver(refund(payment_a, "40.00"), REFUND_CONSUMER)
    deliver(refund(payment_b, "100.00"), REFUND_CONSUMER)
    released = rewards_release_due(now=timezone.now() + timedelta(days=8))

    assert released == 1
    assert balance(partly) == 1000_00 - 60_00 + 6_00
    assert balance(fully) == 1000_00
    assert RewardGrant.objects.get(customer=fully).status == "VOIDED"
    assert budget(campaign) == (994_00, 0, 994_00)


def test_cashback_already_spent_is_recorded_as_a_shortfall_never_an_overdraft() -> None:
    campaign = campaign_running(benefit=CASHBACK_10)
    customer, shop = shopper("100.00"), merchant()
    payment, event = pay(customer, shop, "100.00")
    deliver(event)  # wallet: 10.00, all of it cashback
    refunded = refund(payment, "100.00")  # wallet: 110.00
    _spend(customer, "107.00")  # spent before the refund's event was handled: 3.00 left

    deliver(refunded, REFUND_CONSUMER)

    grant = RewardGrant.objects.get(campaign=campaign)
    assert (grant.clawed_back_minor, grant.clawback_shortfall_minor) == (3_00, 7_00)
    assert balance(customer) == 0
    assert budget(campaign)[0] == 1_000_00 - 10_00 + 3_00


def _spend(customer, amount: str) -> None:
    from django.db import transaction

    wallet = wallet_find(customer=customer, currency="CNY")
    sink = system_account(LedgerAccount.Kind.SUSPENSE, "CNY")
    money = Money.parse(amount, "CNY")
    with transaction.atomic():
        transfer_post(kind="ADJUSTMENT", legs=[Leg(wallet, -money), Leg(sink, money)])


def test_points_are_clawed_back_pro_rata_from_the_points_wallet_and_the_lot() -> None:
    campaign_running(
        kind="POINTS", benefit={"points_per_yuan": 2, "max_points": 1000, "expire_after_days": 90}, budget_minor=5_000
    )
    customer = shopper()
    payment, event = pay(customer, merchant(), "50.00")
    deliver(event)

    deliver(refund(payment, "25.00"), REFUND_CONSUMER)

    assert balance(customer, "PTS") == 50
    assert PointsLot.objects.get().remaining == 50


def test_a_milestone_no_longer_reached_after_a_refund_is_clawed_back() -> None:
    campaign = campaign_running(
        kind="CUMULATIVE_SPEND",
        conditions={},
        benefit={"period": "MONTH", "milestones": [{"spend": "100.00", "reward": "5.00"}]},
    )
    customer, shop = shopper(), merchant()
    first, event_1 = pay(customer, shop, "60.00")
    _second, event_2 = pay(customer, shop, "50.00")
    deliver(event_1)
    deliver(event_2)
    assert balance(customer) == 1000_00 - 110_00 + 5_00

    deliver(refund(first, "20.00"), REFUND_CONSUMER)  # 90.00 counted: below the milestone

    grant = RewardGrant.objects.get(campaign=campaign)
    assert grant.clawed_back_minor == 5_00
    assert balance(customer) == 1000_00 - 110_00 + 20_00
