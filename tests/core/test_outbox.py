"""core.outbox: events commit with the change, relay hands them to Celery, consumers act once, broker outage is harmless."""

from __future__ import annotations

import pytest
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

from core import outbox
from core.models import ConsumedEvent, OutboxEvent
from core.outbox import consume, event_consumer, event_publish, outbox_event_deliver, outbox_relay_run

pytestmark = pytest.mark.django_db

EFFECTS: list[int] = []


@event_consumer("test.happened", "tests.record_effect")
def record_effect(event: OutboxEvent) -> None:
    EFFECTS.append(event.pk)


@pytest.fixture(autouse=True)
def _reset() -> None:
    EFFECTS.clear()


def test_event_is_written_in_the_callers_transaction_and_rolled_back_with_it() -> None:
    with transaction.atomic():
        kept = event_publish(topic="test.happened", payload={"n": 1}, key="k1")
    with pytest.raises(RuntimeError), transaction.atomic():
        event_publish(topic="test.happened", payload={"n": 2})
        raise RuntimeError("the payment failed")

    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [kept.pk]


def test_relay_hands_each_event_to_each_consumer_and_marks_it_published(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[dict, str]] = []  # type: ignore[type-arg]
    monkeypatch.setattr(outbox.outbox_deliver, "apply_async", lambda kwargs, queue, retry: sent.append((kwargs, queue)))
    event = event_publish(topic="test.happened", payload={})
    other = event_publish(topic="nobody.listens", payload={})

    assert outbox_relay_run() == 2
    assert outbox_relay_run() == 0

    assert sent == [({"event_ids": [event.pk], "consumer": "tests.record_effect"}, "events")]
    assert OutboxEvent.objects.filter(published_at__isnull=True).count() == 0
    assert OutboxEvent.objects.get(pk=other.pk).published_at is not None


def test_broker_outage_leaves_events_for_the_next_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def broker_down(**kwargs: object) -> None:
        raise KombuOperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(outbox.outbox_deliver, "apply_async", broker_down)
    event = event_publish(topic="test.happened", payload={})

    assert outbox_relay_run() == 0

    event.refresh_from_db()
    assert event.published_at is None and event.attempts == 1
    monkeypatch.setattr(outbox.outbox_deliver, "apply_async", lambda **kwargs: None)
    assert outbox_relay_run() == 1


def test_publish_kick_never_raises_when_the_broker_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def broker_down(**kwargs: object) -> None:
        raise KombuOperationalError("down")

    monkeypatch.setattr(outbox.outbox_relay, "apply_async", broker_down)
    monkeypatch.setitem(outbox._kick_state, "last", 0.0)
    monkeypatch.setitem(outbox._kick_state, "down_until", 0.0)

    outbox._kick_relay_now()  # what the on-commit kick runs: logs, does not raise

    assert outbox._kick_state["down_until"] > 0


def test_a_redelivered_event_acts_once() -> None:
    event = event_publish(topic="test.happened", payload={})

    first = outbox_event_deliver(event_id=event.pk, consumer="tests.record_effect")
    second = outbox_event_deliver(event_id=event.pk, consumer="tests.record_effect")

    assert (first, second) == (True, False)
    assert [event.pk] == EFFECTS
    assert ConsumedEvent.objects.filter(event_id=event.pk).count() == 1


def test_a_failing_consumer_leaves_no_consumed_mark_so_a_retry_runs() -> None:
    event = event_publish(topic="test.fails", payload={})
    attempts: list[int] = []

    @event_consumer("test.fails", "tests.flaky")
    def flaky(evt: OutboxEvent) -> None:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("transient")

    with pytest.raises(RuntimeError):
        outbox_event_deliver(event_id=event.pk, consumer="tests.flaky")
    assert outbox_event_deliver(event_id=event.pk, consumer="tests.flaky") is True

    assert len(attempts) == 2
    assert ConsumedEvent.objects.filter(consumer="tests.flaky").count() == 1


def test_consume_is_an_idempotency_key() -> None:
    assert consume(42, "tests.x") is True
    assert consume(42, "tests.x") is False
    assert consume(42, "tests.y") is True


def test_consumer_names_are_unique() -> None:
    with pytest.raises(ValueError):

        @event_consumer("other.topic", "tests.record_effect")
        def clash(event: OutboxEvent) -> None: ...


def test_deliveries_go_to_the_events_queue_unless_a_consumer_is_routed_elsewhere(settings) -> None:  # type: ignore[no-untyped-def]
    assert outbox._queue_for("payments.notify_customer") == "events"
    settings.OUTBOX_DELIVERY_ROUTES = {"risk.*": "events_risk"}

    assert outbox._queue_for("risk.score_payment") == "events_risk"
    assert outbox._queue_for("promotions.reward_on_payment") == "events"


def test_relay_sends_one_message_per_consumer_for_a_batch_of_events(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict] = []  # type: ignore[type-arg]
    monkeypatch.setattr(outbox.outbox_deliver, "apply_async", lambda kwargs, queue, retry: sent.append(kwargs))
    monkeypatch.setattr(outbox, "DELIVERY_BATCH_MAX", 3)
    events = [event_publish(topic="test.happened", payload={"n": n}) for n in range(5)]

    assert outbox_relay_run() == 5

    ids = [e.pk for e in events]
    assert sent == [
        {"event_ids": ids[:3], "consumer": "tests.record_effect"},
        {"event_ids": ids[3:], "consumer": "tests.record_effect"},
    ]


def test_a_single_event_message_from_before_batching_is_still_handled() -> None:
    event = event_publish(topic="test.happened", payload={})

    assert outbox.outbox_deliver.run(event_id=event.pk, consumer="tests.record_effect") == 1
    assert outbox.outbox_deliver.run(event_ids=[event.pk], consumer="tests.record_effect") == 0
    assert [event.pk] == EFFECTS


def test_payments_registers_its_notify_consumer() -> None:
    assert outbox.consumer_get("payments.notify_customer") is not None
    assert [c.name for c in outbox.consumers_for("transfer.completed")].count("payments.notify_customer") == 1
