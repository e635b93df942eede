"""The risk read-ahead's bound (``risk.tasks``): a delivery reads later events of its topic ahead,
but never past an earlier unhandled event of another evaluated topic that concerns the same
customer (or whose customer it cannot tell); other customers' events do not stop it, unless the
topic's rules read other customers' device and reward facts."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Customer, KycTier
from core.models import ConsumedEvent, OutboxEvent
from risk.models import Evaluation, RuleVersion
from risk.tasks import consumer_name
from risk.topics import CUSTOMER_FIELDS, EVALUATED_TOPICS, event_signals
from tests.factories import CustomerFactory
from tests.risk.events import access_event, deliver, p2p_event, publish, reward_event

pytestmark = pytest.mark.django_db


def _money_event(topic: str, customer: Customer, amount: str = "50.00", at: Any = None) -> OutboxEvent:
    """A ``topup.completed`` / ``withdrawal.completed`` / ``payment.completed`` as payments writes it."""
    return publish(
        topic,
        {
            "transfer_id": str(uuid.uuid4()),
            "created_at": (at or timezone.now()).isoformat(),
            "customer": str(customer.public_id),
            "amount": {"amount": amount, "currency": "CNY"},
            **({"merchant": str(uuid.uuid4())} if topic == "payment.completed" else {}),
        },
    )


def _other_topic_event(topic: str, customer: Customer, at: Any) -> OutboxEvent:
    if topic.startswith("customer."):
        return access_event(topic, customer, "device-of-" + str(customer.pk), at=at)
    if topic == "promotion.reward_granted":
        return reward_event(customer, at=at)
    return _money_event(topic, customer, at=at)


def _handled(event: OutboxEvent) -> bool:
    return ConsumedEvent.objects.filter(consumer=consumer_name(event.topic), event_id=event.pk).exists()


def _people(n: int) -> list[Customer]:
    tier2 = KycTier.objects.get(level=2)
    return [CustomerFactory(kyc_tier=tier2) for _ in range(n)]


OTHER_TOPICS = [t for t in EVALUATED_TOPICS if t != "transfer.completed"]


@pytest.mark.parametrize("topic", OTHER_TOPICS)
def test_another_customers_unhandled_event_of_another_topic_does_not_stop_the_read_ahead(topic: str) -> None:
    payer, payee, stranger = _people(3)
    at = timezone.now()
    first = p2p_event(payer, payee, "1.00", at - timedelta(minutes=5))
    other = _other_topic_event(topic, stranger, at - timedelta(minutes=4))
    later = [p2p_event(payer, payee, "1.00", at - timedelta(minutes=3 - i)) for i in range(3)]

    assert deliver(first) == 1

    assert all(_handled(e) for e in later)  # read ahead past the stranger's event
    assert Evaluation.objects.filter(customer=payer).count() == 4
    assert not _handled(other)  # left to its own message
    assert deliver(*later) == 0 and deliver(other) == 1


@pytest.mark.parametrize("shared", ["payer", "payee"])
def test_the_same_customers_earlier_unhandled_event_of_another_topic_still_stops_it(shared: str) -> None:
    """As a payer (the takeover: test_batches) or as a payee (the mule rule reads what came in):
    the read-ahead stops at the first payment concerning that customer, and takes nothing after it
    (a later payment of another customer may share a customer with the one left behind)."""
    someone, victim, onward = _people(3)
    at = timezone.now()
    first = p2p_event(someone, onward, "1.00", at - timedelta(hours=3))
    before = p2p_event(someone, onward, "1.00", at - timedelta(hours=2, minutes=30))
    reset = access_event("customer.password_reset", victim, "device-x", at=at - timedelta(hours=2))
    concerned = p2p_event(victim, onward, "3000.00", at) if shared == "payer" else p2p_event(onward, victim, "9.00", at)
    after = p2p_event(someone, onward, "1.00", at + timedelta(minutes=1))

    assert deliver(first) == 1

    assert _handled(before)  # earlier than the payment concerning the victim: read ahead
    assert not _handled(concerned) and not _handled(after)
    assert deliver(reset) == 1 and deliver(concerned) == 1 and _handled(after)
    if shared == "payer":
        assert Evaluation.objects.get(event_id=concerned.pk, customer=victim).features["password_reset_24h"] is True


@pytest.mark.parametrize(
    "payload",
    [
        {"at": "2026-01-01T00:00:00+00:00"},  # no customer at all
        {"customer_id": "not-a-uuid"},
        {"customer_id": ""},
        {"customer_id": f"{{{uuid.uuid4()}}}"},  # a form Python's uuid reads: compared as unknown
    ],
)
def test_an_unhandled_event_whose_customer_is_unknown_still_stops_the_read_ahead(payload: dict[str, Any]) -> None:
    payer, payee = _people(2)
    at = timezone.now()
    first = p2p_event(payer, payee, "1.00", at - timedelta(minutes=5))
    unknown = publish("customer.logged_in", payload)
    later = p2p_event(payer, payee, "1.00", at - timedelta(minutes=4))

    assert deliver(first) == 1

    assert not _handled(later)
    assert not _handled(unknown)
    assert deliver(later) == 1


def test_a_reward_read_ahead_stops_at_another_customers_sign_in_while_its_rules_read_shared_devices() -> None:
    """The promotion ring rule counts OTHER customers on the reward's customer's devices and their
    rewards: their queued sign-ins and rewards bound a reward read-ahead, as one-by-one delivery
    would have seen them first; with no live or shadow rule of the topic naming those features,
    they do not."""
    a, b, c = _people(3)
    at = timezone.now()
    first = reward_event(a, at=at - timedelta(minutes=5))
    sign_in = access_event("customer.logged_in", b, "phone-1", at=at - timedelta(minutes=4))
    reward = reward_event(c, at=at - timedelta(minutes=3))

    assert deliver(first) == 1
    assert not _handled(reward)

    assert deliver(sign_in, reward) == 2
    ring = RuleVersion.objects.filter(status__in=["LIVE", "SHADOW"], expression__contains="customers_on_device")
    assert ring.filter(rule__code="promo_device_ring").exists()
    ring.update(status=RuleVersion.Status.RETIRED)  # bumps the rule set's stamp (risk 0007)
    second = reward_event(a, at=at - timedelta(minutes=2))
    sign_in2 = access_event("customer.logged_in", b, "phone-2", at=at - timedelta(minutes=1))
    reward2 = reward_event(c, at=at)

    assert deliver(second) == 1

    assert _handled(reward2) and not _handled(sign_in2)


@pytest.mark.parametrize("topic", EVALUATED_TOPICS)
def test_the_customer_fields_are_the_customers_event_signals_reads(topic: str) -> None:
    people = _people(2)
    if topic == "transfer.completed":
        event = p2p_event(people[0], people[1], "1.00")
    else:
        event = _other_topic_event(topic, people[0], timezone.now())

    named = {event.payload[f] for f in CUSTOMER_FIELDS[topic]}
    assert named == {s.customer_public_id for s in event_signals(event)}
    without = OutboxEvent(
        topic=topic, payload={k: v for k, v in event.payload.items() if k not in CUSTOMER_FIELDS[topic]}
    )
    assert event_signals(without) == []


def test_an_unhandled_event_between_the_messages_own_events_still_bounds() -> None:
    """The floor is the message's FIRST event: the victim's password reset queued between a
    two-event message's events stops the victim's later payment from being read ahead (from the
    fresh-context review: bounding at the message's last event passed every other test here)."""
    from core.outbox import outbox_events_deliver

    tier2 = KycTier.objects.get(level=2)
    someone, victim, onward = (CustomerFactory(kyc_tier=tier2) for _ in range(3))
    at = timezone.now()
    first = p2p_event(someone, onward, "1.00", at - timedelta(hours=3))
    access_event("customer.password_reset", victim, "device-x", at=at - timedelta(hours=2))
    second = p2p_event(someone, onward, "1.00", at - timedelta(hours=1))
    concerned = p2p_event(victim, onward, "3000.00", at)

    assert outbox_events_deliver(event_ids=[first.pk, second.pk], consumer=consumer_name("transfer.completed")) == 2

    assert not _handled(concerned)
