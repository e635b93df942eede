"""Running an approved campaign: schedule, pause, resume, end (staff), and the campaign jobs
(start with funding, finish, return the remainder) that beat triggers.

Whether a campaign pays is decided from its timestamps at the moment of use
(``promotions.selectors.campaign_active_at``), never from whether a job ran: the reward path starts
a campaign that is due but whose beat was missed (``campaign_start_locked``, the same idempotent
step the job runs), so a missed or doubled beat changes nothing. Funding is idempotent by its
reference; the remainder is returned with the budget locked, reading what is available under the
lock, so a second run moves nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_record
from core.money import Money
from payments.services.campaign_budget import (
    campaign_budget_code,
    campaign_budget_fund,
    campaign_budget_open,
    campaign_budget_return,
)
from promotions.errors import CampaignInvalid, CampaignNotFound, CampaignRunning, CampaignStateInvalid, ReasonRequired
from promotions.lock_objects import campaign_lock
from promotions.models import Campaign, CouponBatch, CouponClaim, LotteryDraw
from promotions.rules import LOTTERY
from promotions.services.campaigns import campaign_started, require_perm
from promotions.services.holdout import holdout_record_segment

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

__all__ = [
    "campaign_end",
    "campaign_finish",
    "campaign_pause",
    "campaign_resume",
    "campaign_schedule",
    "campaign_settle",
    "campaign_start",
    "campaign_start_locked",
    "campaigns_tick",
]

_OPERATE = "promotions.operate_campaign"


def _claim(campaign_id: int, *allowed: str) -> Campaign:
    campaign = campaign_lock(campaign_id)
    if campaign is None:
        raise CampaignNotFound()
    if allowed and campaign.status not in allowed:
        raise CampaignStateInvalid(details={"status": campaign.status})
    return campaign


def _reason(reason: str) -> str:
    if not reason or len(reason.strip()) < 2:
        raise ReasonRequired()
    return reason.strip()[:1000]


def _transition(
    campaign: Campaign,
    status: str,
    *,
    action: str,
    by: User | None,
    reason: str = "",
    request: HttpRequest | None = None,
    **changes: object,
) -> Campaign:
    previous = campaign.status
    campaign.status = status
    if reason:
        campaign.status_reason = reason
    campaign.save()
    audit_record(
        action=f"promotions.campaign.{action}",
        actor=by,
        obj=campaign,
        reason=reason,
        request=request,
        changes={
            "status": [previous, status],
            **{k: str(v) if isinstance(v, datetime) else v for k, v in changes.items()},
        },
    )
    return campaign


def campaign_schedule(
    *, campaign_id: int, by: User, starts_at: datetime, ends_at: datetime, request: HttpRequest | None = None
) -> Campaign:
    """Set when an approved campaign runs (APPROVED or SCHEDULED -> SCHEDULED), inside the validity
    its version was approved for. A SCHEDULED campaign whose start has passed (not started by the
    job, e.g. paused and resumed before its funding) may be moved until customers hold its coupons,
    which a move would make unusable: then ``CampaignRunning`` (pause or end it). Opens the budget
    account (no money moves until the start)."""
    require_perm(by, _OPERATE)
    with transaction.atomic(durable=True):
        campaign = _claim(campaign_id, Campaign.Status.APPROVED, Campaign.Status.SCHEDULED)
        if campaign_started(campaign) and CouponClaim.objects.filter(campaign=campaign).exists():
            raise CampaignRunning()  # customers hold its coupons (bought with points or claimed): pause or end it
        assert campaign.version is not None
        validity = campaign.version.rules["validity"]
        valid_from, valid_until = datetime.fromisoformat(validity["from"]), datetime.fromisoformat(validity["until"])
        if not starts_at < ends_at:
            raise CampaignInvalid(details={"ends_at": "must be after starts_at"})
        if starts_at < valid_from or ends_at > valid_until:
            raise CampaignInvalid(
                details={
                    "schedule": "within the approved validity",
                    "valid_from": validity["from"],
                    "valid_until": validity["until"],
                }
            )
        if ends_at <= timezone.now():
            raise CampaignInvalid(details={"ends_at": "must be in the future"})
        code = campaign_budget_code(str(campaign.public_id), campaign.version.currency)
        campaign_budget_open(
            code=code, currency=campaign.version.currency, name=f"{campaign.name_zh} / {campaign.name_en}"
        )
        campaign.budget_account_code = code
        campaign.starts_at, campaign.ends_at = starts_at, ends_at
        return _transition(
            campaign,
            Campaign.Status.SCHEDULED,
            action="schedule",
            by=by,
            request=request,
            starts_at=starts_at,
            ends_at=ends_at,
        )


def campaign_pause(*, campaign_id: int, by: User, reason: str, request: HttpRequest | None = None) -> Campaign:
    """Stop paying now (SCHEDULED or ACTIVE -> PAUSED). Instant: every reward path reads the status
    at the moment of use. Marketing or a risk officer."""
    require_perm(by, _OPERATE, "promotions.signoff_campaign_risk")
    reason = _reason(reason)
    with transaction.atomic(durable=True):
        campaign = _claim(campaign_id, Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE)
        campaign.paused_at = timezone.now()
        # A pause by a risk officer is a control: marketing alone may not lift it (campaign_resume).
        campaign.paused_by_risk = by.has_perm("promotions.signoff_campaign_risk")
        return _transition(campaign, Campaign.Status.PAUSED, action="pause", by=by, reason=reason, request=request)


def campaign_resume(*, campaign_id: int, by: User, request: HttpRequest | None = None) -> Campaign:
    """PAUSED -> ACTIVE (funded) or SCHEDULED (not started yet); refused once its end has passed.
    A campaign a risk officer paused is resumed only by someone who may sign off campaign risk."""
    require_perm(by, _OPERATE, "promotions.signoff_campaign_risk")
    with transaction.atomic(durable=True):
        campaign = _claim(campaign_id, Campaign.Status.PAUSED)
        if campaign.paused_by_risk:
            require_perm(by, "promotions.signoff_campaign_risk")
        elif not by.has_perm(_OPERATE):
            require_perm(by, _OPERATE)
        if campaign.ends_at is not None and campaign.ends_at <= timezone.now():
            raise CampaignStateInvalid(details={"ends_at": campaign.ends_at.isoformat()})
        campaign.paused_at = None
        campaign.paused_by_risk = False
        status = Campaign.Status.ACTIVE if campaign.funded_at else Campaign.Status.SCHEDULED
        return _transition(campaign, status, action="resume", by=by, request=request)


def campaign_end(*, campaign_id: int, by: User, reason: str, request: HttpRequest | None = None) -> Campaign:
    """End now (SCHEDULED, ACTIVE or PAUSED -> ENDED). What is left of the budget goes back after
    ``PROMOTIONS_SETTLE_GRACE_MINUTES``, once the rewards of payments made before the end are granted."""
    require_perm(by, _OPERATE, "promotions.signoff_campaign_risk")
    reason = _reason(reason)
    with transaction.atomic(durable=True):
        campaign = _claim(campaign_id, Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE, Campaign.Status.PAUSED)
        now = timezone.now()
        campaign.ended_at = now
        schedule = {"starts_at": campaign.starts_at, "ends_at": campaign.ends_at}
        if campaign.starts_at is not None and campaign.starts_at >= now:
            campaign.starts_at = None  # it never ran (the schedule it had is in the audit record)
        if campaign.ends_at is None or campaign.ends_at > now:
            campaign.ends_at = now
        return _transition(
            campaign, Campaign.Status.ENDED, action="end", by=by, reason=reason, request=request, schedule=str(schedule)
        )


# --- the campaign jobs ------------------------------------------------------------------------------
def campaign_start_locked(campaign: Campaign, *, now: datetime | None = None) -> bool:
    """Start a due SCHEDULED campaign: fund its budget (idempotent by reference), record its
    segment's holdout (set-based) and make it ACTIVE.
    The caller holds the campaign's row lock inside its transaction. True if it started now."""
    now = now or timezone.now()
    if campaign.status != Campaign.Status.SCHEDULED or campaign.starts_at is None or campaign.ends_at is None:
        return False
    if campaign.starts_at > now or campaign.ends_at <= now:
        return False
    assert campaign.version is not None
    amount = Money(int(campaign.version.rules["budget_minor"]), campaign.version.currency)
    transfer = campaign_budget_fund(
        code=campaign.budget_account_code,
        amount=amount,
        reference=f"CAMPAIGN-FUND-{campaign.public_id}",
        memo=f"{campaign.name_zh} / {campaign.name_en}",
    )
    campaign.funded_at = now
    held_out = holdout_record_segment(campaign.version)
    _transition(
        campaign,
        Campaign.Status.ACTIVE,
        action="start",
        by=None,
        holdout_recorded=held_out,
        funding=str(transfer.public_id),
        amount=amount.as_dict(),
    )
    return True


def campaign_start(*, campaign_id: int) -> bool:
    """The job's unit of work (its own transaction)."""
    with transaction.atomic(durable=True):
        campaign = _claim(campaign_id)
        return campaign_start_locked(campaign)


def campaign_finish(*, campaign_id: int) -> bool:
    """End a campaign whose ``ends_at`` has passed (SCHEDULED, ACTIVE, PAUSED -> ENDED). True if it did."""
    with transaction.atomic(durable=True):
        campaign = _claim(campaign_id)
        if campaign.status not in (Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE, Campaign.Status.PAUSED):
            return False
        if campaign.ends_at is None or campaign.ends_at > timezone.now():
            return False
        campaign.ended_at = campaign.ends_at
        _transition(campaign, Campaign.Status.ENDED, action="finish", by=None, reason="end of schedule")
        return True


def campaign_settle(*, campaign_id: int) -> int:
    """Return what is available in an ended campaign's budget to its source, once the grace after
    its end has passed; returns the minor units moved (0: nothing left, or not yet). Held rewards
    stay; a reward released later or clawed back is returned by a later run."""
    grace = timedelta(minutes=settings.PROMOTIONS_SETTLE_GRACE_MINUTES)
    with transaction.atomic(durable=True):
        campaign = _claim(campaign_id)
        if campaign.status != Campaign.Status.ENDED or not campaign.budget_account_code or campaign.funded_at is None:
            return 0
        if (campaign.ended_at or timezone.now()) + grace > timezone.now():
            return 0
        if (
            campaign.kind == LOTTERY
            and not LotteryDraw.objects.filter(campaign=campaign, status=LotteryDraw.Status.PAID).exists()
        ):
            return 0  # the prizes are paid from this budget first (promotions.services.lottery)
        transfer = campaign_budget_return(
            code=campaign.budget_account_code,
            reference=f"CAMPAIGN-RETURN-{campaign.public_id}",
            memo=f"{campaign.name_zh} / {campaign.name_en}",
        )
        campaign.settled_at = timezone.now()
        campaign.save(update_fields=["settled_at", "updated_at"])
        if transfer is None:
            return 0
        moved = sum(p.amount_minor for p in transfer.written_postings if p.amount_minor > 0)  # type: ignore[attr-defined]
        audit_record(
            action="promotions.campaign.settle",
            obj=campaign,
            changes={"returned_minor": moved, "currency": campaign.currency, "transfer": str(transfer.public_id)},
        )
        return int(moved)


def campaigns_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Beat's campaign job: start what is due, end what is over, return remainders, resume coupon
    batches whose worker died. Each campaign in its own transaction; every step is a no-op when repeated."""
    now = now or timezone.now()
    grace = timedelta(minutes=settings.PROMOTIONS_SETTLE_GRACE_MINUTES)
    due_start = Campaign.objects.filter(status=Campaign.Status.SCHEDULED, starts_at__lte=now, ends_at__gt=now)
    due_end = Campaign.objects.filter(
        status__in=(Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE, Campaign.Status.PAUSED), ends_at__lte=now
    )
    # Settled once after the grace, then hourly while late releases and clawbacks may still land.
    window = timedelta(days=settings.PROMOTIONS_SETTLE_WINDOW_DAYS)
    due_settle = Campaign.objects.filter(
        status=Campaign.Status.ENDED, funded_at__isnull=False, ended_at__lte=now - grace
    ).filter(Q(settled_at__isnull=True) | Q(settled_at__lte=now - timedelta(hours=1), ended_at__gte=now - window))
    stalled = CouponBatch.objects.exclude(status=CouponBatch.Status.DONE).filter(
        updated_at__lte=now - timedelta(minutes=2)
    )
    for batch_id in stalled.values_list("pk", flat=True):
        _coupon_batch_resume(batch_id)
    return {
        "started": sum(campaign_start(campaign_id=pk) for pk in due_start.values_list("pk", flat=True)),
        "ended": sum(campaign_finish(campaign_id=pk) for pk in due_end.values_list("pk", flat=True)),
        "returned_minor": sum(campaign_settle(campaign_id=pk) for pk in due_settle.values_list("pk", flat=True)),
    }


def _coupon_batch_resume(batch_id: int) -> None:
    """Re-enqueue a batch whose generation stopped (a killed worker): generation is resumable."""
    from promotions.tasks import coupon_batch_generate

    CouponBatch.objects.filter(pk=batch_id).update(updated_at=timezone.now())
    coupon_batch_generate.apply_async(kwargs={"batch_id": batch_id})
