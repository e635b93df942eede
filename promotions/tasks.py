"""Celery tasks and outbox consumers of promotions: thin wrappers around one service call each,
safe to run twice. Scheduled in ``settings.CELERY_BEAT_SCHEDULE`` (database scheduler); routed to
the ``promotions`` queue (``CELERY_TASK_ROUTES``). Consumers run in the outbox delivery's
transaction with their ``ConsumedEvent`` row (core.outbox): once per event, nothing half-done."""

from __future__ import annotations

import uuid

from celery import shared_task

from core.models import OutboxEvent
from core.money import Money
from core.outbox import event_consumer
from payments.events import TOPIC_PAYMENT_COMPLETED, TOPIC_REFUND_COMPLETED, TOPIC_TOPUP_COMPLETED
from promotions.services.clawbacks import clawbacks_for_refund
from promotions.services.coupons import coupon_batch_generate as coupon_batch_generate_run
from promotions.services.coupons import coupons_expire_due
from promotions.services.lifecycle import campaigns_tick as campaigns_tick_run
from promotions.services.payouts import points_expire_due, rewards_release_due
from promotions.services.rewards import (
    PAYMENT_KINDS,
    TOPUP_KINDS,
    occasion_from_payment,
    occasion_from_topup,
    rewards_grant,
)


@shared_task(name="promotions.campaigns_tick", ignore_result=True, soft_time_limit=50, time_limit=80)
def campaigns_tick() -> dict[str, int]:
    """Start due campaigns (funding their budgets), end finished ones, return remainders."""
    return campaigns_tick_run()


@shared_task(name="promotions.rewards_release", ignore_result=True, soft_time_limit=50, time_limit=80)
def rewards_release() -> int:
    """Pay held rewards (cashback, rebates) whose release delay has passed."""
    return rewards_release_due()


@shared_task(name="promotions.points_expire", ignore_result=True, soft_time_limit=300, time_limit=360)
def points_expire() -> int:
    return points_expire_due()


@shared_task(name="promotions.coupons_expire", ignore_result=True, soft_time_limit=120, time_limit=180)
def coupons_expire() -> int:
    return coupons_expire_due()


@shared_task(name="promotions.coupon_batch_generate", ignore_result=True, soft_time_limit=55, time_limit=80)
def coupon_batch_generate(*, batch_id: int) -> bool:
    """About 45 s of a batch's codes per message, then the next message continues (progress in
    the batch row; a killed worker's batch is resumed by ``promotions.campaigns_tick``)."""
    done = coupon_batch_generate_run(batch_id=batch_id)
    if not done:
        coupon_batch_generate.apply_async(kwargs={"batch_id": batch_id})
    return done


@event_consumer(TOPIC_PAYMENT_COMPLETED, "promotions.rewards_on_payment")
def rewards_on_payment(event: OutboxEvent) -> None:
    """Cashback, points and cumulative spend for a merchant or bill payment."""
    occasion = occasion_from_payment(event)
    if occasion is not None:
        rewards_grant(occasion, PAYMENT_KINDS)


@event_consumer(TOPIC_TOPUP_COMPLETED, "promotions.rewards_on_topup")
def rewards_on_topup(event: OutboxEvent) -> None:
    occasion = occasion_from_topup(event)
    if occasion is not None:
        rewards_grant(occasion, TOPUP_KINDS)


@event_consumer(TOPIC_REFUND_COMPLETED, "promotions.clawback_on_refund")
def clawback_on_refund(event: OutboxEvent) -> None:
    """Pro-rata clawback of cashback and points (and milestones no longer reached) on a refund."""
    payload = event.payload
    amount = payload.get("amount") or {}
    clawbacks_for_refund(
        original=uuid.UUID(payload["original_transfer"]),
        refund_ref=str(payload.get("refund_id") or payload["transfer_id"]),
        refunded=Money.parse(amount["amount"], amount["currency"]),
    )
