"""Running the rules on an event: facts, features, every live and shadow rule version, the
outcome, and the decision applied. Called by the outbox consumers (``risk.tasks``), inside the
delivery's transaction (its ``ConsumedEvent`` row commits with what is written here).

Idempotent per (rule version, event): an event's facts are unique per (event, customer, kind), so
a redelivered event finds its fact already there and evaluates nothing (``RuleResult`` is unique
per (version, evaluation), ``Evaluation`` per (event, customer)). Per customer, evaluations are
serialised by a transaction-level advisory lock taken before the fact is written: each
evaluation's sliding windows count exactly the facts committed before it plus its own, so two
concurrent events of one customer never both count each other, nor both miss each other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from accounts.models import Customer
from core.models import OutboxEvent
from core.money import Money
from risk.engine import rule_run
from risk.features import features_compute, features_jsonable
from risk.models import Evaluation, Outcome, RiskFact, RuleResult, RuleVersion
from risk.topics import Signal, event_signals

__all__ = ["OUTCOME_SEVERITY", "event_evaluate", "outcome_most_severe", "scenario_outcome"]

OUTCOME_SEVERITY = {Outcome.ALLOW: 0, Outcome.STEP_UP: 1, Outcome.REVIEW: 2, Outcome.BLOCK: 3}
_LOCK_NAMESPACE = 7_313  # pg_advisory_xact_lock(namespace, customer): risk evaluations of one customer


def outcome_most_severe(outcomes: list[str]) -> str:
    return max(outcomes, key=lambda o: OUTCOME_SEVERITY[Outcome(o)], default=Outcome.ALLOW)


def scenario_outcome(total: int, review: int, block: int) -> str:
    """A scenario's thresholds turn its total score into an outcome (block above review, both > 0)."""
    if total >= block:
        return Outcome.BLOCK
    if total >= review:
        return Outcome.REVIEW
    return Outcome.ALLOW


def _cny_minor(amount: dict[str, str] | None) -> int:
    if not amount:
        return 0
    from core.errors import DomainError
    from core.money import MoneyError
    from payments.limits import cny_equivalent

    try:
        money = Money.parse(str(amount.get("amount", "0")), str(amount.get("currency", "CNY")))
        return money.minor if money.currency == "CNY" else cny_equivalent(money).minor
    except (MoneyError, DomainError):
        return 0  # unreadable, or no approved rate: counted as nothing rather than guessed


def _fact_insert(customer: Customer, signal: Signal, event: OutboxEvent, amount_minor: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, (%s %% 2147483647)::int)", [_LOCK_NAMESPACE, customer.pk])
        cursor.execute(
            "INSERT INTO risk_riskfact (customer_id, kind, occurred_at, amount_minor, counterparty_key, device_key, event_id)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (event_id, customer_id, kind) DO NOTHING RETURNING id",
            [
                customer.pk,
                signal.kind,
                signal.at,
                amount_minor,
                signal.counterparty_key[:140],
                signal.device_key[:140],
                event.pk,
            ],
        )
        return cursor.fetchone() is not None


def _payee_known(customer: Customer, signal: Signal) -> bool:
    """Record the payee; True when this payment is the customer's first to it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO risk_knownpayee (customer_id, payee_key, first_paid_at, last_paid_at, payments)"
            " VALUES (%s, %s, %s, %s, 1) ON CONFLICT (customer_id, payee_key) DO UPDATE"
            " SET first_paid_at = LEAST(risk_knownpayee.first_paid_at, EXCLUDED.first_paid_at),"
            " last_paid_at = GREATEST(risk_knownpayee.last_paid_at, EXCLUDED.last_paid_at),"
            " payments = risk_knownpayee.payments + 1 RETURNING (xmax = 0)",
            [customer.pk, signal.counterparty_key[:140], signal.at, signal.at],
        )
        return bool(cursor.fetchone()[0])


def _versions(topic: str) -> list[RuleVersion]:
    """Live and shadow versions of the active scenarios that run on ``topic``."""
    rows = RuleVersion.objects.filter(
        status__in=(RuleVersion.Status.LIVE, RuleVersion.Status.SHADOW), rule__scenario__active=True
    ).select_related("rule__scenario")
    return [v for v in rows if topic in (v.rule.scenario.topics or [])]


@dataclass
class Outcomes:
    outcome: str
    shadow_outcome: str
    scores: dict[str, Any]


def _outcomes(versions: list[RuleVersion], runs: dict[int, Any]) -> Outcomes:
    """Per scenario: the live versions' total against its thresholds, and the most severe forced
    outcome; the same with each shadow version standing in for its rule's live one."""

    def decide(chosen: list[RuleVersion]) -> tuple[str, dict[str, Any]]:
        by_scenario: dict[str, list[RuleVersion]] = {}
        for version in chosen:
            by_scenario.setdefault(version.rule.scenario.code, []).append(version)
        outcomes, scores = [], {}
        for code, members in by_scenario.items():
            scenario = members[0].rule.scenario
            fired = [v for v in members if runs[v.pk].fired]
            total = sum(v.score for v in fired)
            result = outcome_most_severe(
                [scenario_outcome(total, scenario.review_threshold, scenario.block_threshold)]
                + [v.outcome for v in fired]
            )
            outcomes.append(result)
            scores[code] = {
                "total": total,
                "review": scenario.review_threshold,
                "block": scenario.block_threshold,
                "outcome": result,
            }
        return outcome_most_severe(outcomes), scores

    live = [v for v in versions if v.status == RuleVersion.Status.LIVE]
    shadow_rules = {v.rule_id: v for v in versions if v.status == RuleVersion.Status.SHADOW}
    with_shadow = [shadow_rules.pop(v.rule_id, v) for v in live] + list(shadow_rules.values())
    outcome, scores = decide(live)
    shadow_outcome, _ = decide(with_shadow)
    return Outcomes(outcome, shadow_outcome, scores)


def _evaluate(customer: Customer, signal: Signal, event: OutboxEvent, amount_minor: int, new_payee: bool) -> Evaluation:
    started = time.perf_counter_ns()
    features = features_compute(
        customer_id=customer.pk,
        at=signal.at,
        event_id=event.pk,
        topic=event.topic,
        kind=signal.kind,
        amount_minor=amount_minor,
        is_new_payee=new_payee,
    )
    versions = _versions(event.topic)
    runs = {v.pk: rule_run(v.expression, features) for v in versions}
    decided = _outcomes(versions, runs)
    evaluation = Evaluation.objects.create(
        event_id=event.pk,
        topic=event.topic,
        customer=customer,
        transfer_public_id=signal.transfer_public_id,
        event_at=signal.at,
        outcome=decided.outcome,
        shadow_outcome=decided.shadow_outcome,
        scores=decided.scores,
        features=features_jsonable(features),
        duration_us=(time.perf_counter_ns() - started) // 1000,
    )
    RuleResult.objects.bulk_create(
        [
            RuleResult(
                evaluation=evaluation,
                rule_version=v,
                shadow=v.status == RuleVersion.Status.SHADOW,
                inputs=runs[v.pk].inputs,
                fired=runs[v.pk].fired,
                score=v.score if runs[v.pk].fired else 0,
                outcome=v.outcome if runs[v.pk].fired else Outcome.ALLOW,
                error=runs[v.pk].error,
                duration_us=runs[v.pk].duration_us,
            )
            for v in versions
        ]
    )
    evaluation.duration_us = (time.perf_counter_ns() - started) // 1000
    Evaluation.objects.filter(pk=evaluation.pk).update(duration_us=evaluation.duration_us)
    return evaluation


def event_evaluate(event: OutboxEvent) -> list[Evaluation]:
    """Record the event's facts and evaluate the customers it concerns; apply each decision.

    Call inside a transaction (the outbox delivery's). Customers are locked in id order."""
    from risk.services.decisions import decision_apply

    assert connection.in_atomic_block, "event_evaluate runs inside the delivery's transaction"
    signals = event_signals(event)
    if not signals:
        return []
    customers = {
        str(c.public_id): c for c in Customer.objects.filter(public_id__in={s.customer_public_id for s in signals})
    }
    evaluations: list[Evaluation] = []
    ordered = sorted(
        (s for s in signals if s.customer_public_id in customers), key=lambda s: customers[s.customer_public_id].pk
    )
    for signal in ordered:
        customer = customers[signal.customer_public_id]
        amount_minor = _cny_minor(signal.amount)
        with transaction.atomic():
            if not _fact_insert(customer, signal, event, amount_minor):
                continue  # this event was already recorded (and evaluated) for this customer
            new_payee = signal.kind == RiskFact.Kind.PAYMENT_OUT and bool(signal.counterparty_key)
            new_payee = _payee_known(customer, signal) if new_payee else False
            if not signal.evaluate:
                continue
            evaluation = _evaluate(customer, signal, event, amount_minor, new_payee)
            decision_apply(evaluation=evaluation, customer=customer)
            evaluations.append(evaluation)
    return evaluations
