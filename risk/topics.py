"""The outbox topics risk consumes, and what each event says about which customer (``Signal``).

Payments publishes ``transfer.completed`` (P2P), ``payment.completed`` (merchant and bill),
``topup.completed``, ``withdrawal.completed``; accounts publishes ``customer.logged_in``,
``customer.device_added``, ``customer.password_reset``, ``customer.password_changed``;
``promotion.reward_granted`` is the topic promotions publishes when it pays a reward
(payload ``customer_id``, ``campaign``, ``amount`` {amount, currency}, ``at``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime

from core.models import OutboxEvent

__all__ = [
    "CUSTOMER_FIELDS",
    "EVALUATED_TOPICS",
    "SHARED_FACT_TOPICS",
    "TOPIC_REWARD_GRANTED",
    "Signal",
    "event_signals",
]

TOPIC_REWARD_GRANTED = "promotion.reward_granted"
EVALUATED_TOPICS = (
    "transfer.completed",
    "payment.completed",
    "topup.completed",
    "withdrawal.completed",
    "customer.logged_in",
    "customer.device_added",
    "customer.password_reset",
    "customer.password_changed",
    TOPIC_REWARD_GRANTED,
)
# The payload fields naming the customers (public ids) an event concerns, as ``event_signals`` reads
# them (a P2P concerns its payer and its payee): the read-ahead's per-customer bound
# (``risk.tasks``) reads the same fields in SQL.
CUSTOMER_FIELDS: dict[str, tuple[str, ...]] = {
    "transfer.completed": ("payer", "payee"),
    "payment.completed": ("customer",),
    "topup.completed": ("customer",),
    "withdrawal.completed": ("customer",),
    "customer.logged_in": ("customer_id",),
    "customer.device_added": ("customer_id",),
    "customer.password_reset": ("customer_id",),
    "customer.password_changed": ("customer_id",),
    TOPIC_REWARD_GRANTED: ("customer_id",),
}
# Topics whose facts OTHER customers' features read (``risk.features.SHARED_FEATURES``: the
# customers on one's devices and their rewards): sign-ins and new devices carry the device, rewards.
SHARED_FACT_TOPICS = ("customer.logged_in", "customer.device_added", TOPIC_REWARD_GRANTED)


@dataclass(frozen=True)
class Signal:
    """One fact of one customer from an event; ``evaluate``: run the rules for this customer."""

    customer_public_id: str
    kind: str
    at: datetime
    amount: dict[str, str] | None = None
    counterparty_key: str = ""
    device_key: str = ""
    evaluate: bool = True
    transfer_public_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _at(payload: dict[str, Any], event: OutboxEvent) -> datetime:
    for name in ("created_at", "at"):
        value = payload.get(name)
        if isinstance(value, str):
            parsed = parse_datetime(value)
            if parsed is not None:
                return parsed
    return event.created_at


def event_signals(event: OutboxEvent) -> list[Signal]:
    """The facts ``event`` carries (empty for a payload risk cannot read)."""
    p: dict[str, Any] = event.payload or {}
    at = _at(p, event)
    topic = event.topic
    transfer = p.get("transfer_id")
    if topic == "transfer.completed" and p.get("payer") and p.get("payee"):
        payer, payee = str(p["payer"]), str(p["payee"])
        return [
            Signal(payer, "PAYMENT_OUT", at, p.get("amount"), f"customer:{payee}", transfer_public_id=transfer),
            Signal(payee, "PAYMENT_IN", at, p.get("amount"), f"customer:{payer}", evaluate=False),
        ]
    if topic == "payment.completed" and p.get("customer"):
        payee = f"merchant:{p['merchant']}" if p.get("merchant") else f"biller:{p.get('biller', '')}"
        amount = p.get("paid_by_customer") or p.get("amount")
        return [Signal(str(p["customer"]), "PAYMENT_OUT", at, amount, payee, transfer_public_id=transfer)]
    if topic in ("topup.completed", "withdrawal.completed") and p.get("customer"):
        kind = "TOPUP" if topic == "topup.completed" else "WITHDRAWAL"
        return [Signal(str(p["customer"]), kind, at, p.get("amount"), transfer_public_id=transfer)]
    kinds = {
        "customer.logged_in": "LOGIN",
        "customer.device_added": "NEW_DEVICE",
        "customer.password_reset": "PASSWORD_RESET",
        "customer.password_changed": "PASSWORD_CHANGE",
    }
    if topic in kinds and p.get("customer_id"):
        return [Signal(str(p["customer_id"]), kinds[topic], at, device_key=str(p.get("device_hash") or ""))]
    if topic == TOPIC_REWARD_GRANTED and p.get("customer_id"):
        return [Signal(str(p["customer_id"]), "REWARD", at, p.get("amount"), f"campaign:{p.get('campaign', '')}")]
    return []
