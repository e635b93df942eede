"""Celery tasks and outbox consumers of promotions: thin wrappers around one service call each,
safe to run twice. Scheduled in ``settings.CELERY_BEAT_SCHEDULE`` (database scheduler); routed to
the ``promotions`` queue (``CELERY_TASK_ROUTES``). Consumers run in the outbox delivery's
transaction with their ``ConsumedEvent`` row (core.outbox): once per event, nothing half-done."""

from __future__ import annotations

import uuid

from celery import shared_task

from accounts.selectors import customer_get_by_public_id
from core.models import OutboxEvent
from core.money import Money
from core.outbox import event_consumer
from payments.events import TOPIC_PAYMENT_COMPLETED, TOPIC_REFUND_COMPLETED, TOPIC_TOPUP_COMPLETED
from promotions.services.clawbacks import clawbacks_for_refund
from promotions.services.coupons import coupon_batch_generate as coupon_batch_generate_run
from promotions.services.coupons import coupons_expire_due
from promotions.services.lifecycle import campaigns_tick as campaigns_tick_run
from promotions.services.lottery import (
    lottery_draw_run,
    lottery_enter,
    lottery_entries_void_on_refund,
    lottery_prizes_pay,
)
from promotions.services.lottery import lottery_tick as lottery_tick_run
from promotions.services.payouts import points_expire_due, rewards_release_due
from promotions.services.referrals import referral_attach, referral_qualify, referral_rewards_void_on_refund
from promotions.services.rewards import (
    PAYMENT_KINDS,
    TOPUP_KINDS,
    occasion_from_payment,
    occasion_from_topup,
    rewards_grant,
)

TOPIC_CUSTOMER_REGISTERED = "customer.registered"  # accounts.services.auth publishes it


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


# --- referral and lottery (docs/promotions.md, "Referral", "Lottery") ------------------------------
@event_consumer(TOPIC_CUSTOMER_REGISTERED, "promotions.referral_on_registered")
def referral_on_registered(event: OutboxEvent) -> None:
    """Link a new customer to their referrer (or record why not)."""
    payload = event.payload
    code = str(payload.get("referral_code") or "")
    referrer = str(payload.get("referred_by") or "")
    if not code and not referrer:
        return
    referee = customer_get_by_public_id(payload.get("customer_id"))
    if referee is not None:
        referral_attach(referee=referee, code=code, referrer_public_id=referrer, source=f"registered:{event.pk}")


@event_consumer(TOPIC_PAYMENT_COMPLETED, "promotions.referral_on_payment")
def referral_on_payment(event: OutboxEvent) -> None:
    """The referee's payment may qualify their referral (both rewards held for the cooling-off)."""
    occasion = occasion_from_payment(event)
    if occasion is not None:
        referral_qualify(occasion)


@event_consumer(TOPIC_REFUND_COMPLETED, "promotions.referral_on_refund")
def referral_on_refund(event: OutboxEvent) -> None:
    """A refund of a referral's qualifying payment during the cooling-off voids both held rewards."""
    payload = event.payload
    amount = payload.get("amount") or {}
    referral_rewards_void_on_refund(
        original=uuid.UUID(payload["original_transfer"]),
        refund_ref=str(payload.get("refund_id") or payload["transfer_id"]),
        refunded=Money.parse(amount["amount"], amount["currency"]),
    )


@event_consumer(TOPIC_PAYMENT_COMPLETED, "promotions.lottery_on_payment")
def lottery_on_payment(event: OutboxEvent) -> None:
    """A qualifying payment earns one entry in each running lottery."""
    occasion = occasion_from_payment(event)
    if occasion is not None:
        lottery_enter(occasion)


@event_consumer(TOPIC_REFUND_COMPLETED, "promotions.lottery_on_refund")
def lottery_on_refund(event: OutboxEvent) -> None:
    """A refund (any part) of a payment before the draw withdraws its lottery entries."""
    lottery_entries_void_on_refund(original=uuid.UUID(event.payload["original_transfer"]))


@shared_task(name="promotions.lottery_tick", ignore_result=True, soft_time_limit=110, time_limit=150)
def lottery_tick() -> dict[str, int]:
    """Commit seeds, run due draws, pay drawn prizes (each step idempotent)."""
    return lottery_tick_run()


@shared_task(name="promotions.lottery_draw", ignore_result=True, soft_time_limit=110, time_limit=150)
def lottery_draw(*, campaign_id: int) -> int:
    """Draw one campaign now if due, then pay its prizes (safe to run twice)."""
    lottery_draw_run(campaign_id=campaign_id)
    return lottery_prizes_pay(campaign_id=campaign_id)
