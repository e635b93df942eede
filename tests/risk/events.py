"""Helpers of the risk tests: publish events as payments and accounts do, deliver them to the risk
consumers as the events worker would (``core.outbox.outbox_events_deliver``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from accounts.pii import device_index
from core.models import OutboxEvent
from core.money import Money
from core.outbox import event_publish, outbox_events_deliver
from payments.models import Transfer
from risk.models import Evaluation
from risk.tasks import consumer_name


def publish(topic: str, payload: dict[str, Any]) -> OutboxEvent:
    with transaction.atomic():
        return event_publish(topic=topic, payload=payload, key=str(uuid.uuid4()))


def deliver(*events: OutboxEvent) -> int:
    return sum(outbox_events_deliver(event_ids=[e.pk], consumer=consumer_name(e.topic)) for e in events)


def p2p_event(payer: Customer, payee: Customer, amount: str, at: datetime | None = None) -> OutboxEvent:
    """A ``transfer.completed`` as payments writes it (no money: for rules that need no hold)."""
    return publish(
        "transfer.completed",
        {
            "transfer_id": str(uuid.uuid4()),
            "kind": "P2P",
            "reference": "",
            "initiated_by": str(payer.public_id),
            "created_at": (at or timezone.now()).isoformat(),
            "payer": str(payer.public_id),
            "payee": str(payee.public_id),
            "amount": {"amount": amount, "currency": "CNY"},
            "benefits": [],
        },
    )


def p2p_real(payer: Customer, payee: Customer, amount: str) -> OutboxEvent:
    """A real P2P transfer through the payments service; its own outbox event is returned."""
    from payments.services.transfers import transfer_p2p_create

    transfer: Transfer = transfer_p2p_create(sender=payer, recipient=payee, amount=Money.parse(amount, "CNY"))
    return OutboxEvent.objects.get(topic="transfer.completed", key=str(transfer.public_id))


def access_event(topic: str, customer: Customer, device_id: str = "", at: datetime | None = None) -> OutboxEvent:
    payload: dict[str, Any] = {"customer_id": str(customer.public_id), "at": (at or timezone.now()).isoformat()}
    if device_id:
        payload.update(device=str(uuid.uuid4()), device_hash=device_index(device_id))
    return publish(topic, payload)


def reward_event(customer: Customer, amount: str = "10.00", at: datetime | None = None) -> OutboxEvent:
    return publish(
        "promotion.reward_granted",
        {
            "customer_id": str(customer.public_id),
            "campaign": "new-user",
            "amount": {"amount": amount, "currency": "CNY"},
            "at": (at or timezone.now()).isoformat(),
        },
    )


def evaluation_of(event: OutboxEvent, customer: Customer) -> Evaluation:
    return Evaluation.objects.get(event_id=event.pk, customer=customer)
