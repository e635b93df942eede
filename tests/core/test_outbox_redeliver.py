"""A delivery lost with a killed worker is sent again after a grace period; a consumed one is not."""

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
    OutboxEvent.objects.filter(pk=event.pk).update(published_at=timezone.now() - timedelta(seconds=seconds_ago))
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
    assert sent == [{"event_id": lost.pk, "consumer": "tests.record_effect"}]
    assert recent.pk and ancient.pk  # inside the grace period / left to the broker


def test_redelivery_racing_the_original_acts_once() -> None:
    event = published(seconds_ago=120)

    first = outbox.outbox_event_deliver(event_id=event.pk, consumer="tests.record_effect")
    second = outbox.outbox_event_deliver(event_id=event.pk, consumer="tests.record_effect")

    assert (first, second) == (True, False)
