"""Celery tasks of the payments core: thin wrappers around one service call each, safe to run twice.

Scheduled in ``settings.CELERY_BEAT_SCHEDULE``. Importing ``core.outbox`` here registers the outbox
relay tasks with the worker (Celery autodiscovers ``<app>.tasks``).
"""

from __future__ import annotations

import logging

from celery import shared_task

import core.outbox  # noqa: F401 - registers core.outbox_relay / core.outbox_deliver
from core.audit import audit_record
from core.models import OutboxEvent
from core.outbox import event_consumer
from payments.events import TOPIC_PAYMENT_COMPLETED, TOPIC_TRANSFER_COMPLETED
from payments.idempotency import idempotency_records_purge
from payments.ledger.anchor import ledger_anchor_run
from payments.ledger.seal import ledger_seal_run
from payments.ledger.verify import ledger_verify
from payments.services.maintenance import holds_expire_run, hot_accounts_rollup_run

logger = logging.getLogger(__name__)


@shared_task(name="payments.hot_accounts_rollup", ignore_result=True, soft_time_limit=30, time_limit=60)
def hot_accounts_rollup() -> int:
    return hot_accounts_rollup_run()


@shared_task(name="payments.ledger_seal", ignore_result=True, soft_time_limit=50, time_limit=80)
def ledger_seal() -> int:
    return ledger_seal_run()


@shared_task(name="payments.ledger_seal_sweep", ignore_result=True, soft_time_limit=300, time_limit=360)
def ledger_seal_sweep() -> int:
    """Seal transfers that committed after the frequent sealer's window had passed them."""
    return ledger_seal_run(sweep=True)


@shared_task(name="payments.ledger_anchor", ignore_result=True, soft_time_limit=120, time_limit=180)
def ledger_anchor() -> bool:
    """Daily: sign the seal chain's head and keep it outside the database (sweep-seal first)."""
    ledger_seal_run(sweep=True)
    return ledger_anchor_run() is not None


@shared_task(name="payments.holds_expire", ignore_result=True, soft_time_limit=50, time_limit=80)
def holds_expire() -> int:
    return holds_expire_run()


@shared_task(name="payments.idempotency_purge", ignore_result=True, soft_time_limit=120, time_limit=180)
def idempotency_purge() -> int:
    return idempotency_records_purge()


@shared_task(name="payments.verify_ledger", ignore_result=True, soft_time_limit=3000, time_limit=3300)
def verify_ledger() -> bool:
    """Nightly: seal (late commits too), verify, record the outcome in the audit log; log an error on any drift."""
    ledger_seal_run(sweep=True)
    report = ledger_verify()
    audit_record(
        action="payments.ledger.verify",
        reason="nightly verification",
        changes={
            "ok": report.ok,
            "counts": report.counts,
            "drift_count": report.drift_count,
            "drifts": report.drifts[:20],
        },
    )
    if not report.ok:
        logger.error("Ledger verification found %d drift(s): %s", report.drift_count, report.drifts[:5])
    return report.ok


@event_consumer(TOPIC_TRANSFER_COMPLETED, "payments.notify_customer", batch=True)
def notify_customer(events: list[OutboxEvent]) -> None:
    """Trivial consumer that exercises the outbox end to end (the feedback app sends real messages).
    A batch consumer: each delivery hands it every event of the batch in one transaction."""
    for event in events:
        logger.info(
            "notify: %s %s for transfer %s", event.topic, event.payload.get("kind"), event.payload.get("transfer_id")
        )


@event_consumer(TOPIC_PAYMENT_COMPLETED, "payments.notify_customer_payment", batch=True)
def notify_customer_payment(events: list[OutboxEvent]) -> None:
    for event in events:
        logger.info("notify: %s for transfer %s", event.topic, event.payload.get("transfer_id"))


from payments.tasks_movements import *  # noqa: E402, F403 - movement tasks (funding poll, adjustment expiry)
