"""Celery tasks and outbox consumers of feedback (tickets and surveys): thin wrappers around one
service call each, safe to run twice. Beat schedules them (``settings.CELERY_BEAT_SCHEDULE``,
database scheduler); ``feedback.*`` is routed to the ``notifications`` queue. Consumers run in the
outbox delivery's transaction with their ``ConsumedEvent`` row (``core.outbox``)."""

from __future__ import annotations

from celery import shared_task

from core.models import OutboxEvent
from core.outbox import event_consumer
from feedback.services import survey_triggers
from feedback.services.surveys import surveys_signup_invite as surveys_signup_invite_run
from feedback.services.tickets import TOPIC_TICKET_RESOLVED, tickets_escalate_overdue
from payments.events import TOPIC_PAYMENT_COMPLETED, TOPIC_TRANSFER_COMPLETED

# promotions' reward event (documented in risk.topics; payload customer_id, campaign, amount, at).
TOPIC_REWARD_GRANTED = "promotion.reward_granted"


@shared_task(name="feedback.tickets_escalate", ignore_result=True, soft_time_limit=120, time_limit=180)
def tickets_escalate() -> int:
    """Escalate tickets past their SLA to the branch manager (each once)."""
    return tickets_escalate_overdue()


@shared_task(name="feedback.surveys_signup_invite", ignore_result=True, soft_time_limit=120, time_limit=180)
def surveys_signup_invite() -> int:
    """Invite customers who signed up 30 days ago to the NPS survey (frequency cap applies)."""
    return surveys_signup_invite_run()


@event_consumer(TOPIC_PAYMENT_COMPLETED, "feedback.survey_on_payment", batch=True)
def survey_on_payment(events: list[OutboxEvent]) -> None:
    """Batch consumer: one statement finds the first payers among the batch (most are not)."""
    survey_triggers.on_payments([event.payload for event in events], customer_key="customer")


@event_consumer(TOPIC_TRANSFER_COMPLETED, "feedback.survey_on_transfer", batch=True)
def survey_on_transfer(events: list[OutboxEvent]) -> None:
    survey_triggers.on_payments([event.payload for event in events], customer_key="payer")


@event_consumer(TOPIC_TICKET_RESOLVED, "feedback.survey_on_ticket_resolved")
def survey_on_ticket_resolved(event: OutboxEvent) -> None:
    survey_triggers.on_ticket_resolved(event.payload)


@event_consumer(TOPIC_REWARD_GRANTED, "feedback.survey_on_reward")
def survey_on_reward(event: OutboxEvent) -> None:
    survey_triggers.on_reward(event.payload, event_id=event.pk)
