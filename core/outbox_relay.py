"""The outbox relay: from committed ``OutboxEvent`` rows to Celery deliveries (core.outbox).

* ``outbox_relay_run()`` claims unpublished rows (``FOR UPDATE SKIP LOCKED``, so any number of
  relays may run at once), sends their deliveries and marks them published, in one transaction.
* ``relay_follow()`` is the fast path, run by ``manage.py outbox_relay --follow``: every 20 ms it
  probes the partial index of unpublished rows and relays what it finds (why not LISTEN/NOTIFY:
  see ``RELAY_POLL_SECONDS``).
* ``outbox_redeliver_stale()`` (beat) re-sends deliveries whose message died with a killed worker,
  at most ``REDELIVER_MAX_EVENTS`` events per run, each event waiting twice as long after every
  re-send (``redeliveries``, ``redeliver_at``): a backlog is never re-sent wholesale on each run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from core.models import OutboxEvent
from core.outbox import (
    BROKER_ERRORS,
    DELIVERY_BATCH_MAX,
    _queue_for,
    consumers_all,
    deliveries_send,
    outbox_deliver,
)

logger = logging.getLogger("core.outbox")

__all__ = ["RELAY_POLL_SECONDS", "outbox_redeliver_stale", "outbox_relay_run", "relay_follow"]


# Claim and mark in one statement. The mark's commit need not be durable (``synchronous_commit =
# off`` for this transaction only): lost in a crash, the event is simply relayed again, and
# consumers are idempotent.
_RELAY_CLAIM_SQL = """
UPDATE core_outboxevent SET published_at = now()
 WHERE id IN (SELECT id FROM core_outboxevent WHERE published_at IS NULL
               ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED)
RETURNING id, topic
"""


def outbox_relay_run(*, batch_size: int = 500, max_batches: int = 20) -> int:
    """Hand unpublished events to Celery; return how many were published. Stops at the first broker
    error: the claimed rows stay unpublished (``attempts`` + 1 on the first) for the next run."""
    return _relay_batches(batch_size=batch_size, max_batches=max_batches)[0]


def _relay_batches(*, batch_size: int = 500, max_batches: int = 20) -> tuple[int, bool]:
    """``outbox_relay_run``'s work: (published, whether it stopped at a broker error)."""
    published = 0
    for _ in range(max_batches):
        failed: int | None = None
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute(_RELAY_CLAIM_SQL, [batch_size])
                rows = sorted(cursor.fetchall())
            if not rows:
                return published, False
            try:
                deliveries_send(rows)
            except BROKER_ERRORS as exc:
                logger.warning("Outbox relay stopped: broker unavailable (%s); %d event(s) wait", exc, len(rows))
                transaction.set_rollback(True)
                failed = rows[0][0]
        if failed is not None:
            OutboxEvent.objects.filter(pk=failed).update(attempts=F("attempts") + 1)
            return published, True
        published += len(rows)
        if len(rows) < batch_size:
            return published, False
    return published, False


# --- the following relay ------------------------------------------------------------------------

# Every this many seconds the following relay looks for unpublished events (one index probe of the
# partial index ``outbox_unpublished``) and relays them: an event waits at most this long, and the
# commits of one interval share one run and one message per consumer, so the events worker gets
# fewer, larger batches instead of falling behind a stream of one-event messages.
#
# Why polling and not LISTEN/NOTIFY (which this relay used until issue 11's last measurements):
# PostgreSQL takes one cluster-wide lock while a transaction that ran NOTIFY commits, so every
# payment's commit (and its WAL flush) was serialised behind the previous one: no group commit.
# With the notifying trigger, 8-16 concurrent service payments ran at about half the rate they run
# without it (interleaved runs, docs/ledger.md "Outbox"). A poll costs one index probe, 50 a second.
RELAY_POLL_SECONDS = 0.02

_PENDING_SQL = "SELECT EXISTS (SELECT 1 FROM core_outboxevent WHERE published_at IS NULL)"


def _pending() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_PENDING_SQL)
        row = cursor.fetchone()
    return bool(row and row[0])


def relay_follow(
    *,
    poll_seconds: float = RELAY_POLL_SECONDS,
    stop: threading.Event | None = None,
    on_start: Callable[[], None] | None = None,
) -> None:
    """Relay unpublished events every ``poll_seconds`` until ``stop`` (``manage.py outbox_relay
    --follow``). Any number may run (the claim skips locked rows). A failing run (the broker or
    the database down) backs off up to 5 s and retries; beat's ``core.outbox_relay`` is the safety
    net when no following relay runs at all."""
    stop = stop or threading.Event()
    failures = 0
    if on_start is not None:
        on_start()
    try:
        while not stop.is_set():
            started = time.monotonic()
            try:
                due = _pending()
            except Exception:
                logger.exception("Outbox relay: cannot read the outbox; retrying")
                connection.close()
                due, failures = False, failures + 1
            else:
                if due:
                    failures = 0 if _relay_once() else failures + 1
            if failures:
                stop.wait(min(5.0, 0.2 * 2**failures))
            else:
                stop.wait(max(0.0, started + poll_seconds - time.monotonic()))
    finally:
        connection.close()


def _relay_once() -> bool:
    """One relay run; False when it failed (the database) or stopped at a broker error, so the
    following relay backs off instead of re-claiming the same rows 50 times a second."""
    try:
        return not _relay_batches()[1]
    except Exception:
        logger.exception("Outbox relay run failed; retrying")
        connection.close()  # a broken connection is reopened by the next run
        return False


# --- redelivery of lost deliveries --------------------------------------------------------------

# A delivery not consumed this long after publishing is sent again (its message may have died with
# a SIGKILLed worker: the Redis broker only redelivers after visibility_timeout, an hour). Each
# further re-send of one event waits twice as long, up to REDELIVER_BACKOFF_MAX_SECONDS.
REDELIVER_AFTER_SECONDS = 60
REDELIVER_BACKOFF_MAX_SECONDS = 15 * 60
# Events older than this are left to the broker's own redelivery (visibility_timeout, an hour).
REDELIVER_WINDOW_SECONDS = 60 * 60
REDELIVER_MAX_EVENTS = 1000  # per run: a sweep never floods the broker

# Claims due events and returns, for each, the consumers of its topic with no ConsumedEvent yet.
_CLAIM_SQL = """
WITH due AS (
    SELECT e.id FROM core_outboxevent e
     WHERE e.created_at >= now() - make_interval(secs => %(window)s)
       AND e.published_at < now() - make_interval(secs => %(after)s)
       AND (e.redeliver_at IS NULL OR e.redeliver_at <= now())
       AND EXISTS (
           SELECT 1 FROM unnest(%(topics)s::text[], %(consumers)s::text[]) AS p(topic, consumer)
            WHERE p.topic = e.topic AND NOT EXISTS (
                SELECT 1 FROM core_consumedevent c WHERE c.consumer = p.consumer AND c.event_id = e.id))
     ORDER BY e.id
     LIMIT %(limit)s
     FOR UPDATE SKIP LOCKED
)
UPDATE core_outboxevent e
   SET redeliveries = e.redeliveries + 1,
       redeliver_at = now() + make_interval(secs => least(%(cap)s, %(after)s * power(2, e.redeliveries)))
  FROM due
 WHERE e.id = due.id
RETURNING e.id, (
    SELECT array_agg(p.consumer) FROM unnest(%(topics)s::text[], %(consumers)s::text[]) AS p(topic, consumer)
     WHERE p.topic = e.topic AND NOT EXISTS (
         SELECT 1 FROM core_consumedevent c WHERE c.consumer = p.consumer AND c.event_id = e.id))
"""


def outbox_redeliver_stale(
    *,
    after_seconds: int = REDELIVER_AFTER_SECONDS,
    window_seconds: int = REDELIVER_WINDOW_SECONDS,
    limit: int = REDELIVER_MAX_EVENTS,
) -> int:
    """Send again the unconsumed deliveries of events that are due (published ``after_seconds`` ago
    and not re-sent within their backoff), at most ``limit`` events; return deliveries re-sent. Safe
    to repeat and to race with the original message: ``consume`` lets exactly one of them act."""
    registered = consumers_all()
    topics = [c.topic for c in registered]
    consumers = [c.name for c in registered]
    if not consumers:
        return 0
    params: dict[str, Any] = {
        "topics": topics,
        "consumers": consumers,
        "window": window_seconds,
        "after": after_seconds,
        "cap": REDELIVER_BACKOFF_MAX_SECONDS,
        "limit": limit,
    }
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL, params)
            rows = sorted(cursor.fetchall())  # UPDATE ... RETURNING has no order: re-send in event order
        pairs = [(event_id, name) for event_id, names in rows for name in names or []]
        try:
            _resend(pairs)
        except BROKER_ERRORS as exc:  # nothing counts as re-sent: the claim rolls back
            logger.warning("Outbox redelivery stopped: broker unavailable (%s)", exc)
            transaction.set_rollback(True)
            return 0
    if pairs:
        logger.warning("Outbox: re-sent %d unconsumed deliver(ies) of %d event(s)", len(pairs), len(rows))
    return len(pairs)


def _resend(pairs: list[tuple[int, str]]) -> None:
    by_consumer: dict[str, list[int]] = {}
    for event_id, name in pairs:
        by_consumer.setdefault(name, []).append(event_id)
    for name, ids in by_consumer.items():
        for start in range(0, len(ids), DELIVERY_BATCH_MAX):
            outbox_deliver.apply_async(
                kwargs={"event_ids": ids[start : start + DELIVERY_BATCH_MAX], "consumer": name},
                queue=_queue_for(name),
                retry=False,
            )
