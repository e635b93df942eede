"""Lottery (抽奖): entries from qualifying payments, a seed committed before entries close, a draw an
auditor re-runs from the record, prizes paid from the budget exactly once however often the job runs."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from payments.models import Transfer
from promotions.models import LotteryDraw, LotteryEntry, RewardGrant
from promotions.services.lottery import draw_compute, lottery_draw_run, lottery_draw_verify, lottery_prizes_pay
from tests.payments.test_concurrency import run_threads
from tests.promotions.helpers import budget, deliver, ledger_accounts_never_negative, merchant, pay
from tests.promotions.social import LOTTERY_CONSUMER, lottery_campaign, person


def _entries(campaign: object, count: int) -> None:
    shop = merchant()
    for _ in range(count):
        deliver(pay(person(funds="100.00"), shop, "20.00")[1], LOTTERY_CONSUMER)


def _after_close(campaign: object) -> object:
    return campaign.ends_at + timedelta(minutes=11)  # type: ignore[attr-defined]


def test_the_algorithm_is_a_pure_function_of_seed_tickets_and_prizes() -> None:
    seed = "ab" * 32
    tickets = [f"c:payment:{i}" for i in range(10)]

    first = draw_compute(seed_hex=seed, tickets=tickets, prizes=[1000, 500])
    again = draw_compute(seed_hex=seed, tickets=list(reversed(tickets)), prizes=[1000, 500])
    other = draw_compute(seed_hex="cd" * 32, tickets=tickets, prizes=[1000, 500])

    assert first == again
    assert [p for _r, _t, _s, p in first.ranked] == [1000, 500] + [0] * 8
    assert first.results_digest != other.results_digest


@pytest.mark.django_db
def test_the_seed_is_committed_before_the_first_entry_and_revealed_only_at_the_draw() -> None:
    campaign = lottery_campaign()
    _entries(campaign, 1)
    draw = LotteryDraw.objects.get(campaign=campaign)

    assert draw.status == "OPEN" and draw.seed_revealed == ""
    assert hashlib.sha256(draw.seed_secret.encode()).hexdigest() == draw.seed_commitment
    assert draw.committed_at <= LotteryEntry.objects.get(campaign=campaign).created_at
    assert lottery_draw_run(campaign_id=campaign.pk) is False  # not due before entries close


@pytest.mark.django_db
def test_the_draw_is_reproduced_from_the_record_and_a_tampered_record_is_caught() -> None:
    campaign = lottery_campaign()
    _entries(campaign, 6)

    assert lottery_draw_run(campaign_id=campaign.pk, now=_after_close(campaign)) is True
    lottery_prizes_pay(campaign_id=campaign.pk)
    proof = lottery_draw_verify(campaign_id=campaign.pk)
    out = StringIO()
    call_command("lottery_verify", str(campaign.public_id), stdout=out)

    assert proof.ok and proof.problems == [] and proof.entries == 6
    assert [p for _r, _t, p in proof.winners] == [10_00, 10_00, 5_00]
    outcomes = Counter(LotteryEntry.objects.filter(campaign=campaign).values_list("outcome", "prize_minor"))
    assert outcomes == Counter({("WON", 10_00): 2, ("WON", 5_00): 1, ("NO_PRIZE", 0): 3})
    recorded = {e.ticket: e.prize_minor for e in LotteryEntry.objects.filter(campaign=campaign, outcome="WON")}
    assert {t: p for _r, t, p in proof.winners} == recorded
    assert "REPRODUCED" in out.getvalue()

    loser = LotteryEntry.objects.filter(campaign=campaign, outcome="NO_PRIZE").first()
    LotteryEntry.objects.filter(pk=loser.pk).update(prize_minor=10_00)
    assert lottery_draw_verify(campaign_id=campaign.pk).ok is False


@pytest.mark.django_db
def test_an_entry_arriving_after_the_draw_is_not_entered() -> None:
    campaign = lottery_campaign()
    _entries(campaign, 2)
    shop = merchant()
    _payment, late = pay(person(funds="100.00"), shop, "20.00")
    lottery_draw_run(campaign_id=campaign.pk, now=_after_close(campaign))

    deliver(late, LOTTERY_CONSUMER)

    assert LotteryEntry.objects.filter(campaign=campaign).count() == 2
    assert lottery_draw_verify(campaign_id=campaign.pk).ok


@pytest.mark.django_db(transaction=True)
def test_the_draw_job_run_many_times_at_once_draws_once_and_pays_each_prize_once() -> None:
    from promotions.tasks import lottery_draw

    campaign = lottery_campaign()
    _entries(campaign, 5)
    at = _after_close(campaign)
    seen_before = budget(campaign)

    def job(_i: int) -> str:
        drawn = lottery_draw_run(campaign_id=campaign.pk, now=at)
        lottery_prizes_pay(campaign_id=campaign.pk)
        return "drew" if drawn else "found it drawn"

    outcomes = run_threads(6, job)
    lottery_draw.run(campaign_id=campaign.pk)  # and once more, later

    assert outcomes == Counter({"drew": 1, "found it drawn": 5})
    assert LotteryDraw.objects.get(campaign=campaign).status == "PAID"
    assert Counter(RewardGrant.objects.filter(campaign=campaign).values_list("status", "amount_minor")) == Counter(
        {("PAID", 10_00): 2, ("PAID", 5_00): 1}
    )
    assert Transfer.objects.filter(kind="REWARD").count() == 3
    assert budget(campaign) == (seen_before[0] - 25_00, 0, seen_before[2] - 25_00)
    assert lottery_draw_verify(campaign_id=campaign.pk).ok
    assert ledger_accounts_never_negative()


@pytest.mark.django_db
def test_a_prize_table_above_its_budget_or_with_reward_limits_is_refused() -> None:
    from promotions.errors import BudgetBelowMaxReward, CampaignInvalid

    with pytest.raises(BudgetBelowMaxReward):
        lottery_campaign(budget_minor=24_99)
    with pytest.raises(CampaignInvalid):
        lottery_campaign(global_limit=3)


@pytest.mark.django_db
def test_the_budget_is_not_returned_before_the_prizes_are_paid() -> None:
    from promotions.services.lifecycle import campaign_settle

    campaign = lottery_campaign()
    _entries(campaign, 3)
    now = timezone.now()
    type(campaign).objects.filter(pk=campaign.pk).update(status="ENDED", ends_at=now, ended_at=now - timedelta(hours=2))

    assert campaign_settle(campaign_id=campaign.pk) == 0
    assert lottery_draw_run(campaign_id=campaign.pk, now=now + timedelta(minutes=11)) is True
    lottery_prizes_pay(campaign_id=campaign.pk)
    assert campaign_settle(campaign_id=campaign.pk) == 0  # 25.00 budget, 25.00 of prizes: nothing left
    assert budget(campaign) == (0, 0, 0)
