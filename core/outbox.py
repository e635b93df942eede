"""The transactional outbox (ARCHITECTURE §5): events are rows written with the change they announce.

* ``event_publish(topic=..., payload=...)`` inside the caller's transaction writes an
  ``OutboxEvent`` and, after commit, kicks the relay (a broker outage never raises into the
  request: the row waits for the next beat tick).
* ``core.outbox_relay`` (beat every second + the kicks) claims unpublished rows with
  ``FOR UPDATE SKIP LOCKED``, hands one ``core.outbox_deliver`` task per consumer to Celery
  and marks the row published. A failed hand-over leaves the row for the next run.
* Consumers register with ``@event_consumer("payment.completed", "promotions.reward_on_payment")``
  in their app's ``tasks.py`` (imported by Celery's autodiscovery and by ``consumers_for``).
  ``core.outbox_deliver`` runs a consumer inside a transaction that first inserts
  ``ConsumedEvent(consumer, event)`` (``ON CONFLICT DO NOTHING``): a redelivered event is skipped,
  so its effect happens once. The delivery is routed by the consumer's name through
  ``CELERY_TASK_ROUTES`` (``promotions.*`` goes to the ``promotions`` queue).
"""

from __future__ import annotations

import fnmatch
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.models import OutboxEvent

logger = logging.getLogger(__name__)

__all__ = [
    "BROKER_ERRORS",
    "EventConsumer",
    "consume",
    "consumer_get",
    "consumers_for",
    "event_consumer",
    "event_publish",
    "outbox_deliver",
    "outbox_event_deliver",
    "outbox_events_written",
    "outbox_relay",
    "outbox_relay_run",
]

# The only errors a publish may swallow: the broker is unreachable. Anything else is a bug.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    KombuOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
)

ConsumerFn = Callable[[OutboxEvent], None]


@dataclass(frozen=True)
class EventConsumer:
    topic: str
    name: str
    fn: ConsumerFn


_registry: dict[str, EventConsumer] = {}
_registry_loaded = False
_registry_lock = threading.Lock()


def event_consumer(topic: str, name: str) -> Callable[[ConsumerFn], ConsumerFn]:
    """Register ``fn(event)`` as consumer ``name`` of ``topic``. ``name`` is stable (it is the
    idempotency key with the event id) and dotted by app (``promotions.reward_on_payment``)."""

    def decorator(fn: ConsumerFn) -> ConsumerFn:
        existing = _registry.get(name)
        if existing is not None and (existing.topic != topic or existing.fn.__qualname__ != fn.__qualname__):
            raise ValueError(f"Event consumer {name!r} is registered twice")
        _registry[name] = EventConsumer(topic=topic, name=name, fn=fn)
        return fn

    return decorator


def _load_consumers() -> None:
    """Import every app's ``tasks`` module once, so their ``@event_consumer`` registrations exist."""
    global _registry_loaded
    if _registry_loaded:
        return
    with _registry_lock:
        if _registry_loaded:
            return
        for config in apps.get_app_configs():
            module = f"{config.name}.tasks"
            try:
                import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
        _registry_loaded = True


def consumers_for(topic: str) -> list[EventConsumer]:
    _load_consumers()
    return [c for c in _registry.values() if c.topic == topic]


def consumer_get(name: str) -> EventConsumer | None:
    _load_consumers()
    return _registry.get(name)


# --- publishing -------------------------------------------------------------------------------

_KICK_MIN_INTERVAL = 0.25  # seconds between relay kicks from one process; beat covers the rest
_BROKER_DOWN_BACKOFF = 5.0  # after a failed kick, do not try the broker again from this process for a while
_kick_state = {"last": 0.0, "down_until": 0.0}


def _kick_relay_now() -> None:
    """Ask a worker to relay now. Never raises for a broker outage (the beat schedule relays later)."""
    try:
        outbox_relay.apply_async(retry=False)
    except BROKER_ERRORS as exc:
        _kick_state["down_until"] = time.monotonic() + _BROKER_DOWN_BACKOFF
        logger.warning("Outbox relay kick failed (broker unavailable): %s; the beat schedule will relay", exc)


def _kick_relay() -> None:
    """After commit: kick the relay, at most every ``_KICK_MIN_INTERVAL`` per process, and not while
    the broker was just found down. The kick runs in a daemon thread so a slow or unreachable broker
    never adds latency to the request that committed the payment."""
    now = time.monotonic()
    if now < _kick_state["down_until"] or now - _kick_state["last"] < _KICK_MIN_INTERVAL:
        return
    _kick_state["last"] = now
    if outbox_relay.app.conf.task_always_eager:  # tests and eager development: run in line
        _kick_relay_now()
        return
    threading.Thread(target=_kick_relay_now, name="outbox-kick", daemon=True).start()


def event_publish(*, topic: str, payload: dict[str, Any], key: str = "") -> OutboxEvent:
    """Write an event in the caller's transaction; it is relayed after commit (or never, on rollback).

    ``payload`` holds ids and values, JSON only (amounts as decimal strings), never personal data.
    """
    event = OutboxEvent.objects.create(topic=topic, key=key[:200], payload=payload)
    transaction.on_commit(_kick_relay)
    return event


def outbox_events_written() -> None:
    """Events were inserted by SQL (the database's money step, ``payments_pay``) in the current
    transaction: wake the relay after commit, as ``event_publish`` does."""
    transaction.on_commit(_kick_relay)


# --- relaying and consuming -----------------------------------------------------------------


def _queue_for(consumer_name: str) -> str:
    for pattern, route in getattr(settings, "CELERY_TASK_ROUTES", {}).items():
        if fnmatch.fnmatchcase(consumer_name, pattern) and isinstance(route, dict) and "queue" in route:
            return str(route["queue"])
    return str(getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "default"))


def outbox_relay_run(*, batch_size: int = 200, max_batches: int = 20) -> int:
    """Hand unpublished events to Celery; return how many were published. Safe to run concurrently
    (``SKIP LOCKED``). Stops at the first broker error: the rows stay unpublished for the next run."""
    published = 0
    for _ in range(max_batches):
        with transaction.atomic():
            events = list(
                OutboxEvent.objects.filter(published_at__isnull=True)
                .order_by("id")
                .select_for_update(skip_locked=True)[:batch_size]
            )
            if not events:
                return published
            done: list[int] = []
            try:
                for event in events:
                    for consumer in consumers_for(event.topic):
                        outbox_deliver.apply_async(
                            kwargs={"event_id": event.pk, "consumer": consumer.name},
                            queue=_queue_for(consumer.name),
                            retry=False,
                        )
                    done.append(event.pk)
            except BROKER_ERRORS as exc:
                logger.warning("Outbox relay stopped: broker unavailable (%s); %d event(s) wait", exc, len(events))
                first_failed = next(e.pk for e in events if e.pk not in done)
                OutboxEvent.objects.filter(pk=first_failed).update(attempts=F("attempts") + 1)
                OutboxEvent.objects.filter(pk__in=done).update(published_at=timezone.now())
                return published + len(done)
            OutboxEvent.objects.filter(pk__in=done).update(published_at=timezone.now())
            published += len(done)
        if len(events) < batch_size:
            return published
    return published


def consume(event_id: int, consumer: str) -> bool:
    """Record that ``consumer`` handles ``event_id``; False if it already did. Call inside the
    transaction of the consumer's effect, before the effect: the unique row and the effect
    commit or roll back together."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_consumedevent (consumer, event_id, consumed_at) VALUES (%s, %s, now()) "
            "ON CONFLICT (consumer, event_id) DO NOTHING RETURNING id",
            [consumer, event_id],
        )
        return cursor.fetchone() is not None


def outbox_event_deliver(*, event_id: int, consumer: str) -> bool:
    """Run one consumer for one event, at most once. True if it ran now."""
    registered = consumer_get(consumer)
    if registered is None:
        logger.error("Outbox: no consumer named %s (event %s)", consumer, event_id)
        return False
    event = OutboxEvent.objects.filter(pk=event_id).first()
    if event is None:
        return False
    with transaction.atomic():
        if not consume(event_id, consumer):
            return False
        registered.fn(event)
    return True


# A delivery not consumed this long after publishing is sent again (its message may have died with
# a SIGKILLed worker: the Redis broker only redelivers after visibility_timeout, an hour).
REDELIVER_AFTER_SECONDS = 60
# Older unconsumed deliveries are left to the broker's own redelivery: keeps the sweep's scan small.
REDELIVER_WINDOW_SECONDS = 15 * 60

_UNCONSUMED_SQL = """
SELECT e.id, e.topic, COALESCE(array_agg(c.consumer) FILTER (WHERE c.consumer IS NOT NULL), '{}')
  FROM core_outboxevent e
  LEFT JOIN core_consumedevent c ON c.event_id = e.id
 WHERE e.published_at >= now() - make_interval(secs => %s)
   AND e.published_at < now() - make_interval(secs => %s)
 GROUP BY e.id, e.topic
 ORDER BY e.id
"""


def outbox_redeliver_stale(
    *, after_seconds: int = REDELIVER_AFTER_SECONDS, window_seconds: int = REDELIVER_WINDOW_SECONDS
) -> int:
    """Send again every (event, consumer) delivery published ``after_seconds`` ago or more (within
    ``window_seconds``) that has no ``ConsumedEvent`` yet; return how many were sent. Safe to repeat
    and to race with the original message: ``consume`` lets exactly one of them act."""
    with connection.cursor() as cursor:
        cursor.execute(_UNCONSUMED_SQL, [window_seconds, after_seconds])
        rows = cursor.fetchall()
    sent = 0
    try:
        for event_id, topic, consumed in rows:
            for consumer in consumers_for(topic):
                if consumer.name in consumed:
                    continue
                outbox_deliver.apply_async(
                    kwargs={"event_id": event_id, "consumer": consumer.name},
                    queue=_queue_for(consumer.name),
                    retry=False,
                )
                sent += 1
    except BROKER_ERRORS as exc:
        logger.warning("Outbox redelivery stopped: broker unavailable (%s)", exc)
    if sent:
        logger.warning("Outbox: re-sent %d unconsumed deliver(ies)", sent)
    return sent


@shared_task(name="core.outbox_redeliver", ignore_result=True, soft_time_limit=30, time_limit=60)
def outbox_redeliver() -> int:
    return outbox_redeliver_stale()


@shared_task(name="core.outbox_relay", ignore_result=True, soft_time_limit=30, time_limit=60)
def outbox_relay() -> int:
    return outbox_relay_run()


@shared_task(
    name="core.outbox_deliver",
    ignore_result=True,
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OperationalError,),  # transient database errors only
    retry_backoff=True,
    max_retries=5,
)
def outbox_deliver(*, event_id: int, consumer: str) -> bool:
    return outbox_event_deliver(event_id=event_id, consumer=consumer)
