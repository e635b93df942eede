"""The following relay relays a commit within its poll, never a rollback, and puts no lock on the
commit path (no NOTIFY); events still go out without it (beat); batch consumers act once per event
however often a batch is delivered."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from core import outbox
from core.models import ConsumedEvent, OutboxEvent
from core.outbox import event_consumer, event_publish, outbox_events_deliver
from core.outbox_relay import RELAY_POLL_SECONDS, relay_follow
from tests.core.test_outbox import record_effect  # noqa: F401 - registers consumer tests.record_effect

BATCHES: list[list[int]] = []
POISON: set[int] = set()


@event_consumer("test.batch", "tests.batch_effect", batch=True)
def batch_effect(events: list[OutboxEvent]) -> None:
    if POISON & {e.pk for e in events}:
        raise RuntimeError("poison event")
    BATCHES.append([e.pk for e in events])


@pytest.fixture(autouse=True)
def _reset() -> None:
    BATCHES.clear()
    POISON.clear()


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    lock = threading.Lock()

    def record(kwargs: dict[str, Any], queue: str, retry: bool) -> None:
        with lock:
            messages.append(kwargs)

    monkeypatch.setattr(outbox.outbox_deliver, "apply_async", record)
    return messages


def _wait(condition: Callable[[], bool], seconds: float) -> float | None:
    """Seconds until ``condition()`` held, or None if it did not within ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def _published(pk: int) -> bool:
    return OutboxEvent.objects.filter(pk=pk, published_at__isnull=False).exists()


@pytest.fixture
def following_relay() -> Iterator[threading.Thread]:
    """``relay_follow`` in a thread with its default poll (20 ms)."""
    stop = threading.Event()
    thread = threading.Thread(target=relay_follow, kwargs={"stop": stop}, daemon=True)
    thread.start()
    yield thread
    stop.set()
    thread.join(10)
    assert not thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_the_following_relay_relays_a_commit_within_a_few_polls(
    sent: list[dict[str, Any]], following_relay: threading.Thread
) -> None:
    assert RELAY_POLL_SECONDS <= 0.05

    with transaction.atomic():
        event = event_publish(topic="test.happened", payload={})
    took = _wait(lambda: _published(event.pk), 10)

    assert took is not None and took < 2.0  # a poll is 20 ms; 2 s leaves room for a loaded machine
    assert {"event_ids": [event.pk], "consumer": "tests.record_effect"} in sent


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_event_is_never_relayed(sent: list[dict[str, Any]], following_relay: threading.Thread) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        event_publish(topic="test.happened", payload={"rolled": "back"})
        raise RuntimeError("the payment failed")
    with transaction.atomic():
        committed = event_publish(topic="test.happened", payload={})
    assert _wait(lambda: _published(committed.pk), 10) is not None

    assert all(message["event_ids"] == [committed.pk] for message in sent)
    assert not OutboxEvent.objects.filter(payload__rolled="back").exists()


@pytest.mark.django_db
def test_writing_an_event_notifies_nobody_so_commits_are_not_serialised() -> None:
    """A NOTIFY takes a cluster-wide lock through the commit (no group commit): core 0006 dropped
    the trigger that sent one per transaction, and nothing else may add it back."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_outboxevent'::regclass AND NOT tgisinternal"
        )
        triggers = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
            " AND (prosrc ILIKE '%%pg_notify%%' OR prosrc ILIKE '%%NOTIFY %%')"
        )
        notifying_functions = cursor.fetchone()[0]

    assert "core_outboxevent_notify" not in triggers
    assert notifying_functions == 0


@pytest.mark.django_db(transaction=True)
def test_the_following_relay_survives_a_broken_connection(sent: list[dict[str, Any]]) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=relay_follow, kwargs={"poll_seconds": 0.05, "stop": stop}, daemon=True)
    thread.start()
    try:
        first = event_publish(topic="test.happened", payload={})
        assert _wait(lambda: _published(first.pk), 10) is not None
        with connection.cursor() as cursor:  # end every other session of this role, the relay's included
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE usename = current_user AND pid <> pg_backend_pid() AND datname = current_database()"
            )
        second = event_publish(topic="test.happened", payload={})
        assert _wait(lambda: _published(second.pk), 15) is not None
    finally:
        stop.set()
        thread.join(10)


@pytest.mark.django_db(transaction=True)
def test_with_the_listener_down_beat_relays_to_the_events_queue_on_the_broker() -> None:
    """Nothing listens: beat's ``core.outbox_relay`` (every second) hands the event to the real broker."""
    assert settings.CELERY_BEAT_SCHEDULE["core.outbox_relay"]["schedule"] <= 1.0
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("events")
    event = event_publish(topic="test.happened", payload={})

    outbox.outbox_relay.apply()  # what the beat tick runs on a worker

    assert _published(event.pk)
    assert broker.llen("events") == 1
    broker.delete("events")


@pytest.mark.django_db(transaction=True)
def test_a_batch_consumer_acts_once_per_event_however_often_batches_are_delivered() -> None:
    first = [event_publish(topic="test.batch", payload={"n": n}).pk for n in range(4)]
    more = [event_publish(topic="test.batch", payload={"n": n}).pk for n in range(4, 6)]

    assert outbox_events_deliver(event_ids=first, consumer="tests.batch_effect") == 4
    assert outbox_events_deliver(event_ids=first[2:] + more, consumer="tests.batch_effect") == 2  # overlap
    assert outbox_events_deliver(event_ids=first + more, consumer="tests.batch_effect") == 0

    assert [first, more] == BATCHES
    assert ConsumedEvent.objects.filter(consumer="tests.batch_effect").count() == 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_redeliveries_of_one_batch_act_once_per_event() -> None:
    ids = [event_publish(topic="test.batch", payload={"n": n}).pk for n in range(20)]
    barrier = threading.Barrier(4)
    handled: list[int] = []

    def deliver(chunk: list[int]) -> None:
        barrier.wait()
        try:
            handled.append(outbox_events_deliver(event_ids=chunk, consumer="tests.batch_effect"))
        finally:
            connection.close()

    chunks = [ids, ids[::-1], ids[5:], ids[:15]]
    threads = [threading.Thread(target=deliver, args=(c,)) for c in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sum(handled) == 20
    assert sorted(pk for batch in BATCHES for pk in batch) == ids


@pytest.mark.django_db(transaction=True)
def test_a_poison_event_does_not_hold_back_the_rest_of_its_batch() -> None:
    ids = [event_publish(topic="test.batch", payload={"n": n}).pk for n in range(3)]
    POISON.add(ids[1])

    with pytest.raises(RuntimeError):
        outbox_events_deliver(event_ids=ids, consumer="tests.batch_effect")

    assert [[ids[0]], [ids[2]]] == BATCHES
    assert set(ConsumedEvent.objects.filter(consumer="tests.batch_effect").values_list("event_id", flat=True)) == {
        ids[0],
        ids[2],
    }


def test_make_run_and_compose_start_the_relay_and_the_events_worker_alike() -> None:
    from pathlib import Path

    import yaml

    from tools.devstack import _run_processes

    processes = _run_processes("8000")
    services = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())["services"]

    assert processes["relay"][1:] == ["manage.py", "outbox_relay", "--follow"]
    assert services["relay"]["command"][1:] == ["manage.py", "outbox_relay", "--follow"]
    for command in (processes["events"], services["events"]["command"]):
        queues = command[command.index("-Q") + 1]
        assert queues == "events"
        assert int(command[command.index("--prefetch-multiplier") + 1]) > 1
    for command in (processes["worker"], services["worker"]["command"]):
        assert "events" not in command[command.index("-Q") + 1].split(",")
        assert set(command[command.index("-Q") + 1].split(",")) == {"default", "risk"}
    for command in (processes["campaigns"], services["campaigns"]["command"]):  # rewards and messages never delay risk
        assert command[command.index("-Q") + 1] == "promotions,notifications"
    every_queue = {
        queue
        for command in processes.values()
        if "-Q" in command
        for queue in command[command.index("-Q") + 1].split(",")
    }
    routed = {str(route["queue"]) for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed | set(settings.OUTBOX_DELIVERY_ROUTES.values()) | {"events", "default"} <= every_queue


@pytest.mark.django_db(transaction=True)
def test_a_worker_keeps_its_database_connection_from_task_to_task() -> None:
    """Celery's Django fixup otherwise opens a new PostgreSQL connection for every task (most of a
    delivery's cost); a connection that errored is still dropped between tasks."""
    from celery.fixups.django import DjangoWorkerFixup

    from wallet_site.celery import _db_connections_recycle, app

    fixup = DjangoWorkerFixup(app)
    task = outbox.outbox_deliver
    connection.ensure_connection()
    before = connection.connection
    for _ in range(20):
        fixup.on_task_prerun(sender=task)
        _db_connections_recycle(task=task)
        OutboxEvent.objects.exists()
        fixup.on_task_postrun(sender=task)
        _db_connections_recycle(task=task)

    assert connection.connection is before
    connection.errors_occurred = True
    connection.connection.close()  # the server went away
    _db_connections_recycle(task=task)
    assert connection.connection is None
