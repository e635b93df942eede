"""The risk consumers evaluate a batch of events in a handful of statements
(``risk.services.evaluation.events_evaluate``): a batch decides exactly what the same events
delivered one by one decide; parallel workers taking overlapping batches never deadlock and still
count every window exactly; the cached rule set follows every rule change."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Customer, KycTier
from core.models import OutboxEvent
from core.outbox import outbox_events_deliver
from risk.models import Alert, Evaluation, RiskRule, RiskScenario, RuleResult, RuleSetStamp
from risk.services.rules import rule_version_create, rule_version_status_set, scenario_thresholds_set
from risk.tasks import consumer_name
from tests.factories import CustomerFactory
from tests.payments.factories import wallet_fund
from tests.risk.events import access_event, deliver, p2p_event, p2p_real

pytestmark = pytest.mark.django_db


def _deliver_batch(events: list[OutboxEvent]) -> int:
    """As the risk queue does: one message (one transaction) per consumer with every event id of
    a run of one topic (runs in order, as one-by-one delivery sees the topics)."""
    runs: list[tuple[str, list[int]]] = []
    for event in events:
        if not runs or runs[-1][0] != event.topic:
            runs.append((event.topic, []))
        runs[-1][1].append(event.pk)
    return sum(outbox_events_deliver(event_ids=ids, consumer=consumer_name(topic)) for topic, ids in runs)


def _story(people: dict[str, Customer], at: Any, device: str) -> list[OutboxEvent]:
    """Mule pattern, structuring, a busy customer and a takeover, the same customers many times."""
    mule, onward, busy, victim = people["mule"], people["onward"], people["busy"], people["victim"]
    events = [p2p_real(people[f"sender{i}"], mule, "2000.00") for i in range(3)]
    events.append(p2p_real(mule, onward, "5800.00"))
    events += [p2p_event(busy, people[f"sender{i % 3}"], "48000.00", at + timedelta(seconds=i)) for i in range(4)]
    events += [p2p_event(busy, onward, "12.00", at + timedelta(seconds=10 + i)) for i in range(6)]
    events.append(access_event("customer.device_added", victim, device, at=at - timedelta(hours=2)))
    events.append(access_event("customer.password_reset", victim, device, at=at - timedelta(hours=1)))
    events.append(p2p_event(victim, onward, "3000.00", at))
    events.append(p2p_event(onward, busy, "1.00", at + timedelta(seconds=30)))
    return events


def _people() -> dict[str, Customer]:
    tier2 = KycTier.objects.get(level=2)
    people = {name: CustomerFactory(kyc_tier=tier2) for name in ("mule", "onward", "busy", "victim")}
    for i in range(3):
        people[f"sender{i}"] = CustomerFactory(kyc_tier=tier2)
        wallet_fund(people[f"sender{i}"], "3000.00")
    return people


def _decided(people: dict[str, Customer]) -> list[tuple[Any, ...]]:
    names = {c.pk: name for name, c in people.items()}
    rows = []
    for e in Evaluation.objects.filter(customer__in=people.values()).order_by("event_id", "customer_id"):
        features = {k: v for k, v in e.features.items() if k != "account_age_days"}
        results = sorted(
            (r.rule_version.rule.code, r.fired, r.score, r.outcome, tuple(sorted(r.inputs.items())))
            for r in RuleResult.objects.filter(evaluation=e).select_related("rule_version__rule")
        )
        rows.append((names[e.customer_id], e.topic, e.outcome, e.shadow_outcome, e.scores, features, results))
    return rows


def test_a_batch_decides_what_the_same_events_one_by_one_decide(settings: Any) -> None:
    settings.RISK_READ_AHEAD = 0  # one by one means one by one here (the read-ahead batches them)
    at = timezone.now()
    one_by_one, batched = _people(), _people()
    first = _story(one_by_one, at, "device-a")
    second = _story(batched, at, "device-b")

    deliver(*first)
    assert _deliver_batch(second) == len(second)

    expected, got = _decided(one_by_one), _decided(batched)
    assert len(got) == len(expected) >= 15
    assert got == expected
    assert {row[2] for row in got} >= {"REVIEW", "BLOCK", "STEP_UP"}
    alerts = sorted(
        (name, code, hits)
        for name, c in batched.items()
        for code, hits in Alert.objects.filter(customer=c).values_list("rule__code", "hits")
    )
    assert alerts == sorted(
        (name, code, hits)
        for name, c in one_by_one.items()
        for code, hits in Alert.objects.filter(customer=c).values_list("rule__code", "hits")
    )
    codes = {(name, code) for name, code, _ in alerts}
    assert {("mule", "rapid_in_out"), ("busy", "structuring"), ("busy", "velocity_count")} <= codes
    assert ("victim", "account_takeover") in codes


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_with_overlapping_batches_count_exactly_and_never_deadlock() -> None:
    payers = [CustomerFactory(kyc_tier=KycTier.objects.get(level=2)) for _ in range(4)]
    payee = CustomerFactory()
    at = timezone.now()  # one instant: every fact is inside every window, so counts depend on commits only
    events = [p2p_event(payers[i % 4], payee, "1.00", at) for i in range(48)]
    # Six workers at once, each a batch of eight events touching all four payers.
    batches = [events[i::6] for i in range(6)]
    barrier = threading.Barrier(len(batches))
    errors: list[Any] = []

    def work(batch: list[OutboxEvent]) -> None:
        try:
            barrier.wait(10)
            _deliver_batch(batch)
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(b,)) for b in batches]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    for payer in payers:
        counts = sorted(
            int(v) for v in Evaluation.objects.filter(customer=payer).values_list("features__out_count_1h", flat=True)
        )
        assert counts == list(range(1, 13))


def test_the_cached_rule_set_follows_every_rule_change(alice: Customer, officers: Any) -> None:
    officer = officers[0]
    payee = CustomerFactory()
    stamps = [RuleSetStamp.objects.get().stamp]
    deliver(p2p_event(alice, payee, "10.00"))  # the rule set is cached under the current stamp

    rule = RiskRule.objects.get(code="velocity_amount")
    version = rule_version_create(
        officer=officer,
        rule=rule,
        expression='kind == "PAYMENT_OUT" and amount >= 5',
        score=10,
        explanation_en="{amount} sent.",
        explanation_zh="付款{amount}元。",
    )
    stamps.append(RuleSetStamp.objects.get().stamp)
    rule_version_status_set(officer=officer, version=version, status="SHADOW")
    stamps.append(RuleSetStamp.objects.get().stamp)
    event = p2p_event(alice, payee, "10.00")
    deliver(event)
    shadow = RuleResult.objects.get(evaluation__event_id=event.pk, rule_version=version)
    assert shadow.shadow and shadow.fired

    rule_version_status_set(officer=officer, version=version, status="LIVE")
    stamps.append(RuleSetStamp.objects.get().stamp)
    scenario = RiskScenario.objects.get(code="payments")
    scenario_thresholds_set(officer=officer, scenario=scenario, review=5, block=500)
    stamps.append(RuleSetStamp.objects.get().stamp)
    event = p2p_event(alice, payee, "10.00")
    deliver(event)
    evaluation = Evaluation.objects.get(event_id=event.pk, customer=alice)
    assert evaluation.scores["payments"]["review"] == 5 and evaluation.outcome == "REVIEW"
    live = RuleResult.objects.get(evaluation=evaluation, rule_version=version)
    assert not live.shadow and live.fired
    assert stamps == sorted(set(stamps))  # every change moved the stamp forward


def test_a_delivery_reads_ahead_and_the_later_messages_find_their_events_decided() -> None:
    payer = CustomerFactory(kyc_tier=KycTier.objects.get(level=2))
    payees = [CustomerFactory() for _ in range(3)]
    at = timezone.now()
    events = [p2p_event(payer, payees[i % 3], "1.00", at + timedelta(seconds=i)) for i in range(30)]

    assert deliver(events[0]) == 1  # its own event; the 29 later ones are read ahead in the same batch
    assert Evaluation.objects.filter(customer=payer).count() == 30
    assert sum(deliver(e) for e in events[1:]) == 0  # their messages find them handled

    counts = [
        int(v)
        for v in Evaluation.objects.filter(customer=payer)
        .order_by("event_id")
        .values_list("features__out_count_1h", flat=True)
    ]
    assert counts == list(range(1, 31))  # each counted exactly the payments before it and itself
    velocity = Alert.objects.get(customer=payer, rule__code="velocity_count")
    assert velocity.hits == 30 - 4  # from the fifth payment in 10 minutes on


def test_the_read_ahead_never_overtakes_an_earlier_event_of_another_risk_topic() -> None:
    """A payment's delivery reads ahead a later payment whose customer's earlier access events
    (another topic, another consumer) are still queued: evaluated then, the takeover rule would
    not see the new device and the password reset, and never would (the payment is decided once).
    Delivered in commit order, one message per event (one worker): the takeover is caught."""
    tier2 = KycTier.objects.get(level=2)
    someone, victim, onward = (CustomerFactory(kyc_tier=tier2) for _ in range(3))
    at = timezone.now()
    first = p2p_event(someone, onward, "1.00", at - timedelta(hours=3))
    device = access_event("customer.device_added", victim, "device-x", at=at - timedelta(hours=2))
    reset = access_event("customer.password_reset", victim, "device-x", at=at - timedelta(hours=1))
    payment = p2p_event(victim, onward, "3000.00", at)

    deliver(first, device, reset, payment)

    evaluation = Evaluation.objects.get(event_id=payment.pk, customer=victim)
    assert evaluation.features["new_device_then_reset_48h"] is True
    assert Alert.objects.filter(customer=victim, rule__code="account_takeover").exists()


def test_the_read_ahead_gives_the_delivery_its_lock_timeout_back() -> None:
    """The read-ahead waits at most 100 ms for a claim; afterwards the delivery's transaction has
    the lock_timeout it had before (it was set to 0, "wait forever", whatever the session had)."""
    payer = CustomerFactory(kyc_tier=KycTier.objects.get(level=2))
    events = [p2p_event(payer, CustomerFactory(), "1.00") for _ in range(2)]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '7s'")

    assert deliver(events[0]) == 1  # reads the second one ahead

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        assert cursor.fetchone()[0] == "7s"
    assert Evaluation.objects.filter(customer=payer).count() == 2
