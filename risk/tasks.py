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
It never takes an event past an earlier event of another evaluated topic (after the message's first
event, not handled yet by that topic's consumer) that concerns one of the same customers: the
rules read a customer's facts across topics (a new device and a password reset before a transfer,
a top-up before the money goes out), so an event is not evaluated ahead of an earlier event of
another topic for that customer queued after the message's first event (one queued before it and
still unhandled is not waited for: docs/risk.md, "What it does not promise"). The customers are
the payload's public ids (``risk.topics.CUSTOMER_FIELDS``: a P2P concerns payer and payee); an
event whose customers cannot be read stops the read-ahead for everyone, and so do sign-ins, new
devices and rewards of anyone while a live or shadow rule of the topic names a feature read from
other customers' facts (``risk.features.SHARED_FEATURES``). Other customers' events do not stop it
(in traffic, sign-ins and other payments of other customers sit between any two payments).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from core.models import OutboxEvent
from core.outbox import event_consumer
from risk.features import SHARED_FEATURES
from risk.services.evaluation import events_evaluate, ruleset_for
from risk.topics import CUSTOMER_FIELDS, EVALUATED_TOPICS, SHARED_FACT_TOPICS

__all__ = ["backtest_run_task", "consumer_name"]

logger = logging.getLogger(__name__)

# Later events of the topic not handled by this consumer yet (``cand``), claimed as the outbox claims
# a message's events; never waits on an event another transaction is claiming (lock_timeout). The
# read-ahead is the prefix of ``cand`` before the first one that would overtake a ``blocker``: an
# earlier event of another evaluated topic, after the message's first event, not handled yet by its
# own consumer, that concerns one of the same customers (``risk.topics.CUSTOMER_FIELDS``), or whose
# customers are not canonical public ids (unknown: it bounds every event), or (``everyone``) that
# records device or reward facts the topic's rules read for other customers too. Its facts are what
# the events after it must be evaluated with, as one-by-one delivery in commit order would. A prefix,
# not a filter: a payment left behind keeps every later payment of its customers behind it too.
# Every lookup is by primary key or ``consumed_event_unique``: ``OFFSET 0`` keeps each NOT EXISTS a
# probe per row (pulled up into an anti join, it was planned as a merge over the consumer's whole
# history: ~35-55 ms at 200,000 handled events) and the final read a lookup per claimed event.
_PUBLIC_ID = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"  # str(uuid): what publishers write
_READ_AHEAD_SQL = """
WITH cand AS MATERIALIZED (
    SELECT e.id, k.k1, k.k2, coalesce(k.k1 ~ %(public_id)s AND k.k2 ~ %(public_id)s, false) AS known
      FROM core_outboxevent e CROSS JOIN LATERAL (SELECT e.payload ->> %(f1)s, e.payload ->> %(f2)s) AS k(k1, k2)
     WHERE e.id > %(after)s AND e.topic = %(topic)s
       AND NOT EXISTS (SELECT 1 FROM core_consumedevent c WHERE c.consumer = %(consumer)s AND c.event_id = e.id OFFSET 0)
     ORDER BY e.id LIMIT %(limit)s
), blocker AS MATERIALIZED (
    SELECT o.id, t.everyone, k.k1, k.k2, coalesce(k.k1 ~ %(public_id)s AND k.k2 ~ %(public_id)s, false) AS known
      FROM core_outboxevent o
      JOIN unnest(%(others)s::text[], %(other_consumers)s::text[], %(other_f1)s::text[], %(other_f2)s::text[],
                  %(other_everyone)s::bool[]) AS t(topic, consumer, f1, f2, everyone) ON t.topic = o.topic
      CROSS JOIN LATERAL (SELECT o.payload ->> t.f1, o.payload ->> t.f2) AS k(k1, k2)
     WHERE o.id > %(floor)s AND o.id < (SELECT max(id) FROM cand)
       AND NOT EXISTS (SELECT 1 FROM core_consumedevent c WHERE c.consumer = t.consumer AND c.event_id = o.id OFFSET 0)
), bound AS (
    SELECT COALESCE(min(x.id), 9223372036854775807) AS id FROM (
        SELECT ck.id FROM (SELECT id, k1 AS k FROM cand UNION ALL SELECT id, k2 FROM cand) ck
          JOIN (SELECT k, min(id) AS id FROM (SELECT id, k1 AS k FROM blocker UNION ALL SELECT id, k2 FROM blocker) s
                 GROUP BY k) bb ON bb.k = ck.k AND bb.id < ck.id
        UNION ALL
        SELECT c.id FROM cand c WHERE c.id > (SELECT min(b.id) FROM blocker b WHERE b.everyone OR NOT b.known)
        UNION ALL
        SELECT c.id FROM cand c WHERE NOT c.known AND c.id > (SELECT min(b.id) FROM blocker b)
    ) x
), fresh AS (
    INSERT INTO core_consumedevent (consumer, event_id, consumed_at)
    SELECT %(consumer)s, id, clock_timestamp() FROM cand WHERE id < (SELECT id FROM bound) ORDER BY id
    ON CONFLICT (consumer, event_id) DO NOTHING
    RETURNING event_id
)
SELECT e.* FROM fresh CROSS JOIN LATERAL (SELECT * FROM core_outboxevent WHERE id = fresh.event_id OFFSET 0) e
 ORDER BY e.id
"""


def _fields(topic: str) -> tuple[str, str]:
    """The one or two payload fields naming the topic's customers (one: twice)."""
    fields = CUSTOMER_FIELDS[topic]
    return fields[0], fields[-1]


def _reads_other_customers(topic: str, stamp: int | None) -> bool:
    """Whether a live or shadow rule of ``topic`` names a feature read from other customers' facts
    (a conservative text match on the expression)."""
    versions = ruleset_for(stamp).by_topic.get(topic, [])
    return any(name in v.expression for v in versions for name in SHARED_FEATURES)


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
                    "SELECT (SELECT current_setting('lock_timeout')), set_config('lock_timeout', '100ms', true),"
                    " (SELECT stamp FROM risk_rulesetstamp WHERE id = 1)"
                )
                previous, _, stamp = cursor.fetchone()
                everyone = _reads_other_customers(topic, stamp)
                ahead = list(
                    OutboxEvent.objects.raw(
                        _READ_AHEAD_SQL,
                        {
                            "after": max(e.pk for e in events),
                            "floor": min(e.pk for e in events),
                            "topic": topic,
                            "f1": _fields(topic)[0],
                            "f2": _fields(topic)[1],
                            "consumer": consumer,
                            "limit": limit,
                            "public_id": _PUBLIC_ID,
                            "others": others,
                            "other_consumers": [consumer_name(t) for t in others],
                            "other_f1": [_fields(t)[0] for t in others],
                            "other_f2": [_fields(t)[1] for t in others],
                            "other_everyone": [everyone and t in SHARED_FACT_TOPICS for t in others],
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
