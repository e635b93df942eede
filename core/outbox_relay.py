"""The outbox relay: from committed ``OutboxEvent`` rows to Celery deliveries (core.outbox).

* ``outbox_relay_run()`` claims unpublished rows (``FOR UPDATE SKIP LOCKED``, so any number of
  relays may run at once), sends their deliveries and marks them published, in one transaction.
* ``relay_listen()`` is the fast path, run by ``manage.py outbox_relay --listen``: it LISTENs on
  ``core_outbox`` on a session connection straight to PostgreSQL and relays as soon as a commit
  notifies it, or every ``poll_seconds`` when nothing does (a lost notification costs at most that).
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

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F

from core.models import OutboxEvent
from core.outbox import (
    BROKER_ERRORS,
    DELIVERY_BATCH_MAX,
    NOTIFY_CHANNEL,
    _queue_for,
    consumers_all,
    deliveries_send,
    outbox_deliver,
)

logger = logging.getLogger("core.outbox")

__all__ = ["listen_conninfo", "outbox_redeliver_stale", "outbox_relay_run", "relay_listen"]


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
    published = 0
    for _ in range(max_batches):
        failed: int | None = None
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute(_RELAY_CLAIM_SQL, [batch_size])
                rows = sorted(cursor.fetchall())
            if not rows:
                return published
            try:
                deliveries_send(rows)
            except BROKER_ERRORS as exc:
                logger.warning("Outbox relay stopped: broker unavailable (%s); %d event(s) wait", exc, len(rows))
                transaction.set_rollback(True)
                failed = rows[0][0]
        if failed is not None:
            OutboxEvent.objects.filter(pk=failed).update(attempts=F("attempts") + 1)
            return published
        published += len(rows)
        if len(rows) < batch_size:
            return published
    return published


# --- the listening relay ------------------------------------------------------------------------


def listen_conninfo() -> str:
    """Where the relay LISTENs: ``OUTBOX_LISTEN_DATABASE_URL`` (``DATABASE_DIRECT_URL``: PostgreSQL
    itself, bypassing a transaction-pooling PgBouncer, which would drop the session's LISTEN), else
    the application's own database settings (right when it connects to PostgreSQL directly). The
    database is always the application's own (``DATABASES["default"]["NAME"]``: under the tests,
    the test database, whatever name the direct URL carries)."""
    db = connection.settings_dict
    url = getattr(settings, "OUTBOX_LISTEN_DATABASE_URL", None)
    if url:
        direct = psycopg.conninfo.conninfo_to_dict(str(url).replace("postgres://", "postgresql://", 1))
        return psycopg.conninfo.make_conninfo(**{**direct, "dbname": db["NAME"]})
    params: dict[str, Any] = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "application_name": "tongbao-outbox-relay",
    }
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if v})


def _listen_connect() -> psycopg.Connection[Any] | None:
    try:
        conn = psycopg.connect(listen_conninfo(), autocommit=True, connect_timeout=5)
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        server_port = conn.execute("SELECT inet_server_port()").fetchone()
    except psycopg.Error as exc:
        logger.warning("Outbox relay: cannot LISTEN (%s); relaying by polling until it can", exc)
        return None
    port = server_port[0] if server_port else None
    if port is not None and str(port) != str(conn.info.port):
        logger.error(
            "Outbox relay: LISTEN reached PostgreSQL port %s through port %s (a connection pooler?): "
            "notifications may be lost; set DATABASE_DIRECT_URL to PostgreSQL itself",
            port,
            conn.info.port,
        )
    logger.info("Outbox relay: listening on %s", NOTIFY_CHANNEL)
    return conn


def _wait_for_notify(conn: psycopg.Connection[Any], timeout: float) -> bool:
    """Block until a notification (True) or ``timeout`` (False); then take every pending one, since
    the relay run that follows covers their commits too."""
    woke = False
    for _ in conn.notifies(timeout=timeout, stop_after=1):
        woke = True
    if woke:
        for _ in conn.notifies(timeout=0.0):
            pass
    return woke


def _relay_once() -> bool:
    try:
        outbox_relay_run()
        return True
    except Exception:
        logger.exception("Outbox relay run failed; retrying")
        connection.close()  # a broken connection is reopened by the next run
        return False


# At most one relay run per this many seconds: below ~50 commits/s every event is relayed the moment
# it commits; above, the commits of the interval share one run and one message per consumer, so the
# events worker gets fewer, larger batches instead of falling behind a stream of one-event messages.
RELAY_MIN_INTERVAL = 0.02


def relay_listen(
    *,
    poll_seconds: float = 1.0,
    stop: threading.Event | None = None,
    on_listen: Callable[[], None] | None = None,
    min_interval: float = RELAY_MIN_INTERVAL,
) -> None:
    """Relay on every commit notification, and every ``poll_seconds`` without one, until ``stop``.
    On (re)connecting it relays at once: commits made while it was not listening notified no one."""
    stop = stop or threading.Event()
    conn: psycopg.Connection[Any] | None = None
    failures = 0
    last_run = 0.0
    try:
        while not stop.is_set():
            if conn is None or conn.closed:
                conn = _listen_connect()
                if conn is None:
                    stop.wait(poll_seconds)
                elif on_listen is not None:
                    on_listen()
            else:
                try:
                    _wait_for_notify(conn, poll_seconds)
                except psycopg.Error as exc:
                    logger.warning("Outbox relay: LISTEN connection lost (%s); reconnecting", exc)
                    conn.close()
            if stop.is_set():
                break
            stop.wait(max(0.0, last_run + min_interval - time.monotonic()))
            last_run = time.monotonic()
            failures = 0 if _relay_once() else failures + 1
            if failures:
                stop.wait(min(5.0, 0.2 * 2**failures))
    finally:
        if conn is not None:
            conn.close()
        connection.close()


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
            rows = cursor.fetchall()
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
