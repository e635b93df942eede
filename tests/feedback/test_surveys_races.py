"""The survey frequency cap under redelivered and concurrent events: real threads, each its own
connection and transaction, as event workers are."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import transaction

from core.models import OutboxEvent
from core.outbox import outbox_event_deliver
from feedback.models import SurveyContact, SurveyInvitation
from feedback.services.surveys import survey_invite
from tests.factories import CustomerFactory
from tests.payments.test_concurrency import run_threads

pytestmark = pytest.mark.django_db(transaction=True)

N = 8
CONSUMER = "feedback.survey_on_reward"


def _reward_event(customer, campaign: str) -> OutboxEvent:  # type: ignore[no-untyped-def]
    return OutboxEvent.objects.create(
        topic="promotion.reward_granted",
        payload={"customer_id": str(customer.public_id), "campaign": campaign},
    )


def test_many_different_events_for_one_customer_at_once_invite_once() -> None:
    customer = CustomerFactory()
    events = [_reward_event(customer, f"CAMPAIGN-{i}") for i in range(N)]

    outcomes = run_threads(
        N, lambda i: "delivered" if outbox_event_deliver(event_id=events[i].pk, consumer=CONSUMER) else "skipped"
    )

    assert outcomes == Counter({"delivered": N})  # every event was handled...
    assert SurveyInvitation.objects.filter(customer=customer).count() == 1  # ...and the cap let one through
    assert SurveyContact.objects.filter(customer=customer).count() == 1


def test_one_event_redelivered_to_many_workers_at_once_invites_once() -> None:
    customer = CustomerFactory()
    event = _reward_event(customer, "SPRING")

    outcomes = run_threads(
        N, lambda i: "ran" if outbox_event_deliver(event_id=event.pk, consumer=CONSUMER) else "skipped"
    )

    assert outcomes == Counter({"ran": 1, "skipped": N - 1})
    assert list(SurveyInvitation.objects.values_list("trigger_ref", flat=True)) == ["SPRING"]


def test_the_same_trigger_past_the_outbox_guard_with_no_cap_still_invites_once(settings) -> None:  # type: ignore[no-untyped-def]
    """Two consumers (or a bug skipping ConsumedEvent) racing on one trigger with the cap off: the
    unique (customer, trigger, trigger_ref) is the last line, and it holds."""
    settings.FEEDBACK_SURVEY_MIN_DAYS_BETWEEN = 0
    customer = CustomerFactory()

    def invite(_i: int) -> str:
        with transaction.atomic(durable=True):
            return "invited" if survey_invite(customer=customer, trigger="CAMPAIGN_REWARD", trigger_ref="X") else "none"

    outcomes = run_threads(N, invite)

    assert outcomes == Counter({"invited": 1, "none": N - 1})
    assert SurveyInvitation.objects.filter(customer=customer).count() == 1


def test_different_triggers_past_the_outbox_guard_are_capped_to_one(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FEEDBACK_SURVEY_MIN_DAYS_BETWEEN = 30
    customer = CustomerFactory()

    def invite(i: int) -> str:
        with transaction.atomic(durable=True):
            return (
                "invited"
                if survey_invite(customer=customer, trigger="CAMPAIGN_REWARD", trigger_ref=f"R{i}")
                else "capped"
            )

    outcomes = run_threads(N, invite)

    assert outcomes == Counter({"invited": 1, "capped": N - 1})
