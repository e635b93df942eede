"""Budgets are ledger accounts: funded at the start, every reward a transfer out of them, the
remainder returned at the end, never below zero."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from payments.models import LedgerAccount, Transfer
from promotions.models import Campaign, RewardGrant
from promotions.services.lifecycle import campaign_end, campaign_settle, campaigns_tick
from promotions.services.payouts import rewards_release_due
from tests.factories import StaffFactory
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import balance, budget, deliver, merchant, pay, shopper

pytestmark = pytest.mark.django_db


def test_rewards_stop_when_the_budget_is_spent_and_the_campaign_says_so() -> None:
    shop = merchant()
    campaign = campaign_running(budget_minor=12_00)  # two 5.00 rewards, then 2.00 left
    people = [shopper() for _ in range(3)]

    for customer in people:
        deliver(pay(customer, shop, "50.00")[1])

    grants = RewardGrant.objects.filter(campaign=campaign).order_by("pk")
    assert [(g.status, g.skip_reason) for g in grants] == [("PAID", ""), ("PAID", ""), ("SKIPPED", "budget_exhausted")]
    assert budget(campaign) == (2_00, 0, 2_00)
    campaign.refresh_from_db()
    assert campaign.budget_exhausted_at is not None
    assert [balance(c) for c in people] == [955_00, 955_00, 950_00]


def test_the_budget_account_refuses_to_go_negative_in_the_database() -> None:
    campaign = campaign_running()
    account = LedgerAccount.objects.get(code=campaign.budget_account_code)

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payments_ledgeraccount SET pending_debit_minor = posted_minor + 1 WHERE id = %s", [account.pk]
        )


def test_held_rewards_stay_in_the_budget_when_the_remainder_goes_back(settings) -> None:
    settings.PROMOTIONS_SETTLE_GRACE_MINUTES = 0
    shop = merchant()
    campaign = campaign_running(benefit={"percent": "10", "cap": "5.00", "release_after_days": 7})
    customer = shopper()
    deliver(pay(customer, shop, "50.00")[1])

    campaign_end(campaign_id=campaign.pk, by=StaffFactory(roles=["MARKETING"], branch=None), reason="over")
    returned = campaign_settle(campaign_id=campaign.pk)

    assert returned == 1_000_00 - 5_00
    assert budget(campaign) == (5_00, 5_00, 0)
    assert rewards_release_due(now=timezone.now() + timedelta(days=8)) == 1
    assert balance(customer) == 1000_00 - 50_00 + 5_00
    assert budget(campaign) == (0, 0, 0)


def test_a_campaign_whose_start_beat_was_missed_still_pays_and_is_funded_once() -> None:
    shop = merchant()
    campaign = campaign_running(start=False)  # SCHEDULED, due, never started by beat
    customer = shopper()

    deliver(pay(customer, shop, "50.00")[1])
    campaigns_tick()  # the late beat finds it started

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ACTIVE
    assert Transfer.objects.filter(kind="FUNDING", reference=f"CAMPAIGN-FUND-{campaign.public_id}").count() == 1
    assert balance(customer) == 1000_00 - 50_00 + 5_00
