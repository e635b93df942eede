"""Celery tasks of messages: thin wrappers around one service call each, safe to run twice.
Scheduled by beat (``settings.CELERY_BEAT_SCHEDULE``), routed to the ``notifications`` queue
(``CELERY_TASK_ROUTES["feedback.*"]``). Imported by ``feedback.apps.FeedbackConfig.ready``."""

from __future__ import annotations

from celery import shared_task

from feedback.services.messages import messages_dispatch_due, messages_push_pending


@shared_task(name="feedback.messages_dispatch", ignore_result=True, soft_time_limit=540, time_limit=600)
def messages_dispatch() -> int:
    """Fan out every due message (one set-based insert each), then push each one's deliveries. A
    doubled tick sends nothing twice (``messages_dispatch_due``). The limits allow a fan-out to a
    million customers (docs/feedback-messages.md, "Figures")."""
    sent = messages_dispatch_due()
    for message_id in sent:
        message_push.apply_async(kwargs={"message_id": message_id})
    return len(sent)


@shared_task(name="feedback.message_push", ignore_result=True, soft_time_limit=50, time_limit=80)
def message_push(*, message_id: int) -> int:
    """Push one message's deliveries in batches for about 40 s, then continue in a new task."""
    import time

    started, pushed = time.monotonic(), 0
    while time.monotonic() - started < 40:
        done = messages_push_pending(message_id=message_id)
        pushed += done
        if not done:
            return pushed
    message_push.apply_async(kwargs={"message_id": message_id})
    return pushed


@shared_task(name="feedback.messages_push", ignore_result=True, soft_time_limit=50, time_limit=80)
def messages_push() -> int:
    """The sweep: pushes left behind (a lost task, a channel outage), a few batches per tick."""
    pushed = 0
    for _batch in range(10):
        done = messages_push_pending()
        pushed += done
        if not done:
            break
    return pushed
