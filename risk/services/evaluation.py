"""Running the rules on events: facts, features, every live and shadow rule version, the outcome,
and the decision applied. Called by the outbox consumers (``risk.tasks``) with a batch of events,
inside the delivery's transaction (its ``ConsumedEvent`` rows commit with what is written here).

Idempotent per (rule version, event): an event's facts are unique per (event, customer, kind), so
a redelivered event finds its fact already there and evaluates nothing (``RuleResult`` is unique
per (version, evaluation), ``Evaluation`` per (event, customer)). Per customer, evaluations are
serialised by transaction-level advisory locks, taken for every customer of the batch (in id
order, one statement: two workers never deadlock) before any fact is written: each evaluation's
sliding windows count exactly the facts committed before it plus its own and those of the
customer's earlier events in the batch, so two concurrent events of one customer never both count
each other, nor both miss each other. So any number of risk workers may take batches at once.

Cost (docs/risk.md "Cost of an evaluation"): a batch is processed in rounds, a round holding at
most one event of each customer (the k-th round, each customer's k-th event of the batch, in event
order), so within a round no evaluation can see another's fact of the same customer; each round is
one statement for the facts, one for the payees, one for every feature of every evaluation, one
for the evaluations and one for the rule results. The rule set (live and shadow versions of the
active scenarios, compiled) is cached per process under the rule set's stamp, which every change
to a rule version, rule or scenario bumps in the changing transaction (risk 0007); the stamp is
read with the locks. No ORM instance is built unless a decision is applied (not ALLOW, or a live
rule fired). Cross-customer features (customers sharing a device, their rewards) read other
customers' facts, which no lock of ours orders: as before, they count what is committed or
already written by this batch.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from accounts.models import Customer
from core.models import OutboxEvent
from core.money import Money
from risk.engine import RuleRun, rule_run
from risk.features import FeatureRequest, features_compute_many, features_jsonable
from risk.models import Evaluation, Outcome, RiskFact, RuleVersion
from risk.topics import Signal, event_signals

__all__ = [
    "OUTCOME_SEVERITY",
    "event_evaluate",
    "events_evaluate",
    "outcome_most_severe",
    "ruleset_for",
    "scenario_outcome",
]

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


# --- the rule set, cached per process under its stamp ------------------------------------------


@dataclass(frozen=True)
class Version:
    """A live or shadow rule version as the evaluation needs it (no ORM instance)."""

    pk: int
    rule_id: int
    rule_code: str
    scenario: str
    review: int
    block: int
    shadow: bool
    score: int
    outcome: str
    expression: str


@dataclass(frozen=True)
class RuleSet:
    stamp: int | None
    by_topic: dict[str, list[Version]]


_cache: dict[str, RuleSet] = {}


def _ruleset_load(stamp: int | None) -> RuleSet:
    rows = RuleVersion.objects.filter(
        status__in=(RuleVersion.Status.LIVE, RuleVersion.Status.SHADOW), rule__scenario__active=True
    ).values_list(
        "pk",
        "rule_id",
        "rule__code",
        "rule__scenario__code",
        "rule__scenario__review_threshold",
        "rule__scenario__block_threshold",
        "rule__scenario__topics",
        "status",
        "score",
        "outcome",
        "expression",
    )
    by_topic: dict[str, list[Version]] = {}
    for pk, rule_id, code, scenario, review, block, topics, status, score, outcome, expression in rows.order_by("pk"):
        version = Version(
            pk, rule_id, code, scenario, review, block, status == RuleVersion.Status.SHADOW, score, outcome, expression
        )
        for topic in topics or []:
            by_topic.setdefault(topic, []).append(version)
    return RuleSet(stamp, by_topic)


def ruleset_for(stamp: int | None) -> RuleSet:
    """The live and shadow versions by topic, as of ``stamp`` (risk 0007's ``risk_rulesetstamp``,
    read in this transaction): reloaded when the stamp moved; never cached without one."""
    cached = _cache.get("current")
    if stamp is not None and cached is not None and cached.stamp == stamp:
        return cached
    loaded = _ruleset_load(stamp)
    if stamp is not None:
        _cache["current"] = loaded
    return loaded


@dataclass
class Outcomes:
    outcome: str
    shadow_outcome: str
    scores: dict[str, Any]


def _outcomes(versions: list[Version], runs: dict[int, RuleRun]) -> Outcomes:
    """Per scenario: the live versions' total against its thresholds, and the most severe forced
    outcome; the same with each shadow version standing in for its rule's live one."""

    def decide(chosen: list[Version]) -> tuple[str, dict[str, Any]]:
        by_scenario: dict[str, list[Version]] = {}
        for version in chosen:
            by_scenario.setdefault(version.scenario, []).append(version)
        outcomes, scores = [], {}
        for code, members in by_scenario.items():
            first = members[0]
            fired = [v for v in members if runs[v.pk].fired]
            total = sum(v.score for v in fired)
            result = outcome_most_severe(
                [scenario_outcome(total, first.review, first.block)] + [v.outcome for v in fired]
            )
            outcomes.append(result)
            scores[code] = {"total": total, "review": first.review, "block": first.block, "outcome": result}
        return outcome_most_severe(outcomes), scores

    live = [v for v in versions if not v.shadow]
    shadow_rules = {v.rule_id: v for v in versions if v.shadow}
    with_shadow = [shadow_rules.pop(v.rule_id, v) for v in live] + list(shadow_rules.values())
    outcome, scores = decide(live)
    shadow_outcome, _ = decide(with_shadow)
    return Outcomes(outcome, shadow_outcome, scores)


# --- one batch ------------------------------------------------------------------------------


@dataclass
class _Item:
    """One signal of one event for one known customer, in the order the batch evaluates them."""

    event: OutboxEvent
    signal: Signal
    customer_id: int
    amount_minor: int
    new_payee: bool = False


def _locked_customers(public_ids: set[str]) -> tuple[dict[str, int], int | None]:
    """The batch's customers (public id -> id), each one's evaluation lock taken in id order, and
    the rule set's stamp: one statement."""
    valid = []
    for value in public_ids:
        try:
            valid.append(str(uuid.UUID(value)))
        except (ValueError, TypeError, AttributeError):
            continue  # unreadable: an unknown customer, as before
    if not valid:
        return {}, None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.public_id::text, pg_advisory_xact_lock(%s, (c.id %% 2147483647)::int) IS NULL,"
            " (SELECT stamp FROM risk_rulesetstamp WHERE id = 1)"
            " FROM (SELECT id, public_id FROM accounts_customer WHERE public_id = ANY(%s::uuid[])"
            " ORDER BY id OFFSET 0) c",
            [_LOCK_NAMESPACE, valid],
        )
        rows = cursor.fetchall()
    return {public_id: pk for pk, public_id, _, _ in rows}, (rows[0][3] if rows else None)


def _facts_insert(items: list[_Item]) -> set[tuple[int, int, str]]:
    """Record the round's facts; the (event, customer, kind) that were new (the others were
    recorded, and evaluated, by an earlier delivery)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO risk_riskfact (customer_id, kind, occurred_at, amount_minor, counterparty_key, device_key,"
            " event_id) SELECT * FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::bigint[], %s::text[],"
            " %s::text[], %s::bigint[]) ON CONFLICT (event_id, customer_id, kind) DO NOTHING"
            " RETURNING event_id, customer_id, kind",
            [
                [i.customer_id for i in items],
                [i.signal.kind for i in items],
                [i.signal.at for i in items],
                [i.amount_minor for i in items],
                [i.signal.counterparty_key[:140] for i in items],
                [i.signal.device_key[:140] for i in items],
                [i.event.pk for i in items],
            ],
        )
        return {(e, c, k) for e, c, k in cursor.fetchall()}


def _payees_record(items: list[_Item]) -> None:
    """Record the payees of the round's payments (one per customer in a round); ``new_payee`` is
    set on the payments that are the customer's first to that payee."""
    paying = [i for i in items if i.signal.kind == RiskFact.Kind.PAYMENT_OUT and i.signal.counterparty_key]
    if not paying:
        return
    paying.sort(key=lambda i: i.customer_id)  # rows locked in one order by every worker
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO risk_knownpayee (customer_id, payee_key, first_paid_at, last_paid_at, payments)"
            " SELECT c, k, t, t, 1 FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[]) AS u(c, k, t)"
            " ON CONFLICT (customer_id, payee_key) DO UPDATE"
            " SET first_paid_at = LEAST(risk_knownpayee.first_paid_at, EXCLUDED.first_paid_at),"
            " last_paid_at = GREATEST(risk_knownpayee.last_paid_at, EXCLUDED.last_paid_at),"
            " payments = risk_knownpayee.payments + 1 RETURNING customer_id, (xmax = 0)",
            [
                [i.customer_id for i in paying],
                [i.signal.counterparty_key[:140] for i in paying],
                [i.signal.at for i in paying],
            ],
        )
        new = {c for c, inserted in cursor.fetchall() if inserted}
    for item in paying:
        item.new_payee = item.customer_id in new


@dataclass
class _Evaluated:
    item: _Item
    versions: list[Version]
    runs: dict[int, RuleRun]
    decided: Outcomes
    features: dict[str, Any]
    duration_us: int


def _evaluations_insert(done: list[_Evaluated]) -> dict[tuple[int, int], int]:
    """The round's evaluations and every rule result: two statements. (event, customer) -> id."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO risk_evaluation (event_id, topic, customer_id, transfer_public_id, event_at, evaluated_at,"
            " outcome, shadow_outcome, scores, features, duration_us)"
            " SELECT * FROM unnest(%s::bigint[], %s::text[], %s::bigint[], %s::uuid[], %s::timestamptz[],"
            " %s::timestamptz[], %s::text[], %s::text[], %s::jsonb[], %s::jsonb[], %s::int[])"
            " RETURNING id, event_id, customer_id",
            [
                [d.item.event.pk for d in done],
                [d.item.event.topic for d in done],
                [d.item.customer_id for d in done],
                [d.item.signal.transfer_public_id for d in done],
                [d.item.signal.at for d in done],
                [now] * len(done),
                [d.decided.outcome for d in done],
                [d.decided.shadow_outcome for d in done],
                [json.dumps(d.decided.scores) for d in done],
                [json.dumps(features_jsonable(d.features)) for d in done],
                [d.duration_us for d in done],
            ],
        )
        ids = {(e, c): pk for pk, e, c in cursor.fetchall()}
        results = [(ids[(d.item.event.pk, d.item.customer_id)], v, d.runs[v.pk]) for d in done for v in d.versions]
        if results:
            cursor.execute(
                "INSERT INTO risk_ruleresult (evaluation_id, rule_version_id, shadow, inputs, fired, score, outcome,"
                " error, duration_us) SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bool[], %s::jsonb[],"
                " %s::bool[], %s::int[], %s::text[], %s::text[], %s::int[])",
                [
                    [e for e, _, _ in results],
                    [v.pk for _, v, _ in results],
                    [v.shadow for _, v, _ in results],
                    [json.dumps(r.inputs) for _, _, r in results],
                    [r.fired for _, _, r in results],
                    [v.score if r.fired else 0 for _, v, r in results],
                    [v.outcome if r.fired else Outcome.ALLOW for _, v, r in results],
                    [r.error for _, _, r in results],
                    [r.duration_us for _, _, r in results],
                ],
            )
    return ids


def _round(items: list[_Item], ruleset: RuleSet) -> list[Evaluation]:
    from risk.services.decisions import FiredRule, decision_apply

    fresh = _facts_insert(items)
    items = [i for i in items if (i.event.pk, i.customer_id, i.signal.kind) in fresh]
    _payees_record(items)
    evaluated = [i for i in items if i.signal.evaluate]
    if not evaluated:
        return []
    started = time.perf_counter_ns()
    features = features_compute_many(
        [
            FeatureRequest(
                i.customer_id, i.signal.at, i.event.pk, i.event.topic, i.signal.kind, i.amount_minor, i.new_payee
            )
            for i in evaluated
        ]
    )
    share_us = (time.perf_counter_ns() - started) // 1000 // len(evaluated)
    done: list[_Evaluated] = []
    for item, facts in zip(evaluated, features, strict=True):
        own = time.perf_counter_ns()
        versions = ruleset.by_topic.get(item.event.topic, [])
        runs = {v.pk: rule_run(v.expression, facts) for v in versions}
        decided = _outcomes(versions, runs)
        done.append(_Evaluated(item, versions, runs, decided, facts, share_us + (time.perf_counter_ns() - own) // 1000))
    ids = _evaluations_insert(done)
    applied: list[Evaluation] = []
    for d in done:
        fired = [FiredRule(v.rule_id, v.rule_code) for v in d.versions if not v.shadow and d.runs[v.pk].fired]
        pk = ids[(d.item.event.pk, d.item.customer_id)]
        if not fired and d.decided.outcome == Outcome.ALLOW:
            applied.append(_unsaved_view(pk, d))
            continue
        evaluation = Evaluation.objects.get(pk=pk)
        decision_apply(evaluation=evaluation, customer=Customer.objects.get(pk=d.item.customer_id), fired=fired)
        applied.append(evaluation)
    return applied


def _unsaved_view(pk: int, d: _Evaluated) -> Evaluation:
    """The evaluation as written, built without a query (returned to callers; nothing to apply)."""
    return Evaluation(
        pk=pk,
        event_id=d.item.event.pk,
        topic=d.item.event.topic,
        customer_id=d.item.customer_id,
        transfer_public_id=d.item.signal.transfer_public_id,
        event_at=d.item.signal.at,
        outcome=d.decided.outcome,
        shadow_outcome=d.decided.shadow_outcome,
        scores=d.decided.scores,
        features=features_jsonable(d.features),
        duration_us=d.duration_us,
    )


def events_evaluate(events: list[OutboxEvent]) -> list[Evaluation]:
    """Record the events' facts and evaluate the customers they concern; apply each decision.

    Call inside a transaction (the outbox delivery's). Every customer of the batch is locked first
    (id order); each customer's events are then evaluated in event order (rounds, module doc)."""
    assert connection.in_atomic_block, "events_evaluate runs inside the delivery's transaction"
    pairs = [(event, signal) for event in sorted(events, key=lambda e: e.pk) for signal in event_signals(event)]
    if not pairs:
        return []
    customers, stamp = _locked_customers({s.customer_public_id for _, s in pairs})
    ruleset: RuleSet | None = None
    rounds: list[list[_Item]] = []
    seen: dict[int, int] = {}
    for event, signal in sorted(
        ((e, s) for e, s in pairs if s.customer_public_id in customers),
        key=lambda p: (p[0].pk, customers[p[1].customer_public_id]),
    ):
        customer_id = customers[signal.customer_public_id]
        k = seen.get(customer_id, 0)
        seen[customer_id] = k + 1
        if k == len(rounds):
            rounds.append([])
        rounds[k].append(_Item(event, signal, customer_id, _cny_minor(signal.amount)))
    evaluations: list[Evaluation] = []
    for items in rounds:
        if ruleset is None and any(i.signal.evaluate for i in items):
            ruleset = ruleset_for(stamp)
        evaluations.extend(_round(items, ruleset or RuleSet(stamp, {})))
    return evaluations


def event_evaluate(event: OutboxEvent) -> list[Evaluation]:
    """One event (``events_evaluate`` of a batch of one)."""
    return events_evaluate([event])
