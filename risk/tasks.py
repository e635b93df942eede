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
It stops before the first event of another evaluated topic, later than the message's first event,
that its consumer has not handled yet: the rules read facts across topics (a new device and a
password reset before a transfer, a top-up before the money goes out), so an event is never
evaluated ahead of an earlier event of another topic that one-by-one delivery would have seen first.
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
# Never past an event of another evaluated topic (its own consumer) that is not handled yet and
# came after the message's first event: its facts (a new device, a password reset, a top-up) are
# what the events after it must be evaluated with, as one-by-one delivery in commit order would.
_READ_AHEAD_SQL = """
WITH bound AS (
    SELECT COALESCE(min(o.id), 9223372036854775807) AS id FROM (
        SELECT o.id FROM core_outboxevent o
          JOIN unnest(%(others)s::text[], %(other_consumers)s::text[]) AS t(topic, consumer) ON t.topic = o.topic
         WHERE o.id > %(floor)s
           AND NOT EXISTS (SELECT 1 FROM core_consumedevent c WHERE c.consumer = t.consumer AND c.event_id = o.id)
         ORDER BY o.id LIMIT 1
    ) o
), ahead AS (
    SELECT e.id FROM core_outboxevent e
     WHERE e.id > %(after)s AND e.topic = %(topic)s AND e.id < (SELECT id FROM bound)
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
    others = [t for t in EVALUATED_TOPICS if t != topic]
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT (SELECT current_setting('lock_timeout')), set_config('lock_timeout', '100ms', true)"
                )
                previous = cursor.fetchone()[0]
                ahead = list(
                    OutboxEvent.objects.raw(
                        _READ_AHEAD_SQL,
                        {
                            "after": max(e.pk for e in events),
                            "floor": min(e.pk for e in events),
                            "topic": topic,
                            "consumer": consumer,
                            "limit": limit,
                            "others": others,
                            "other_consumers": [consumer_name(t) for t in others],
                        },
                    )
                )
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
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
