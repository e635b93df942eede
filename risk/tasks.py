"""Risk's outbox consumers (``core.outbox.event_consumer``): every evaluated topic runs the rules
(``risk.services.evaluation.events_evaluate``), a batch of events per delivery in one transaction
and a handful of statements (each event at most once per consumer; a failing batch is retried
event by event). Deliveries of ``risk.*`` consumers go to the Celery ``risk`` queue
(``OUTBOX_DELIVERY_ROUTES``), so a burst of campaign work never delays a fraud check. Consumer
names are stable: they are idempotency keys.

Read-ahead: the relay sends what committed in the last 20 ms, a few events per message, and a
delivery's fixed cost (the task, the transaction, the locks) dwarfs a few evaluations. So a
delivery also claims up to ``RISK_READ_AHEAD`` later events of its topic that no delivery has
handled yet (``ConsumedEvent``, as the outbox claims its own) and evaluates them in the same
batch: under a backlog the batches grow by themselves and the queue drains; the messages of the
events read ahead find them handled and do nothing. The read-ahead runs under a savepoint with a
short ``lock_timeout``: an event another delivery is claiming at that moment is left to it, and
an event that fails is left to its own message (the delivery then evaluates only its own events).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from core.models import OutboxEvent
from core.outbox import event_consumer
from risk.services.evaluation import events_evaluate
from risk.topics import EVALUATED_TOPICS

__all__ = ["backtest_run_task", "consumer_name"]

logger = logging.getLogger(__name__)

# Later events of the topic not handled by this consumer yet, claimed as the outbox claims a
# message's events; never waits on an event another transaction is claiming (lock_timeout).
_READ_AHEAD_SQL = """
WITH ahead AS (
    SELECT e.id FROM core_outboxevent e
     WHERE e.id > %(after)s AND e.topic = %(topic)s
       AND NOT EXISTS (SELECT 1 FROM core_consumedevent c WHERE c.consumer = %(consumer)s AND c.event_id = e.id)
     ORDER BY e.id LIMIT %(limit)s
), fresh AS (
    INSERT INTO core_consumedevent (consumer, event_id, consumed_at)
    SELECT %(consumer)s, id, clock_timestamp() FROM ahead ORDER BY id
    ON CONFLICT (consumer, event_id) DO NOTHING
    RETURNING event_id
)
SELECT e.* FROM core_outboxevent e JOIN fresh ON fresh.event_id = e.id ORDER BY e.id
"""


def consumer_name(topic: str) -> str:
    return "risk.rules." + topic.replace(".", "_")


def _read_ahead(topic: str, consumer: str, events: list[OutboxEvent]) -> bool:
    """Claim and evaluate the message's events with up to ``RISK_READ_AHEAD`` later ones; False
    (nothing done) when that failed."""
    limit = int(getattr(settings, "RISK_READ_AHEAD", 200))
    if limit <= 0:
        return False
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', '100ms', true)")
                ahead = list(
                    OutboxEvent.objects.raw(
                        _READ_AHEAD_SQL,
                        {"after": max(e.pk for e in events), "topic": topic, "consumer": consumer, "limit": limit},
                    )
                )
                cursor.execute("SELECT set_config('lock_timeout', '0', true)")
            events_evaluate(events + ahead)
        return True
    except DatabaseError as exc:
        logger.info("Risk read-ahead for %s skipped: %s", consumer, exc)
    except Exception:
        logger.exception("Risk read-ahead for %s failed; the events read ahead are left to their messages", consumer)
    return False


def _make(topic: str) -> None:
    name = consumer_name(topic)

    def consume(events: list[OutboxEvent]) -> None:
        if not _read_ahead(topic, name, events):
            events_evaluate(events)

    consume.__qualname__ = f"risk_rules_{topic.replace('.', '_')}"
    event_consumer(topic, name, batch=True)(consume)


for _topic in EVALUATED_TOPICS:
    _make(_topic)


@shared_task(name="risk.backtest_run", ignore_result=True, soft_time_limit=3000, time_limit=3300, acks_late=True)
def backtest_run_task(*, backtest_id: int) -> None:
    """Thin wrapper (on the ``risk`` queue, ``CELERY_TASK_ROUTES``); safe to run twice."""
    from risk.services.backtests import backtest_run

    backtest_run(backtest_id=backtest_id)
