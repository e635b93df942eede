"""Asynchronous rules: the scripted scenarios (each with the alert and decision it must produce),
typed rules, shadow versions, replay, idempotency and concurrency."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone, translation

from accounts.models import Customer, KycTier
from core.errors import DomainError
from core.models import ConsumedEvent
from payments.ledger import account_balance, wallet_get_or_create
from payments.models import Hold
from risk.engine import rule_compile
from risk.models import (
    Alert,
    Case,
    CustomerNotice,
    CustomerRiskProfile,
    Evaluation,
    RiskFact,
    RiskFreeze,
    RiskHold,
    RiskRule,
    RiskScenario,
    RuleResult,
    RuleVersion,
)
from risk.selectors import evaluation_explain, evaluation_replay
from risk.services.rules import rule_version_create, rule_version_status_set, scenario_thresholds_set
from tests.factories import CustomerFactory
from tests.payments.factories import wallet_fund
from tests.risk.events import access_event, deliver, evaluation_of, p2p_event, p2p_real, reward_event

pytestmark = pytest.mark.django_db


def _alerts(customer: Customer) -> dict[str, int]:
    return dict(Alert.objects.filter(customer=customer).values_list("rule__code", "hits"))


# --- typed rules -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "expression,code",
    [
        ("out_count_1h >= ", "rule_invalid"),
        ("out_count_2h >= 3", "rule_invalid"),
        ('out_count_1h >= "ten"', "rule_invalid"),
        ("out_amount_24h * 2", "rule_invalid"),
        ("__import__('os')", "rule_invalid"),
        ("", "rule_invalid"),
    ],
)
def test_a_rule_that_does_not_type_check_is_refused(expression: str, code: str) -> None:
    with pytest.raises(DomainError) as refused:
        rule_compile(expression)

    assert refused.value.code == code and refused.value.message


def test_a_bad_rule_version_changes_nothing() -> None:
    rule = RiskRule.objects.get(code="velocity_count")
    before = list(RuleVersion.objects.values_list("id", "status"))

    with pytest.raises(DomainError):
        rule_version_create(
            officer=None, rule=rule, expression="unknown_feature > 1", score=10, explanation_en="x", explanation_zh="x"
        )

    assert list(RuleVersion.objects.values_list("id", "status")) == before


@pytest.mark.parametrize("review,block", [(100, 50), (50, 50), (0, 10)])
def test_thresholds_out_of_order_are_refused_and_nothing_changes(review: int, block: int) -> None:
    scenario = RiskScenario.objects.get(code="payments")

    with pytest.raises(DomainError) as refused:
        scenario_thresholds_set(officer=None, scenario=scenario, review=review, block=block)

    assert refused.value.code == "thresholds_invalid"
    scenario.refresh_from_db()
    assert (scenario.review_threshold, scenario.block_threshold) == (50, 100)


# --- the scripted scenarios ------------------------------------------------------------------------
def test_a_busy_honest_customer_is_not_flagged(alice: Customer) -> None:
    friends = [CustomerFactory() for _ in range(3)]
    start = timezone.now() - timedelta(hours=20)
    events = [p2p_event(alice, friends[i % 3], "180.00", start + timedelta(minutes=9 * i)) for i in range(40)]
    events += [access_event("customer.logged_in", alice, "alice-phone-0001", start)]

    deliver(*events)

    outcomes = Counter(Evaluation.objects.filter(customer=alice).values_list("outcome", flat=True))
    assert outcomes == Counter({"ALLOW": 41})
    assert not RuleResult.objects.filter(evaluation__customer=alice, fired=True).exists()
    assert not Alert.objects.exists() and not Case.objects.exists()


def test_structuring(alice: Customer) -> None:
    payees = [CustomerFactory() for _ in range(3)]
    at = timezone.now() - timedelta(hours=5)

    events = [p2p_event(alice, payees[i], "48500.00", at + timedelta(hours=i)) for i in range(3)]
    deliver(*events)

    last = evaluation_of(events[-1], alice)
    assert [evaluation_of(e, alice).outcome for e in events] == ["ALLOW", "ALLOW", "REVIEW"]
    assert _alerts(alice) == {"structuring": 1, "velocity_amount": 3}  # one open alert per rule; hits append
    assert last.scores["payments"]["total"] == 90
    with translation.override("en"):
        texts = [line["text"] for line in evaluation_explain(last)]
    assert "3 payments just under 50000 CNY in 24 hours." in texts
    with translation.override("zh-hans"):
        assert "24小时内3笔付款略低于50000元的报告金额。" in [line["text"] for line in evaluation_explain(last)]


def test_a_mule_ring_holds_the_money_passed_on(alice: Customer) -> None:
    senders = [CustomerFactory() for _ in range(3)]
    onward = CustomerFactory()
    for sender in senders:
        wallet_fund(sender, "3000.00")
    events = [p2p_real(sender, alice, "2000.00") for sender in senders]
    events.append(p2p_real(alice, onward, "5800.00"))

    deliver(*events)

    decision = evaluation_of(events[-1], alice)
    assert decision.outcome == "REVIEW"
    assert _alerts(alice) == {"rapid_in_out": 1}
    hold = RiskHold.objects.get(customer=alice)
    assert (hold.status, hold.amount_minor) == ("HELD", 5_800_00)
    onward_wallet = wallet_get_or_create(customer=onward, currency="CNY")
    balance = account_balance(onward_wallet)
    assert (balance.posted.minor, balance.available.minor) == (5_800_00, 0)
    assert Hold.objects.get(account=onward_wallet).status == "AUTHORIZED"
    kinds = set(CustomerNotice.objects.values_list("customer_id", "kind"))
    assert {(alice.pk, "PAYMENT_HELD"), (onward.pk, "PAYMENT_HELD")} <= kinds
    case = Case.objects.get(customer=alice)
    assert case.status == "OPEN" and case.sla_due_at <= timezone.now() + timedelta(hours=24)


def test_an_account_takeover_freezes_the_account(alice: Customer) -> None:
    payee = CustomerFactory()
    wallet_fund(alice, "5000.00")
    now = timezone.now()
    setup = [
        access_event("customer.device_added", alice, "thief-phone-999", now - timedelta(hours=3)),
        access_event("customer.logged_in", alice, "thief-phone-999", now - timedelta(hours=3)),
        access_event("customer.password_reset", alice, at=now - timedelta(hours=2)),
    ]
    deliver(*setup)
    assert evaluation_of(setup[-1], alice).outcome == "STEP_UP"
    assert CustomerRiskProfile.objects.get(customer=alice).step_up_next is True

    transfer = p2p_real(alice, payee, "1500.00")
    deliver(transfer)

    assert evaluation_of(transfer, alice).outcome == "BLOCK"
    alice.refresh_from_db()
    assert alice.status == "FROZEN" and alice.status_reason
    assert RiskFreeze.objects.get(customer=alice).frozen_by is None
    assert RiskHold.objects.get(customer=alice).amount_minor == 1_500_00
    assert {"account_takeover", "reset_on_new_device"} == set(_alerts(alice))
    assert CustomerNotice.objects.filter(customer=alice, kind="ACCOUNT_FROZEN").count() == 1


def test_a_promotion_abuse_ring(alice: Customer) -> None:
    ring = [alice, CustomerFactory(), CustomerFactory()]
    events = [access_event("customer.logged_in", c, "shared-phone-42") for c in ring]
    events += [reward_event(c) for c in ring]

    deliver(*events)

    outcomes = [evaluation_of(e, c).outcome for e, c in zip(events[3:], ring, strict=True)]
    assert outcomes == ["ALLOW", "ALLOW", "REVIEW"]
    assert _alerts(ring[2]) == {"promo_device_ring": 1}
    assert evaluation_of(events[-1], ring[2]).features["customers_on_device"] == "2"


def test_a_dormant_account_suddenly_active(alice: Customer) -> None:
    Customer.objects.filter(pk=alice.pk).update(created_at=timezone.now() - timedelta(days=400))
    payee = CustomerFactory()
    first = p2p_event(alice, payee, "10.00", timezone.now() - timedelta(days=300))
    late = p2p_event(alice, payee, "1200.00")

    deliver(first, late)

    assert _alerts(alice) == {"dormant_active": 1}
    assert evaluation_of(late, alice).features["idle_days"] == "300"


def test_many_new_payees(alice: Customer) -> None:
    events = [
        p2p_event(alice, CustomerFactory(), "20.00", timezone.now() - timedelta(minutes=50 - 9 * i)) for i in range(5)
    ]

    deliver(*events)

    assert _alerts(alice) == {"many_new_payees": 1}
    assert evaluation_of(events[-1], alice).features["is_new_payee"] is True


# --- shadow, versions, replay ------------------------------------------------------------------
def _version(code: str, expression: str, score: int, status: str) -> RuleVersion:
    version = rule_version_create(
        officer=None,
        rule=RiskRule.objects.get(code=code),
        expression=expression,
        score=score,
        explanation_en="every payment",
        explanation_zh="每笔付款",
    )
    return rule_version_status_set(officer=None, version=version, status=status)


def test_shadow_mode_never_blocks(alice: Customer) -> None:
    _version("velocity_count", 'kind == "PAYMENT_OUT"', 500, "SHADOW")
    event = p2p_event(alice, CustomerFactory(), "10.00")

    deliver(event)

    decision = evaluation_of(event, alice)
    assert (decision.outcome, decision.shadow_outcome) == ("ALLOW", "BLOCK")
    assert decision.results.filter(shadow=True, fired=True).count() == 1
    alice.refresh_from_db()
    assert alice.status == "ACTIVE" and not Alert.objects.exists() and not RiskFreeze.objects.exists()


def test_a_rule_change_never_changes_past_decisions(alice: Customer) -> None:
    old = [p2p_event(alice, CustomerFactory(), "48500.00", timezone.now() - timedelta(hours=3 - i)) for i in range(3)]
    deliver(*old)
    past = evaluation_of(old[-1], alice)
    assert past.outcome == "REVIEW"

    live = _version("structuring", 'kind == "PAYMENT_OUT" and near_threshold_count_24h >= 30', 60, "LIVE")
    scenario_thresholds_set(officer=None, scenario=RiskScenario.objects.get(code="payments"), review=500, block=900)
    new = p2p_event(alice, CustomerFactory(), "48500.00")
    deliver(new)

    past.refresh_from_db()
    assert past.outcome == "REVIEW" and evaluation_replay(past) == {"outcome": "REVIEW"}
    assert past.results.filter(rule_version__number=1, rule_version__rule__code="structuring", fired=True).exists()
    assert RuleVersion.objects.get(rule__code="structuring", number=1).status == "RETIRED"
    assert evaluation_of(new, alice).outcome == "ALLOW"
    assert evaluation_of(new, alice).results.filter(rule_version=live).exists()


def test_every_rule_result_keeps_inputs_result_and_duration(alice: Customer) -> None:
    event = p2p_event(alice, CustomerFactory(), "10.00")

    deliver(event)

    results = list(evaluation_of(event, alice).results.select_related("rule_version__rule"))
    assert len(results) == RuleVersion.objects.filter(rule__scenario__code="payments", status="LIVE").count() == 7
    velocity = next(r for r in results if r.rule_version.rule.code == "velocity_count")
    assert velocity.inputs == {"kind": "PAYMENT_OUT", "out_count_10m": "1", "out_count_1h": "1"}
    assert velocity.fired is False and velocity.duration_us >= 0 and velocity.error == ""
    assert evaluation_of(event, alice).features["amount"] == "10.00"
    assert Decimal(evaluation_of(event, alice).features["out_amount_24h"]) == Decimal("10.00")


# --- idempotency and concurrency -------------------------------------------------------------------
def test_a_redelivered_event_never_evaluates_twice(alice: Customer) -> None:
    event = p2p_event(alice, CustomerFactory(), "10.00")
    assert deliver(event) == 1
    assert deliver(event) == 0  # the consumer's idempotency key

    ConsumedEvent.objects.filter(event_id=event.pk).delete()  # as if the key were lost: the facts still hold
    deliver(event)

    assert Evaluation.objects.filter(event_id=event.pk).count() == 1
    assert RiskFact.objects.filter(event_id=event.pk).count() == 2  # payer's and payee's facts


@pytest.mark.django_db(transaction=True)
def test_concurrent_events_of_one_customer_never_double_count_a_window() -> None:
    payer = CustomerFactory(kyc_tier=KycTier.objects.get(level=2))
    payee = CustomerFactory()
    at = timezone.now()  # one instant: every fact is inside every window, so counts depend on commits only
    events = [p2p_event(payer, payee, "1.00", at) for _ in range(8)]
    barrier = threading.Barrier(len(events))
    errors: list[Any] = []

    def work(event: Any) -> None:
        try:
            barrier.wait(10)
            deliver(event)
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(e,)) for e in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert errors == []
    # Serialised per customer: each evaluation counted the facts committed before it plus its own.
    counts = sorted(
        int(v) for v in Evaluation.objects.filter(customer=payer).values_list("features__out_count_1h", flat=True)
    )
    assert counts == list(range(1, 9))
    assert RiskFact.objects.filter(customer=payer, kind="PAYMENT_OUT").count() == 8


def test_a_backtest_replays_a_version_over_past_evaluations_with_progress(
    alice: Customer, officers: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from celery import current_app

    from risk.models import Backtest
    from risk.services.backtests import backtest_start

    bob = CustomerFactory()
    at = timezone.now() - timedelta(hours=5)
    deliver(*[p2p_event(alice, CustomerFactory(), "48500.00", at + timedelta(hours=i)) for i in range(3)])
    deliver(*[p2p_event(bob, CustomerFactory(), "46000.00", at + timedelta(hours=i)) for i in range(2)])
    candidate = rule_version_create(
        officer=officers[0],
        rule=RiskRule.objects.get(code="structuring"),
        expression='kind == "PAYMENT_OUT" and near_threshold_count_24h >= 2',
        score=60,
        explanation_en="{near_threshold_count_24h} near the threshold",
        explanation_zh="{near_threshold_count_24h}笔接近报告金额",
    )
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            started = backtest_start(
                officer=officers[0], version=candidate, since=timezone.now() - timedelta(days=1), until=timezone.now()
            )
    finally:
        current_app.conf.task_always_eager = eager

    done = Backtest.objects.get(pk=started.pk)
    assert (done.status, done.total, done.done) == ("DONE", 5, 5)
    assert done.result["candidate"] == {"hits": 3, "alerts": 2, "customers": sorted([alice.pk, bob.pk])}
    assert done.result["live"] == {"hits": 1, "alerts": 1, "customers": [alice.pk]}
    assert done.result["newly_flagged"] == [bob.pk] and done.result["no_longer_flagged"] == []
    assert RuleVersion.objects.get(pk=candidate.pk).status == "DRAFT"  # a backtest changes nothing live
