"""Celery tasks of the money movements: thin wrappers around one service call, safe to run twice.

Imported by ``payments.tasks`` (Celery autodiscovers only ``tasks.py``). Scheduled by
``settings.CELERY_BEAT_SCHEDULE`` (payments movements block).
"""

from __future__ import annotations

import logging

from celery import shared_task

from core.errors import DomainError

logger = logging.getLogger(__name__)

__all__ = ["adjustments_expire", "funding_poll", "gateway_sim_deliver_callbacks"]


@shared_task(name="payments.funding_poll", ignore_result=True, soft_time_limit=50, time_limit=80)
def funding_poll() -> dict[str, int]:
    """Ask the bank about open top-ups and withdrawals (a lost callback is harmless)."""
    from payments.services.funding import funding_poll as run

    return run()


@shared_task(name="payments.adjustments_expire", ignore_result=True, soft_time_limit=50, time_limit=80)
def adjustments_expire() -> int:
    """Expire (void) staff adjustments unapproved by their deadline."""
    from payments.services.adjustments import adjustments_expire_due

    return adjustments_expire_due()


@shared_task(name="payments.gateway_sim_deliver_callbacks", ignore_result=True, soft_time_limit=20, time_limit=30)
def gateway_sim_deliver_callbacks(*, reference: str) -> int:
    """Development only: the simulated bank posts its signed callbacks (through the same service as
    the HTTP endpoint). A refusal is logged; the poller settles anything left open."""
    from payments.integrations import SimulatedCoreBankingGateway
    from payments.services.funding import gateway_callback_process

    delivered = 0
    for body, signature in SimulatedCoreBankingGateway().pending_callbacks(reference=reference):
        try:
            gateway_callback_process(body=body, signature=signature)
            delivered += 1
        except DomainError as error:
            logger.warning("simulated callback for %s refused: %s", reference, error.code)
    return delivered
