"""The typed features a rule may name: the event itself and aggregates of the customer's history
over sliding windows that end at the event's time (``risk.models.RiskFact``), computed in one
statement per batch of evaluations under the customers' evaluation locks.

Each feature has a rule-engine type (``FLOAT`` is a ``Decimal``: amounts are yuan, never floats)
and a label in both languages for the officers' explanations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import rule_engine
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _

__all__ = [
    "FEATURES",
    "SHARED_FEATURES",
    "Feature",
    "FeatureRequest",
    "feature_context",
    "features_compute",
    "features_compute_many",
    "features_jsonable",
]

F, B, S = rule_engine.DataType.FLOAT, rule_engine.DataType.BOOLEAN, rule_engine.DataType.STRING


@dataclass(frozen=True)
class Feature:
    type: Any
    label: Any


FEATURES: dict[str, Feature] = {
    "topic": Feature(S, _("event")),
    "kind": Feature(
        S, _("kind of activity (PAYMENT_OUT, TOPUP, WITHDRAWAL, LOGIN, NEW_DEVICE, PASSWORD_RESET, REWARD)")
    ),
    "amount": Feature(F, _("amount of this activity (CNY)")),
    "is_new_payee": Feature(B, _("first payment to this payee")),
    "out_count_10m": Feature(F, _("payments sent in the last 10 minutes")),
    "out_count_1h": Feature(F, _("payments sent in the last hour")),
    "out_count_24h": Feature(F, _("payments sent in the last 24 hours")),
    "out_amount_1h": Feature(F, _("amount sent in the last hour (CNY)")),
    "out_amount_24h": Feature(F, _("amount sent in the last 24 hours (CNY)")),
    "in_count_24h": Feature(F, _("payments and top-ups received in the last 24 hours")),
    "in_amount_24h": Feature(F, _("amount received in the last 24 hours (CNY)")),
    "withdrawal_amount_24h": Feature(F, _("amount withdrawn in the last 24 hours (CNY)")),
    "near_threshold_count_24h": Feature(F, _("payments just under the reporting threshold in the last 24 hours")),
    "reporting_threshold": Feature(F, _("reporting threshold (CNY)")),
    "new_payees_24h": Feature(F, _("new payees in the last 24 hours")),
    "idle_days": Feature(F, _("days without any money movement before this one")),
    "account_age_days": Feature(F, _("days since the account was opened")),
    "new_device_24h": Feature(B, _("a new device was added in the last 24 hours")),
    "password_reset_24h": Feature(B, _("the password was reset in the last 24 hours")),
    "new_device_then_reset_48h": Feature(B, _("a new device, then a password reset, in the last 48 hours")),
    "customers_on_device": Feature(F, _("other customers seen on this customer's devices")),
    "rewards_on_shared_devices_30d": Feature(F, _("promotion rewards to customers sharing these devices in 30 days")),
    "identity_shared": Feature(B, _("another customer claimed the same identity document")),
}

# Read from OTHER customers' facts (the customers seen on this customer's devices, their rewards):
# facts of ``risk.topics.SHARED_FACT_TOPICS``, which no per-customer lock or bound orders.
SHARED_FEATURES = ("customers_on_device", "rewards_on_shared_devices_30d")


def feature_context() -> rule_engine.Context:
    """The typed symbol table rules compile against: an unknown name or a type mismatch is an error
    when the rule is written, not when it runs."""
    types = {name: feature.type for name, feature in FEATURES.items()}
    return rule_engine.Context(type_resolver=rule_engine.type_resolver_from_dict(types), default_timezone="UTC")


def _threshold_minor() -> int:
    return int(getattr(settings, "RISK_REPORTING_THRESHOLD_MINOR", 50_000_00))


def _band_percent() -> int:
    return int(getattr(settings, "RISK_STRUCTURING_BAND_PERCENT", 10))


# Windows end at the event's time (facts after it, from a later event delivered earlier, do not
# count), so an evaluation depends only on the history up to its event. One row per evaluated
# (customer, time, event) of a batch: the same aggregates, each customer's own windows (LATERAL).
_SQL = """
SELECT i.n, a.*,
    (SELECT count(*) FROM risk_knownpayee k
      WHERE k.customer_id = i.c AND k.first_paid_at > i.at - interval '24 hours' AND k.first_paid_at <= i.at),
    (SELECT max(f.occurred_at) FROM risk_riskfact f
      WHERE f.customer_id = i.c AND f.kind IN ('PAYMENT_OUT', 'PAYMENT_IN', 'TOPUP', 'WITHDRAWAL')
        AND f.occurred_at < i.at AND f.event_id <> i.event),
    (SELECT created_at FROM accounts_customer WHERE id = i.c),
    coalesce(cardinality(s.sharers), 0),
    (SELECT count(*) FROM risk_riskfact r
      WHERE r.kind = 'REWARD' AND r.occurred_at > i.at - interval '30 days' AND r.occurred_at <= i.at
        AND (r.customer_id = i.c OR r.customer_id = ANY(s.sharers))),
    EXISTS (SELECT 1 FROM accounts_kycreview v WHERE v.customer_id = i.c OR v.existing_customer_id = i.c)
  FROM unnest(%(n)s::int[], %(c)s::bigint[], %(at)s::timestamptz[], %(event)s::bigint[]) AS i(n, c, at, event)
  CROSS JOIN LATERAL (
    SELECT
        count(*) FILTER (WHERE kind = 'PAYMENT_OUT' AND occurred_at > i.at - interval '10 minutes'),
        count(*) FILTER (WHERE kind = 'PAYMENT_OUT' AND occurred_at > i.at - interval '1 hour'),
        count(*) FILTER (WHERE kind = 'PAYMENT_OUT' AND occurred_at > i.at - interval '24 hours'),
        coalesce(sum(amount_minor) FILTER (WHERE kind = 'PAYMENT_OUT' AND occurred_at > i.at - interval '1 hour'), 0),
        coalesce(sum(amount_minor) FILTER (WHERE kind = 'PAYMENT_OUT' AND occurred_at > i.at - interval '24 hours'), 0),
        count(*) FILTER (WHERE kind IN ('PAYMENT_IN', 'TOPUP') AND occurred_at > i.at - interval '24 hours'),
        coalesce(sum(amount_minor) FILTER (WHERE kind IN ('PAYMENT_IN', 'TOPUP') AND occurred_at > i.at - interval '24 hours'), 0),
        coalesce(sum(amount_minor) FILTER (WHERE kind = 'WITHDRAWAL' AND occurred_at > i.at - interval '24 hours'), 0),
        count(*) FILTER (WHERE kind = 'PAYMENT_OUT' AND occurred_at > i.at - interval '24 hours'
                         AND amount_minor >= %(near_low)s AND amount_minor < %(near_high)s),
        bool_or(kind = 'NEW_DEVICE' AND occurred_at > i.at - interval '24 hours'),
        bool_or(kind = 'PASSWORD_RESET' AND occurred_at > i.at - interval '24 hours'),
        coalesce(max(occurred_at) FILTER (WHERE kind = 'PASSWORD_RESET')
                 >= min(occurred_at) FILTER (WHERE kind = 'NEW_DEVICE'), false)
      FROM risk_riskfact
     WHERE customer_id = i.c AND occurred_at > i.at - interval '48 hours' AND occurred_at <= i.at
  ) a
  CROSS JOIN LATERAL (
    SELECT array_agg(DISTINCT f.customer_id) AS sharers FROM risk_riskfact f
     WHERE f.customer_id <> i.c AND f.kind IN ('LOGIN', 'NEW_DEVICE')
       AND f.device_key IN (SELECT d.device_key FROM risk_riskfact d
                             WHERE d.customer_id = i.c AND d.device_key <> '' AND d.kind IN ('LOGIN', 'NEW_DEVICE'))
  ) s
"""


def _yuan(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class FeatureRequest:
    """One evaluation's question: this customer's features as of ``at`` (its event's own fact is
    already recorded)."""

    customer_id: int
    at: datetime
    event_id: int
    topic: str
    kind: str
    amount_minor: int
    is_new_payee: bool


def features_compute_many(requests: list[FeatureRequest]) -> list[dict[str, Any]]:
    """Every feature of every request, in one statement (results in the requests' order)."""
    if not requests:
        return []
    threshold = _threshold_minor()
    params: dict[str, Any] = {
        "n": list(range(len(requests))),
        "c": [r.customer_id for r in requests],
        "at": [r.at for r in requests],
        "event": [r.event_id for r in requests],
        "near_low": threshold - threshold * _band_percent() // 100,
        "near_high": threshold,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    reporting = _yuan(threshold)
    return [_features(r, rows[n], reporting) for n, r in enumerate(requests)]


def _features(r: FeatureRequest, row: Any, reporting: Decimal) -> dict[str, Any]:
    at = r.at
    last_money_at, opened_at = row[13], row[14]
    idle = (at - last_money_at) if last_money_at is not None else (at - opened_at if opened_at else None)
    return {
        "topic": r.topic,
        "kind": r.kind,
        "amount": _yuan(r.amount_minor),
        "is_new_payee": r.is_new_payee,
        "out_count_10m": Decimal(row[0]),
        "out_count_1h": Decimal(row[1]),
        "out_count_24h": Decimal(row[2]),
        "out_amount_1h": _yuan(row[3]),
        "out_amount_24h": _yuan(row[4]),
        "in_count_24h": Decimal(row[5]),
        "in_amount_24h": _yuan(row[6]),
        "withdrawal_amount_24h": _yuan(row[7]),
        "near_threshold_count_24h": Decimal(row[8]),
        "reporting_threshold": reporting,
        "new_device_24h": bool(row[9]),
        "password_reset_24h": bool(row[10]),
        "new_device_then_reset_48h": bool(row[11]),
        "new_payees_24h": Decimal(row[12]),
        "idle_days": Decimal(max(0, idle.days) if idle is not None else 0),
        "account_age_days": Decimal(max(0, (at - opened_at).days) if opened_at else 0),
        "customers_on_device": Decimal(row[15]),
        "rewards_on_shared_devices_30d": Decimal(row[16]),
        "identity_shared": bool(row[17]),
    }


def features_compute(
    *, customer_id: int, at: datetime, event_id: int, topic: str, kind: str, amount_minor: int, is_new_payee: bool
) -> dict[str, Any]:
    """Every feature for this customer as of ``at`` (the event's own fact included), one statement."""
    return features_compute_many([FeatureRequest(customer_id, at, event_id, topic, kind, amount_minor, is_new_payee)])[
        0
    ]


def features_jsonable(features: dict[str, Any]) -> dict[str, Any]:
    """Decimals as strings (exact), for the stored inputs."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in features.items()}


def features_from_json(stored: dict[str, Any]) -> dict[str, Any]:
    """The stored inputs back as typed values (replay)."""
    out: dict[str, Any] = {}
    for name, value in stored.items():
        feature = FEATURES.get(name)
        if feature is not None and feature.type == F and isinstance(value, str):
            out[name] = Decimal(value)
        else:
            out[name] = value
    return out
