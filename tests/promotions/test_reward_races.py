"""Concurrency proofs (real threads, each its own connection and transaction, as event workers are):
a budget for K rewards pays exactly K however many qualifying events race for it and ends at
exactly zero; an event delivered many times at once, or the same grant decided by many workers at
once, pays once; per-person limits hold under parallel payments of one customer."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction

from payments.models import Transfer
from promotions.models import RewardGrant
from promotions.services.rewards import PAYMENT_KINDS, occasion_from_payment, rewards_grant
from tests.payments.test_concurrency import run_threads
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import budget, deliver, ledger_accounts_never_negative, merchant, pay, shopper

pytestmark = pytest.mark.django_db(transaction=True)

K = 5
N = 16


def test_a_budget_for_k_rewards_pays_exactly_k_and_ends_at_zero() -> None:
    campaign = campaign_running(budget_minor=K * 5_00)  # 10 % capped at 5.00: K rewards of 5.00
    shop = merchant()
    events = [pay(shopper(), shop, "50.00")[1] for _ in range(N)]

    outcomes = run_threads(N, lambda i: "delivered" if deliver(events[i]) else "not delivered")

    assert outcomes == Counter({"delivered": N})
    grants = Counter(RewardGrant.objects.filter(campaign=campaign).values_list("status", "skip_reason"))
    assert grants == Counter({("PAID", ""): K, ("SKIPPED", "budget_exhausted"): N - K})
    assert budget(campaign) == (0, 0, 0)
    assert Transfer.objects.filter(kind="REWARD").count() == K
    assert ledger_accounts_never_negative()


def test_one_event_delivered_by_many_workers_at_once_pays_once() -> None:
    campaign = campaign_running()
    _payment, event = pay(shopper(), merchant(), "50.00")

    outcomes = run_threads(8, lambda i: "ran" if deliver(event) else "skipped")

    assert outcomes == Counter({"ran": 1, "skipped": 7})
    assert list(RewardGrant.objects.filter(campaign=campaign).values_list("status", flat=True)) == ["PAID"]
    assert budget(campaign)[0] == 1_000_00 - 5_00


def test_the_same_grant_decided_by_many_workers_past_the_outbox_guard_pays_once() -> None:
    """Two consumers (or a bug skipping ConsumedEvent) racing on one payment: the unique
    (campaign, source) grant is the last line, and it holds."""
    campaign = campaign_running()
    _payment, event = pay(shopper(), merchant(), "50.00")
    occasion = occasion_from_payment(event)
    assert occasion is not None

    def decide(_i: int) -> str:
        with transaction.atomic(durable=True):
            grants = rewards_grant(occasion, PAYMENT_KINDS)
        return grants[0].status

    outcomes = run_threads(6, decide)

    assert outcomes == Counter({"PAID": 6})  # every worker sees the one grant
    assert RewardGrant.objects.filter(campaign=campaign).count() == 1
    assert Transfer.objects.filter(kind="REWARD").count() == 1


def test_a_per_person_limit_holds_under_parallel_payments_of_one_customer() -> None:
    campaign = campaign_running(per_person_limit=2)
    customer, shop = shopper(), merchant()
    events = [pay(customer, shop, "30.00")[1] for _ in range(6)]

    run_threads(6, lambda i: str(deliver(events[i])))

    grants = Counter(RewardGrant.objects.filter(campaign=campaign).values_list("status", "skip_reason"))
    assert grants == Counter({("PAID", ""): 2, ("SKIPPED", "per_person_limit"): 4})
