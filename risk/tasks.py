"""Risk's outbox consumers (``core.outbox.event_consumer``): every evaluated topic runs the rules
(``risk.services.evaluation.events_evaluate``), a batch of events per delivery in one transaction
and a handful of statements (each event at most once per consumer; a failing batch is retried
event by event). Deliveries of
``risk.*`` consumers go to the Celery ``risk`` queue (``OUTBOX_DELIVERY_ROUTES``), so a burst of
campaign work never delays a fraud check. Consumer names are stable: they are idempotency keys."""

from __future__ import annotations

from celery import shared_task

from core.models import OutboxEvent
from core.outbox import event_consumer
from risk.services.evaluation import events_evaluate
from risk.topics import EVALUATED_TOPICS

__all__ = ["backtest_run_task", "consumer_name"]


def consumer_name(topic: str) -> str:
    return "risk.rules." + topic.replace(".", "_")


def _make(topic: str) -> None:
    def consume(events: list[OutboxEvent]) -> None:
        events_evaluate(events)

    consume.__qualname__ = f"risk_rules_{topic.replace('.', '_')}"
    event_consumer(topic, consumer_name(topic), batch=True)(consume)


for _topic in EVALUATED_TOPICS:
    _make(_topic)


@shared_task(name="risk.backtest_run", ignore_result=True, soft_time_limit=3000, time_limit=3300, acks_late=True)
def backtest_run_task(*, backtest_id: int) -> None:
    """Thin wrapper (on the ``risk`` queue, ``CELERY_TASK_ROUTES``); safe to run twice."""
    from risk.services.backtests import backtest_run

    backtest_run(backtest_id=backtest_id)
