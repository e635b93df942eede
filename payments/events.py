"""Domain events published by payments through the outbox (``core.outbox.event_publish``).

Payloads carry public ids and decimal-string amounts only, never personal data. Consumers
(promotions, risk, feedback) register with ``@core.outbox.event_consumer(topic, name)``.
"""

from __future__ import annotations

from typing import Any

from core.models import OutboxEvent
from core.outbox import event_publish
from payments.models import Transfer

__all__ = [
    "TOPIC_PAYMENT_COMPLETED",
    "TOPIC_REFUND_COMPLETED",
    "TOPIC_TOPUP_COMPLETED",
    "TOPIC_TRANSFER_COMPLETED",
    "TOPIC_TRANSFER_REVERSED",
    "TOPIC_WITHDRAWAL_COMPLETED",
    "transfer_event_payload",
    "transfer_event_publish",
]

TOPIC_PAYMENT_COMPLETED = "payment.completed"  # merchant / bill payments
TOPIC_TRANSFER_COMPLETED = "transfer.completed"  # P2P
TOPIC_REFUND_COMPLETED = "refund.completed"
TOPIC_TOPUP_COMPLETED = "topup.completed"
TOPIC_WITHDRAWAL_COMPLETED = "withdrawal.completed"
TOPIC_TRANSFER_REVERSED = "transfer.reversed"


def transfer_event_payload(transfer: Transfer, **extra: Any) -> dict[str, Any]:
    """The common part of every money event: ids, kind, amounts per posting account code."""
    return {
        "transfer_id": str(transfer.public_id),
        "kind": transfer.kind,
        "reference": transfer.reference,
        "initiated_by": str(transfer.initiated_by.public_id) if transfer.initiated_by is not None else None,
        "created_at": transfer.created_at.isoformat(),
        **extra,
    }


def transfer_event_publish(*, topic: str, transfer: Transfer, **extra: Any) -> OutboxEvent:
    """Publish ``topic`` for ``transfer`` inside the current transaction (keyed by the transfer id)."""
    return event_publish(topic=topic, payload=transfer_event_payload(transfer, **extra), key=str(transfer.public_id))
