"""Celery tasks and outbox consumers of promotions: thin wrappers around one service call each,
safe to run twice. Scheduled in ``settings.CELERY_BEAT_SCHEDULE`` (database scheduler); routed to
the ``promotions`` queue (``CELERY_TASK_ROUTES``)."""

from __future__ import annotations

from celery import shared_task

from promotions.services.lifecycle import campaigns_tick as campaigns_tick_run


@shared_task(name="promotions.campaigns_tick", ignore_result=True, soft_time_limit=50, time_limit=80)
def campaigns_tick() -> dict[str, int]:
    """Start due campaigns (funding their budgets), end finished ones, return remainders."""
    return campaigns_tick_run()
