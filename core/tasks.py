import time

from celery import shared_task
from celery.signals import worker_ready
from django.core.cache import cache

import core.outbox  # noqa: F401 - registers the core.outbox_* tasks with the worker
from core.health import HEARTBEAT_KEY


@shared_task(name="core.heartbeat", ignore_result=True, soft_time_limit=5, time_limit=10)
def heartbeat() -> None:
    """Beat triggers it, a worker runs it: /health/ reads its age to know both are alive."""
    cache.set(HEARTBEAT_KEY, str(time.time()), timeout=None)


@worker_ready.connect
def _heartbeat_on_worker_ready(**_: object) -> None:
    """Report alive at once instead of waiting for the first beat tick."""
    heartbeat.delay()
