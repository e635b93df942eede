"""Clawbacks on refund (the ``refund.completed`` consumer): cashback and points pro rata, milestones
no longer reached in full.

Pro rata, cumulatively: after refunds totalling R of a payment of B, the grant keeps
``amount - floor(amount * R / B)`` (rounded in the customer's favour); each refund takes back the
difference from what was already taken, so any sequence of partial refunds ends, at a full refund,
with the whole reward back. Before release (PENDING) nothing has moved: the held amount is reduced
and released to the budget; after release the money comes back from the customer's wallet through
``payments.services.campaign_budget.campaign_reward_clawback`` (the ledger's unwind, bounded by the
reward). What the customer already spent is recorded as a shortfall, never taken into overdraft.
Once per (grant, refund): a unique ``RewardClawback`` row in the same savepoint as the money.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.db.models import F

from core.money import Money
from payments.errors import InsufficientFunds
from payments.models import Transfer
from payments.services.campaign_budget import campaign_reward_clawback, campaign_reward_hold_void
from promotions.models import MilestoneProgress, MilestoneSpend, RewardClawback, RewardGrant
from promotions.rules import CASHBACK, CUMULATIVE_SPEND, POINTS, MilestoneBenefit
from promotions.services.milestones import milestone_source
from promotions.services.points import points_lots_lock, points_lots_take
from promotions.versions import version_rules

__all__ = ["clawback_grant", "clawbacks_for_refund"]

_PRO_RATA_KINDS = (CASHBACK, POINTS)


def clawbacks_for_refund(*, original: uuid.UUID, refund_ref: str, refunded: Money) -> list[RewardClawback]:
    """Everything a refund of ``refunded`` of payment ``original`` takes back. Call inside the
    consumer's transaction; grants are locked in pk order (before any ledger lock)."""
    done: list[RewardClawback] = []
    grants = (
        RewardGrant.objects.select_for_update(of=("self",))
        .select_related("customer", "transfer")
        .filter(
            source_transfer_public_id=original,
            kind__in=_PRO_RATA_KINDS,
            status__in=(RewardGrant.Status.PENDING, RewardGrant.Status.PAID),
        )
        .order_by("pk")
    )
    for grant in grants:
        row = clawback_grant(grant=grant, refund_ref=refund_ref, refunded=refunded)
        if row is not None:
            done.append(row)
    done += _milestones_refund(original=original, refund_ref=refund_ref, refunded=refunded)
    return done


def _take(grant: RewardGrant, due: int) -> tuple[int, Transfer | None]:
    """Take ``due`` back from a grant (locked by the caller); returns (taken, transfer or None)."""
    if grant.status == RewardGrant.Status.PENDING:
        return due, None  # nothing was paid yet: the release pays less
    assert grant.transfer_id is not None
    lots = points_lots_lock(customer=grant.customer) if grant.kind == POINTS else []  # lots before the wallet
    try:
        with transaction.atomic():
            transfer, shortfall = campaign_reward_clawback(
                reward_transfer_id=grant.transfer_id,
                customer=grant.customer,
                amount=Money(due, grant.currency),
                memo=f"clawback of reward {grant.pk}",
            )
    except InsufficientFunds:  # spent between the read and the lock: recorded as a shortfall
        return 0, None
    taken = due - shortfall.minor
    if taken and grant.kind == POINTS:
        # The grant's own lot first; what it no longer holds (already redeemed or expired) comes off
        # the customer's other lots, soonest expiry first, so lots never promise more than the wallet.
        own = [lot for lot in lots if lot.grant_id == grant.pk]
        points_lots_take(own + [lot for lot in lots if lot.grant_id != grant.pk], taken)
    return taken, transfer


def clawback_grant(
    *, grant: RewardGrant, refund_ref: str, refunded: Money, full: bool = False
) -> RewardClawback | None:
    """One grant's clawback for one refund (None when this refund was already handled). ``full``:
    take back everything left (a milestone no longer reached)."""
    try:
        with transaction.atomic():
            if full:
                refunded_after = grant.refunded_base_minor
                target = grant.amount_minor
            else:
                refunded_after = min(grant.refunded_base_minor + refunded.minor, grant.base_amount_minor)
                target = (
                    grant.amount_minor * refunded_after // grant.base_amount_minor if grant.base_amount_minor else 0
                )
            due = max(target - grant.clawed_back_minor - grant.clawback_shortfall_minor, 0)
            taken, transfer = _take(grant, due) if due else (0, None)
            row = RewardClawback.objects.create(
                grant=grant,
                refund_ref=refund_ref,
                refund_amount_minor=refunded.minor,
                due_minor=due,
                taken_minor=taken,
                transfer=transfer,
            )
            grant.refunded_base_minor = refunded_after
            grant.clawed_back_minor += taken
            grant.clawback_shortfall_minor += due - taken
            fields = ["refunded_base_minor", "clawed_back_minor", "clawback_shortfall_minor"]
            if grant.status == RewardGrant.Status.PENDING and grant.clawed_back_minor >= grant.amount_minor:
                assert grant.hold_id is not None
                campaign_reward_hold_void(hold_id=grant.hold_id, reason="reward clawed back before release")
                grant.status = RewardGrant.Status.VOIDED
                fields.append("status")
            grant.save(update_fields=fields)
            return row
    except IntegrityError:
        return None  # this refund was handled already


def _milestones_refund(*, original: uuid.UUID, refund_ref: str, refunded: Money) -> list[RewardClawback]:
    """Lower the cumulative spend a refunded payment counted, and claw back in full every
    milestone of that period the customer no longer reaches."""
    done: list[RewardClawback] = []
    for spend in (
        MilestoneSpend.objects.select_for_update(of=("self",)).filter(source_transfer_public_id=original).order_by("pk")
    ):
        uncount = min(refunded.minor, spend.amount_minor - spend.refunded_minor)
        if uncount <= 0:
            continue
        MilestoneSpend.objects.filter(pk=spend.pk).update(refunded_minor=F("refunded_minor") + uncount)
        progress = MilestoneProgress.objects.select_for_update().get(
            campaign_id=spend.campaign_id, customer_id=spend.customer_id, period=spend.period
        )
        progress.spent_minor -= uncount
        progress.save(update_fields=["spent_minor"])
        prefix = milestone_source(spend.customer_id, spend.period, 0).rsplit(":", 1)[0] + ":"
        reached = (
            RewardGrant.objects.select_for_update(of=("self",))
            .select_related("customer", "version")
            .filter(
                campaign_id=spend.campaign_id,
                kind=CUMULATIVE_SPEND,
                status__in=(RewardGrant.Status.PENDING, RewardGrant.Status.PAID),
                source__startswith=prefix,
            )
            .order_by("pk")
        )
        for grant in reached:
            benefit = version_rules(grant.version).benefit
            assert isinstance(benefit, MilestoneBenefit)
            threshold = benefit.milestones[int(grant.source.rsplit(":", 1)[1])][0]
            if threshold.minor > progress.spent_minor:
                row = clawback_grant(grant=grant, refund_ref=refund_ref, refunded=refunded, full=True)
                if row is not None:
                    done.append(row)
    return done
