"""Scheduled reward work (beat): releasing held rewards when their delay ends, expiring points.

Long delays are rows in PostgreSQL picked up by a periodic task, never an ETA on the broker
(ARCHITECTURE §5). Each unit of work is its own durable transaction that claims its row with
``SELECT ... FOR UPDATE SKIP LOCKED`` and re-checks the state under the lock: two workers, a
doubled beat or a retry never release or expire twice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.money import Money
from payments.errors import AccountClosed, AccountFrozen, BalanceCapExceeded, HoldNotActive
from payments.services.campaign_budget import campaign_reward_hold_void, campaign_reward_release, points_expire
from promotions.models import PointsLot, RewardGrant

logger = logging.getLogger(__name__)

__all__ = ["points_expire_due", "points_lot_expire", "reward_release", "rewards_release_due"]


def reward_release(*, grant_id: int, now: datetime | None = None) -> bool:
    """Pay one held reward whose release date has come (what clawbacks left of it); True if it did.
    A frozen or capped customer's reward stays held for a later run; an expired hold voids it."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        grant = (
            RewardGrant.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "campaign")
            .filter(pk=grant_id, status=RewardGrant.Status.PENDING)
            .first()
        )
        if grant is None or grant.release_at is None or grant.release_at > now or grant.hold_id is None:
            return False
        payable = grant.amount_minor - grant.clawed_back_minor
        if payable <= 0:
            campaign_reward_hold_void(hold_id=grant.hold_id, reason="nothing left to release")
            grant.status = RewardGrant.Status.VOIDED
            grant.save(update_fields=["status"])
            return False
        try:
            with transaction.atomic():
                grant.transfer = campaign_reward_release(
                    hold_id=grant.hold_id,
                    customer=grant.customer,
                    amount=Money(payable, grant.currency),
                    metadata={"campaign": str(grant.campaign.public_id), "grant": grant.pk, "kind": grant.kind},
                )
        except (AccountFrozen, AccountClosed, BalanceCapExceeded) as exc:
            logger.info("Reward %s not released now (%s); stays held", grant.pk, exc.code)
            return False
        except HoldNotActive:
            grant.status, grant.skip_reason = RewardGrant.Status.VOIDED, "hold_expired"
            grant.save(update_fields=["status", "skip_reason"])
            logger.warning("Reward %s: its hold expired before release", grant.pk)
            return False
        grant.status, grant.released_at = RewardGrant.Status.PAID, now
        grant.save(update_fields=["status", "transfer", "released_at"])
        return True


def rewards_release_due(*, now: datetime | None = None, batch: int = 500) -> int:
    now = now or timezone.now()
    due = RewardGrant.objects.filter(status=RewardGrant.Status.PENDING, release_at__lte=now).order_by("release_at")
    return sum(reward_release(grant_id=pk, now=now) for pk in list(due.values_list("pk", flat=True)[:batch]))


def points_lot_expire(*, lot_id: int, now: datetime | None = None) -> int:
    """Expire what is left of one lot past its date (back to points issuance); returns the points."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        lot = (
            PointsLot.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer")
            .filter(pk=lot_id, remaining__gt=0, expires_at__lte=now)
            .first()
        )
        if lot is None:
            return 0
        transfer = points_expire(
            customer=lot.customer, points=Money(lot.remaining, "PTS"), reference=f"PTS-EXP-{lot.pk}"
        )
        expired = sum(p.amount_minor for p in transfer.written_postings if p.amount_minor > 0) if transfer else 0  # type: ignore[attr-defined]
        lot.expired_points, lot.remaining, lot.expired_at = lot.expired_points + expired, 0, now
        lot.save(update_fields=["expired_points", "remaining", "expired_at"])
        return int(expired)


def points_expire_due(*, now: datetime | None = None, batch: int = 1000) -> int:
    now = now or timezone.now()
    due = PointsLot.objects.filter(remaining__gt=0, expires_at__lte=now).order_by("expires_at")
    return sum(points_lot_expire(lot_id=pk, now=now) for pk in list(due.values_list("pk", flat=True)[:batch]))
