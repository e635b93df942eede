"""``make drill`` run ``reward-kill``: the Celery worker that grants deferred rewards is SIGKILLed
mid-grant ``DRILL_REWARD_KILLS`` times (default 20; every 4th kill the whole worker, the others the
pool processes executing the grants) while merchant payments stream in, then handled deliveries
are sent again on purpose. Checks: every payment has exactly one decision of the campaign
(0 lost), no reward paid twice (0 duplicated), exactly ``budget / reward`` rewards paid (the budget
for K rewards pays K, the rest SKIPPED ``budget_exhausted``), the budget's posted balance equals its
funding minus what was paid and is >= 0, and ``verify_ledger`` is clean.

Broken build (must fail): ``DRILL_BREAK_REWARD_GRANTS=1`` removes both guards of the reward consumer
in the worker (``ConsumedEvent`` and the unique (campaign, source) grant): redelivered events pay again.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import threading
import time
from typing import Any

from tools import loadlib
from tools.drill import (
    QUEUES,
    DrillResult,
    Stack,
    drill,
    invariants,
    start_beat,
    unacked_count,
    wait_broker_drained,
    wait_events,
)

KILLS = int(os.environ.get("DRILL_REWARD_KILLS", "20"))
PAYMENTS = int(os.environ.get("DRILL_REWARD_PAYMENTS", "400"))
PAID_REWARDS = int(os.environ.get("DRILL_REWARD_BUDGET_REWARDS", "300"))  # the budget pays this many 5.00 rewards
REDELIVER = int(os.environ.get("DRILL_REWARD_REDELIVER", "100"))
# Every WHOLE_EVERY-th kill takes the whole worker (main process too; a restart costs ~5-8 s here);
# the others SIGKILL the pool processes that run the grants (the main process forks new ones).
WHOLE_EVERY = max(int(os.environ.get("DRILL_REWARD_WHOLE_EVERY", "4")), 1)
CONSUMER = "promotions.rewards_on_payment"


def _campaign() -> Any:
    from datetime import timedelta

    from django.utils import timezone

    from promotions.services.approvals import campaign_approve
    from promotions.services.campaigns import campaign_create, campaign_submit
    from promotions.services.lifecycle import campaign_schedule, campaign_start
    from tests.factories import StaffFactory

    maker = StaffFactory(roles=["MARKETING"], branch=None)
    now = timezone.now()
    campaign = campaign_create(
        by=maker,
        data={
            "name_zh": "演练返现",
            "name_en": "Drill cashback",
            "kind": "CASHBACK",
            "conditions": {"payment_types": ["MERCHANT"]},
            "benefit": {"percent": "10", "cap": "5.00", "release_after_days": 0},
            "window": {},
            "segment": {},
            "valid_from": now - timedelta(days=1),
            "valid_until": now + timedelta(days=30),
            "budget_minor": PAID_REWARDS * 5_00,
            "holdout_bps": 0,
        },
    )
    campaign_submit(campaign_id=campaign.pk, by=maker)
    campaign_approve(campaign_id=campaign.pk, by=StaffFactory(roles=["MARKETING"], branch=None))
    if campaign.__class__.objects.get(pk=campaign.pk).status != "APPROVED":
        from promotions.services.approvals import campaign_risk_signoff

        campaign_risk_signoff(campaign_id=campaign.pk, by=StaffFactory(roles=["RISK_OFFICER"], branch=None))
    campaign_schedule(
        campaign_id=campaign.pk, by=maker, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(days=7)
    )
    campaign_start(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


def _consent(world: Any) -> None:
    from accounts.models import Consent

    Consent.objects.bulk_create(
        [Consent(customer_id=c.customer_id, purpose=Consent.Purpose.MARKETING, version="1") for c in world.customers]
    )


def _payments(world: Any, count: int, rate: float, stop: threading.Event, refused: dict[str, int]) -> list[str]:
    """Merchant QR payments of 50.00 (each publishes ``payment.completed``); returns transfer ids."""
    from django.db import connection

    from accounts.models import Customer
    from core.errors import DomainError
    from core.money import Money
    from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr

    rng = random.Random(11)
    done: list[str] = []
    qrs = [merchant_static_qr(m) for m in world.merchants]
    try:
        for _ in range(count):
            if stop.is_set():
                break
            customer = Customer.objects.get(pk=rng.choice(world.customers).customer_id)
            try:
                payment = merchant_payment_create(customer=customer, qr=rng.choice(qrs), amount=Money(50_00, "CNY"))
                done.append(str(payment.transfer.public_id))
            except DomainError as error:
                refused[error.code] = refused.get(error.code, 0) + 1
            time.sleep(1 / rate)
    finally:
        connection.close()
    return done


def _redeliver(transfer_ids: list[str], limit: int) -> int:
    from django.conf import settings

    from core.models import OutboxEvent
    from core.outbox import outbox_deliver

    ids = list(
        OutboxEvent.objects.filter(topic="payment.completed", key__in=transfer_ids).values_list("pk", flat=True)[:limit]
    )
    for event_id in ids:
        outbox_deliver.apply_async(
            kwargs={"event_id": event_id, "consumer": CONSUMER}, queue=settings.CELERY_TASK_DEFAULT_QUEUE, retry=False
        )
    return len(ids)


def _wait_for_a_grant(*, worker_started: float, seconds: float = 8.0) -> None:
    """Until the worker has committed a reward decision since ``worker_started`` (or ``seconds``)."""
    from datetime import UTC, datetime

    from django.db import connection

    from promotions.models import RewardGrant

    since = datetime.fromtimestamp(worker_started, tz=UTC)
    deadline = time.time() + seconds
    while time.time() < deadline and not RewardGrant.objects.filter(created_at__gte=since).exists():
        time.sleep(0.1)
    connection.close()


def _handled_by_consumer(after_id: int) -> dict[str, str]:
    """``consumer: handled/expected`` for the events after ``after_id`` (ConsumedEvent rows)."""
    from collections import Counter

    from core.models import ConsumedEvent, OutboxEvent
    from core.outbox import consumers_for

    expected: Counter[str] = Counter()
    for topic in OutboxEvent.objects.filter(pk__gt=after_id).values_list("topic", flat=True):
        for consumer in consumers_for(topic):
            expected[consumer.name] += 1
    handled = Counter(ConsumedEvent.objects.filter(event_id__gt=after_id).values_list("consumer", flat=True))
    return {name: f"{handled.get(name, 0)}/{n}" for name, n in sorted(expected.items())}


@drill("reward-kill", order=15)
def reward_kill(stack: Stack) -> DrillResult:
    from collections import Counter

    from django.db import connection
    from django.db.models import Count

    from core.models import OutboxEvent
    from payments.models import Transfer
    from payments.services.campaign_budget import campaign_budget_balance
    from promotions.models import RewardGrant

    result = DrillResult(f"reward worker SIGKILL x{KILLS} (promotions.rewards_on_payment)")
    _consent(stack.world)
    campaign = _campaign()
    after = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    stop = threading.Event()
    produced: list[str] = []
    refused: dict[str, int] = {}
    # Payments keep coming through all the kills (~1 s per pool kill, ~8 s per worker restart here).
    rate = max(PAYMENTS / (KILLS * 3.0), 2.0)
    producer = threading.Thread(
        target=lambda: produced.extend(_payments(stack.world, PAYMENTS, rate, stop, refused)), daemon=True
    )
    beat = start_beat()
    worker = loadlib.start_celery(queues=QUEUES, concurrency=2, name="drill-rewards")
    kills = whole = pool = 0
    rng = random.Random(5)
    producer.start()
    try:
        for number in range(1, KILLS + 1):
            _wait_for_a_grant(worker_started=time.time())  # the worker is granting rewards...
            time.sleep(rng.uniform(0.1, 0.5))  # ...and is killed in the middle of it
            if number % WHOLE_EVERY == 0:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.pid, signal.SIGKILL)  # main process and pool children at once
                worker.proc.wait(10)
                worker.sampler.stop()
                worker = loadlib.start_celery(queues=QUEUES, concurrency=2, name="drill-rewards", wait=10)
                whole += 1
            else:
                # The pool processes executing the grants; the main process (alive) requeues their
                # messages (acks_late + reject_on_worker_lost) and forks new ones at once.
                for child in worker.children():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child.pid, signal.SIGKILL)
                pool += 1
            kills += 1
        producer.join(120)
        stop.set()
        expected, handled, twice = wait_events(after, 120)
        unacked = unacked_count()
        redelivered = _redeliver(produced, REDELIVER)
        drained = wait_broker_drained(90, unacked)
        expected, handled, twice = wait_events(after, 30)
    finally:
        stop.set()
        worker.stop()
        beat.stop()
    connection.close()

    grants = Counter(RewardGrant.objects.filter(campaign=campaign).values_list("status", "skip_reason"))
    by_consumer = _handled_by_consumer(after)
    per_source = dict(
        RewardGrant.objects.filter(campaign=campaign)
        .values("source_transfer_public_id")
        .annotate(n=Count("id"))
        .values_list("source_transfer_public_id", "n")
    )
    decided = {str(k) for k in per_source}
    lost = sum(1 for t in produced if t not in decided)
    extra_grants = sum(n - 1 for n in per_source.values() if n > 1)
    paid = grants.get(("PAID", ""), 0)
    transfers = Transfer.objects.filter(kind="REWARD", metadata__campaign=str(campaign.public_id)).count()
    state = campaign_budget_balance(campaign.budget_account_code)
    posted = state.posted.minor if state is not None else -1
    funded = PAID_REWARDS * 5_00
    result.attempted = len(produced)
    result.lost = lost
    result.duplicated = extra_grants + max(0, transfers - paid)
    result.details.update(
        {
            "kills": kills,
            "kills_of_the_pool_processes": pool,
            "kills_of_the_whole_worker": whole,
            "payments": len(produced),
            "payments_refused": refused,
            "grants": {f"{s}{':' + r if r else ''}": n for (s, r), n in grants.items()},
            "reward_transfers": transfers,
            "budget_posted_minor": posted,
            "redelivered_on_purpose": redelivered,
            "broker_drained": drained,
            "event_deliveries": f"{handled}/{expected}",
            "handled_by_consumer": by_consumer,
        }
    )
    invariants(result)
    result.check("payments made while workers die", len(produced) >= PAYMENTS * 0.9, f"{len(produced)}/{PAYMENTS}")
    result.check("every payment decided exactly once (0 lost)", lost == 0, f"{lost} without a decision")
    result.check(
        "no reward granted twice (0 duplicated)",
        result.duplicated == 0,
        f"grants +{extra_grants}, transfers {transfers} for {paid} PAID",
    )
    want = min(len(produced), PAID_REWARDS)
    result.check(
        f"a budget for {PAID_REWARDS} rewards pays exactly min(payments, {PAID_REWARDS})",
        paid == want,
        f"{paid} paid, {want} expected",
    )
    result.check(
        "budget conservation: posted = funded - paid, never negative",
        posted == funded - paid * 5_00 and posted >= 0,
        f"{posted} = {funded} - {paid} x 500",
    )
    result.check(
        "every event x consumer handled, none twice",
        handled == expected and twice == 0,
        f"{handled}/{expected}, twice {twice}",
    )
    result.check(
        "handled deliveries re-sent on purpose and drained", redelivered > 0 and drained, f"{redelivered} re-sent"
    )
    return result.conclude()
