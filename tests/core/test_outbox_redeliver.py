"""A delivery lost with a killed worker is sent again after a grace period; a consumed one is not;
and the sweep paces itself per event (backoff, a bound per run) instead of re-sending a backlog on every run."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import outbox
from core.models import OutboxEvent
from core.outbox import consume, event_publish, outbox_redeliver_stale
from tests.core.test_outbox import record_effect  # noqa: F401 - registers consumer tests.record_effect

pytestmark = pytest.mark.django_db


def published(seconds_ago: int) -> OutboxEvent:
    event = event_publish(topic="test.happened", payload={})
    when = timezone.now() - timedelta(seconds=seconds_ago)
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=when, published_at=when)
    return event


def test_only_unconsumed_deliveries_past_the_grace_period_are_sent_again(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict] = []  # type: ignore[type-arg]
    monkeypatch.setattr(outbox.outbox_deliver, "apply_async", lambda kwargs, queue, retry: sent.append(kwargs))
    lost = published(seconds_ago=120)
    handled = published(seconds_ago=120)
    consume(handled.pk, "tests.record_effect")
    recent = published(seconds_ago=5)
    ancient = published(seconds_ago=3600)

    count = outbox_redeliver_stale(after_seconds=60, window_seconds=900)

    assert count == 1
    assert sent == [{"event_ids": [lost.pk], "consumer": "tests.record_effect"}]
    assert recent.pk and ancient.pk  # inside the grace period / left to the broker


def test_redelivery_racing_the_original_acts_once() -> None:
    event = published(seconds_ago=120)

    first = outbox.outbox_event_deliver(event_id=event.pk, consumer="tests.record_effect")
    second = outbox.outbox_event_deliver(event_id=event.pk, consumer="tests.record_effect")

    assert (first, second) == (True, False)


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[dict]:  # type: ignore[type-arg]
    sent: list[dict] = []  # type: ignore[type-arg]
    monkeypatch.setattr(outbox.outbox_deliver, "apply_async", lambda kwargs, queue, retry: sent.append(kwargs))
    return sent


def test_the_same_delivery_is_not_re_sent_on_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The storm: a backlog of unconsumed deliveries re-sent in full by each 30 s beat run."""
    sent = _recording(monkeypatch)
    lost = [published(seconds_ago=120) for _ in range(3)]

    first = outbox_redeliver_stale()
    second = outbox_redeliver_stale()
    third = outbox_redeliver_stale()

    assert (first, second, third) == (3, 0, 0)
    assert sent == [{"event_ids": [e.pk for e in lost], "consumer": "tests.record_effect"}]
    event = OutboxEvent.objects.get(pk=lost[0].pk)
    assert event.redeliveries == 1 and event.redeliver_at is not None
    assert 50 <= (event.redeliver_at - timezone.now()).total_seconds() <= 60


def test_each_re_send_of_an_event_waits_twice_as_long(monkeypatch: pytest.MonkeyPatch) -> None:
    _recording(monkeypatch)
    event = published(seconds_ago=120)
    waits = []
    for _ in range(4):
        OutboxEvent.objects.filter(pk=event.pk).update(redeliver_at=timezone.now() - timedelta(seconds=1))
        assert outbox_redeliver_stale() == 1
        event.refresh_from_db()
        waits.append(round((event.redeliver_at - timezone.now()).total_seconds() / 60))  # type: ignore[operator]

    assert waits == [1, 2, 4, 8]
    assert event.redeliveries == 4


def test_a_run_re_sends_at_most_its_bound_and_the_next_run_takes_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    sent = _recording(monkeypatch)
    lost = [published(seconds_ago=120).pk for _ in range(5)]

    assert outbox_redeliver_stale(limit=3) == 3
    assert outbox_redeliver_stale(limit=3) == 2
    assert outbox_redeliver_stale(limit=3) == 0

    assert [i for message in sent for i in message["event_ids"]] == lost


def test_a_broker_outage_during_the_sweep_leaves_the_events_due(monkeypatch: pytest.MonkeyPatch) -> None:
    from kombu.exceptions import OperationalError as KombuOperationalError

    def broker_down(**kwargs: object) -> None:
        raise KombuOperationalError("down")

    event = published(seconds_ago=120)
    monkeypatch.setattr(outbox.outbox_deliver, "apply_async", broker_down)
    assert outbox_redeliver_stale() == 0

    event.refresh_from_db()
    assert (event.redeliveries, event.redeliver_at) == (0, None)
