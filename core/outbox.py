"""The transactional outbox (ARCHITECTURE §5): events are rows written with the change they announce.

* ``event_publish(topic=..., payload=...)`` inside the caller's transaction writes an
  ``OutboxEvent``. The relay process (``manage.py outbox_relay --follow``, ``core.outbox_relay``)
  relays what has committed every 20 ms (never what rolled back: it reads committed rows only).
  Beat still runs ``core.outbox_relay`` every second as the safety net.
* The relay claims unpublished rows with ``FOR UPDATE SKIP LOCKED`` and hands Celery one
  ``core.outbox_deliver`` message per consumer and batch of events (``event_ids``), routed to the
  ``events`` queue (``OUTBOX_DELIVERY_QUEUE``; ``OUTBOX_DELIVERY_ROUTES`` sends a consumer elsewhere),
  which its own worker pool serves with a prefetch above 1.
* Consumers register with ``@event_consumer("payment.completed", "promotions.reward_on_payment")``
  in their app's ``tasks.py`` (imported by Celery's autodiscovery and by ``consumers_for``); with
  ``batch=True`` the function takes a list of events. Every delivery runs inside a transaction that
  first inserts ``ConsumedEvent(consumer, event)`` (``ON CONFLICT DO NOTHING``): a redelivered event
  is skipped, so its effect happens at most once per (consumer, event), batch or not.
* ``core.outbox_redeliver`` (beat) re-sends deliveries lost with a killed worker, paced per event.
"""

from __future__ import annotations

import fnmatch
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db import OperationalError, connection, transaction
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
    "consumers_all",
    "consumers_for",
    "deliveries_send",
    "event_consumer",
    "event_publish",
    "outbox_deliver",
    "outbox_event_deliver",
    "outbox_events_deliver",
    "outbox_events_written",
    "outbox_redeliver",
    "outbox_redeliver_stale",
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

ConsumerFn = Callable[[Any], None]  # fn(event) or, with batch=True, fn(list_of_events)


@dataclass(frozen=True)
class EventConsumer:
    topic: str
    name: str
    fn: ConsumerFn
    batch: bool = False


_registry: dict[str, EventConsumer] = {}
_registry_loaded = False
_registry_lock = threading.Lock()


def event_consumer(topic: str, name: str, *, batch: bool = False) -> Callable[[ConsumerFn], ConsumerFn]:
    """Register ``fn(event)`` as consumer ``name`` of ``topic``. ``name`` is stable (it is the
    idempotency key with the event id) and dotted by app (``promotions.reward_on_payment``).

    ``batch=True``: ``fn(events)`` takes a list of events not yet handled by this consumer, in one
    transaction with their ``ConsumedEvent`` rows (all commit or none do). A batch that raises is
    retried event by event, so one bad event cannot hold back the others."""

    def decorator(fn: ConsumerFn) -> ConsumerFn:
        existing = _registry.get(name)
        if existing is not None and (existing.topic != topic or existing.fn.__qualname__ != fn.__qualname__):
            raise ValueError(f"Event consumer {name!r} is registered twice")
        _registry[name] = EventConsumer(topic=topic, name=name, fn=fn, batch=batch)
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


def consumers_all() -> list[EventConsumer]:
    _load_consumers()
    return list(_registry.values())


def consumer_get(name: str) -> EventConsumer | None:
    _load_consumers()
    return _registry.get(name)


# --- publishing -------------------------------------------------------------------------------

_BROKER_DOWN_BACKOFF = 5.0  # after a failed kick, do not try the broker again from this process for a while
_kick_state = {"last": 0.0, "down_until": 0.0}


def _kick_relay_now() -> None:
    """Run the relay task now. Never raises for a broker outage (the beat schedule relays later)."""
    try:
        outbox_relay.apply_async(retry=False)
    except BROKER_ERRORS as exc:
        _kick_state["down_until"] = time.monotonic() + _BROKER_DOWN_BACKOFF
        logger.warning("Outbox relay kick failed (broker unavailable): %s; the beat schedule will relay", exc)


def _kick_relay() -> None:
    """After commit, with eager Celery (tests, eager development) only: relay in line. Otherwise the
    following relay process picks the event up within 20 ms and beat covers the rest: the request
    that committed the payment does no broker work at all."""
    if not outbox_relay.app.conf.task_always_eager or time.monotonic() < _kick_state["down_until"]:
        return
    _kick_state["last"] = time.monotonic()
    _kick_relay_now()


def event_publish(*, topic: str, payload: dict[str, Any], key: str = "") -> OutboxEvent:
    """Write an event in the caller's transaction; it is relayed after commit (or never, on rollback).

    ``payload`` holds ids and values, JSON only (amounts as decimal strings), never personal data.
    """
    event = OutboxEvent.objects.create(topic=topic, key=key[:200], payload=payload)
    transaction.on_commit(_kick_relay)
    return event


def outbox_events_written() -> None:
    """Events were inserted by SQL (the database's money step, ``payments_pay``) in the current
    transaction: as ``event_publish`` does (the following relay picks them up within 20 ms; with
    eager Celery, tests, the relay runs in line after commit)."""
    transaction.on_commit(_kick_relay)


# --- sending deliveries ---------------------------------------------------------------------------

DELIVERY_BATCH_MAX = 100  # event ids per delivery message


def _queue_for(consumer_name: str) -> str:
    """The queue of a consumer's deliveries: ``OUTBOX_DELIVERY_ROUTES`` (pattern -> queue) or
    ``OUTBOX_DELIVERY_QUEUE`` (``events``: its own worker pool, apart from scheduled work)."""
    for pattern, queue in getattr(settings, "OUTBOX_DELIVERY_ROUTES", {}).items():
        if fnmatch.fnmatchcase(consumer_name, pattern):
            return str(queue)
    return str(getattr(settings, "OUTBOX_DELIVERY_QUEUE", "events"))


def deliveries_send(pairs: Sequence[tuple[int, str]]) -> int:
    """Send (event id, topic) pairs to their consumers: one ``core.outbox_deliver`` message per
    consumer and run of up to ``DELIVERY_BATCH_MAX`` events. Returns messages sent. Raises the
    broker's error (``BROKER_ERRORS``) for the caller to keep its rows for a later run."""
    by_consumer: dict[str, list[int]] = {}
    for event_id, topic in pairs:
        for consumer in consumers_for(topic):
            by_consumer.setdefault(consumer.name, []).append(event_id)
    sent = 0
    for name, ids in by_consumer.items():
        queue = _queue_for(name)
        for start in range(0, len(ids), DELIVERY_BATCH_MAX):
            outbox_deliver.apply_async(
                kwargs={"event_ids": ids[start : start + DELIVERY_BATCH_MAX], "consumer": name},
                queue=queue,
                retry=False,
            )
            sent += 1
    return sent


# --- consuming ----------------------------------------------------------------------------------


def consume(event_id: int, consumer: str) -> bool:
    """Record that ``consumer`` handles ``event_id``; False if it already did. Call inside the
    transaction of the consumer's effect, before the effect: the unique row and the effect
    commit or roll back together."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_consumedevent (consumer, event_id, consumed_at) VALUES (%s, %s, clock_timestamp()) "
            "ON CONFLICT (consumer, event_id) DO NOTHING RETURNING id",
            [consumer, event_id],
        )
        return cursor.fetchone() is not None


# A batch consumer's claim and read in one round trip: mark every event of the message not handled
# yet by this consumer, and return those events (rows of events that no longer exist are skipped).
_CONSUME_BATCH_SQL = """
WITH fresh AS (
    INSERT INTO core_consumedevent (consumer, event_id, consumed_at)
    SELECT %s, e.id, clock_timestamp() FROM core_outboxevent e WHERE e.id = ANY(%s::bigint[]) ORDER BY e.id
    ON CONFLICT (consumer, event_id) DO NOTHING
    RETURNING event_id
)
SELECT e.* FROM core_outboxevent e JOIN fresh ON fresh.event_id = e.id ORDER BY e.id
"""


def _deliver_each(registered: EventConsumer, events: list[OutboxEvent]) -> int:
    """One transaction for the whole batch (one durable commit, not one per event) and a savepoint
    per event, so an event whose consumer raises leaves neither its effect nor its ``ConsumedEvent``
    while the others commit. The first such error is raised after the rest ran (a transient database
    error at once: the task retries, skipping what committed)."""
    handled = 0
    first_error: Exception | None = None
    with transaction.atomic():
        for event in events:
            try:
                with transaction.atomic():
                    if not consume(event.pk, registered.name):
                        continue
                    registered.fn([event] if registered.batch else event)
                handled += 1
            except OperationalError:
                raise
            except Exception as exc:
                logger.exception("Outbox: consumer %s failed on event %s", registered.name, event.pk)
                first_error = first_error or exc
    if first_error is not None:
        raise first_error
    return handled


def outbox_event_deliver(*, event_id: int, consumer: str) -> bool:
    """Run one consumer for one event, at most once. True if it ran now."""
    return outbox_events_deliver(event_ids=[event_id], consumer=consumer) == 1


def outbox_events_deliver(*, event_ids: Sequence[int], consumer: str) -> int:
    """Run one consumer for events, each at most once; return how many it handled now.

    A batch consumer gets the events not handled yet in one call and transaction (falling back to
    one event at a time if that raises). Any other consumer is called once per event, each event
    under its own savepoint of one transaction (``_deliver_each``); an event whose consumer raised is
    left unconsumed for the redelivery sweep."""
    registered = consumer_get(consumer)
    if registered is None:
        logger.error("Outbox: no consumer named %s (events %s)", consumer, list(event_ids)[:10])
        return 0
    ids = sorted(set(event_ids))
    if registered.batch:
        try:
            with transaction.atomic():
                todo = list(OutboxEvent.objects.raw(_CONSUME_BATCH_SQL, [consumer, ids]))
                if todo:
                    registered.fn(todo)
                return len(todo)
        except OperationalError:
            raise
        except Exception:
            if len(ids) == 1:
                raise
            logger.exception("Outbox: batch of %d for %s failed; retrying event by event", len(ids), consumer)
    events = list(OutboxEvent.objects.filter(pk__in=ids).order_by("pk"))
    return _deliver_each(registered, events)


@shared_task(
    name="core.outbox_deliver",
    ignore_result=True,
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(OperationalError,),  # transient database errors only
    retry_backoff=True,
    max_retries=5,
)
def outbox_deliver(*, consumer: str, event_id: int | None = None, event_ids: list[int] | None = None) -> int:
    """One consumer, one event (``event_id``, older messages and re-sends) or a batch (``event_ids``)."""
    ids = list(event_ids or []) + ([event_id] if event_id is not None else [])
    return outbox_events_deliver(event_ids=ids, consumer=consumer)


@shared_task(name="core.outbox_relay", ignore_result=True, soft_time_limit=30, time_limit=60)
def outbox_relay() -> int:
    """Beat's safety net (every second) and the eager kick; the following relay does the fast path."""
    return outbox_relay_run()


@shared_task(name="core.outbox_redeliver", ignore_result=True, soft_time_limit=30, time_limit=60)
def outbox_redeliver() -> int:
    return outbox_redeliver_stale()


# The relay and the sweep live in core.outbox_relay (they need the names above).
from core.outbox_relay import outbox_redeliver_stale, outbox_relay_run  # noqa: E402
