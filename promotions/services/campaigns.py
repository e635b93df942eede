"""Designing a campaign: create and edit the draft, submit it as an immutable version.

Each function owns its durable transaction, locks the campaign row (``promotions.lock_objects``),
re-checks the status under the lock and writes an audit record (``promotions.campaign.<verb>``).
Callers are staff users; the permission each needs is checked here, not only in the admin.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, F, Sum
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from promotions.errors import (
    BudgetBelowMaxReward,
    CampaignInvalid,
    CampaignNotFound,
    CampaignRunning,
    CampaignStateInvalid,
    ExclusiveOverlap,
    PermissionRequired,
)
from promotions.lock_objects import campaign_lock
from promotions.models import Campaign, CampaignVersion, CouponBatch
from promotions.rules import CO_FUNDED, LOTTERY, FixedDiscountBenefit, LotteryBenefit, Rules, campaign_currency
from promotions.versions import campaign_rules, campaign_snapshot, exposure_compute, min_payment_minor, snapshot_hash

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

__all__ = [
    "EDITABLE_FIELDS",
    "batch_claims",
    "campaign_create",
    "campaign_started",
    "campaign_submit",
    "campaign_update",
    "campaign_validate",
    "exclusive_overlaps",
    "require_perm",
]

# What marketing may set on a draft (everything else is the lifecycle's or the system's).
EDITABLE_FIELDS = (
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "kind",
    "conditions",
    "benefit",
    "window",
    "segment",
    "stacking_group",
    "priority",
    "exclusive",
    "per_person_limit",
    "global_limit",
    "valid_from",
    "valid_until",
    "budget_minor",
    "merchant",
    "merchant_share_bps",
    "holdout_bps",
)
# Edits voiding an approval (the campaign goes back to DRAFT) until it has started.
_EDITABLE_STATUSES = (
    Campaign.Status.DRAFT,
    Campaign.Status.SUBMITTED,
    Campaign.Status.APPROVED,
    Campaign.Status.SCHEDULED,
)
# Statuses in which a version binds money or is about to (exclusivity is checked against them).
LIVE_STATUSES = (
    Campaign.Status.SUBMITTED,
    Campaign.Status.APPROVED,
    Campaign.Status.SCHEDULED,
    Campaign.Status.ACTIVE,
    Campaign.Status.PAUSED,
)


def require_perm(user: User, *perms: str) -> None:
    """``PermissionRequired`` (403) unless ``user`` is active staff holding one of ``perms``."""
    if not (user.is_active and user.is_staff and any(user.has_perm(p) for p in perms)):
        raise PermissionRequired()


def _text(value: Any, field: str, *, required: bool, max_length: int | None = None) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise CampaignInvalid(details={field: "required"})
    if max_length is not None and len(text) > max_length:
        raise CampaignInvalid(details={field: f"at most {max_length} characters"})
    return text


def campaign_validate(campaign: Campaign) -> None:
    """Everything a draft must satisfy before it can be saved or submitted: the schemas
    (``RulesInvalid``), names in both languages, dates, the merchant share, the budget against the
    largest single reward (``BudgetBelowMaxReward``)."""
    rules = campaign_rules(campaign)
    campaign.currency = campaign_currency(campaign.kind)
    campaign.name_zh = _text(campaign.name_zh, "name_zh", required=True, max_length=100)
    campaign.name_en = _text(campaign.name_en, "name_en", required=True, max_length=100)
    if not isinstance(campaign.valid_from, datetime) or not isinstance(campaign.valid_until, datetime):
        raise CampaignInvalid(details={"valid_from": "required", "valid_until": "required"})
    if campaign.valid_from >= campaign.valid_until:
        raise CampaignInvalid(details={"valid_until": "must be after valid_from"})
    if not isinstance(campaign.budget_minor, int) or campaign.budget_minor <= 0:
        raise CampaignInvalid(details={"budget_minor": "must be a positive whole number of minor units"})
    if campaign.kind == CO_FUNDED:
        if campaign.merchant_id is None or not 0 < campaign.merchant_share_bps < 10_000:
            raise CampaignInvalid(details={"merchant": "a co-funded campaign names its merchant and share (1-9999 bp)"})
    elif campaign.merchant_share_bps:
        raise CampaignInvalid(details={"merchant_share_bps": "only a co-funded campaign has a merchant share"})
    if not 0 <= campaign.holdout_bps <= 5000:
        raise CampaignInvalid(details={"holdout_bps": "0 to 5000 (at most half of the eligible customers)"})
    for field in ("per_person_limit", "global_limit"):
        value = getattr(campaign, field)
        if value is not None and (not isinstance(value, int) or value < 1):
            raise CampaignInvalid(details={field: "a positive whole number, or empty for no limit"})
    exposure = exposure_compute(
        rules,
        budget_minor=campaign.budget_minor,
        global_limit=campaign.global_limit,
        merchant_share_bps=campaign.merchant_share_bps,
    )
    if campaign.kind == LOTTERY:
        _lottery_validate(campaign, rules)
    if isinstance(rules.benefit, FixedDiscountBenefit) and rules.benefit.points_exchange is not None:
        _points_exchange_validate(campaign, rules.benefit)
    if campaign.budget_minor < exposure.max_single.minor:
        raise BudgetBelowMaxReward(
            details={"budget_minor": campaign.budget_minor, "max_single_minor": exposure.max_single.minor}
        )


def _lottery_validate(campaign: Campaign, rules: Rules) -> None:
    """A lottery's limits are its prize table, and its budget pays every prize in it."""
    if campaign.per_person_limit is not None or campaign.global_limit is not None:
        raise CampaignInvalid(details={"global_limit": "a lottery has no reward limits: its prize table is the limit"})
    assert isinstance(rules.benefit, LotteryBenefit)
    total = rules.benefit.total.minor
    if campaign.budget_minor < total:
        raise BudgetBelowMaxReward(details={"budget_minor": campaign.budget_minor, "prize_total_minor": total})


def _points_exchange_validate(campaign: Campaign, benefit: FixedDiscountBenefit) -> None:
    """Coupons sold for points must be usable: open inside the campaign's validity, no more of them
    than the campaign's global limit lets customers use, and a budget that pays the discount of
    every one of them (a customer who paid points for a coupon must not find the budget spent by
    the coupons sold)."""
    exchange = benefit.points_exchange
    assert exchange is not None
    field = "benefit.points_exchange"
    for at, name in ((exchange.opens_at, "from"), (exchange.closes_at, "until")):
        if at is not None and not campaign.valid_from <= at <= campaign.valid_until:
            raise CampaignInvalid(details={f"{field}.{name}": "inside the campaign's validity"})
    # The codes of the campaign's batches (an approved campaign not yet started may have some) count
    # too: ``coupon_batch_create`` keeps the same sum within the budget and the global limit.
    promised = exchange.stock + batch_claims(campaign)
    if campaign.global_limit is not None and promised > campaign.global_limit:
        raise CampaignInvalid(details={f"{field}.stock": "at most the campaign's global limit"})
    per_person, campaign_per_person = exchange.per_person, campaign.per_person_limit
    if per_person is not None and campaign_per_person is not None and per_person > campaign_per_person:
        raise CampaignInvalid(details={f"{field}.per_person": "at most the campaign's per-person limit"})
    if promised * benefit.discount.minor > campaign.budget_minor:
        raise BudgetBelowMaxReward(
            _("The budget cannot pay the discount of every coupon offered for points: lower the stock or raise it."),
            details={
                "budget_minor": campaign.budget_minor,
                "points_exchange_total_minor": promised * benefit.discount.minor,
            },
        )


def batch_claims(campaign: Campaign) -> int:
    """How many claims the campaign's coupon batches allow (codes x claims per code)."""
    if campaign.pk is None:
        return 0
    total = CouponBatch.objects.filter(campaign_id=campaign.pk).aggregate(
        total=Sum(Cast("quantity", BigIntegerField()) * F("max_claims_per_code"))
    )["total"]
    return int(total or 0)


def exclusive_overlaps(campaign: Campaign) -> list[str]:
    """Public ids of other exclusive, live campaigns of the same stacking group whose validity
    overlaps this one's (an exclusive campaign may not overlap another exclusive one)."""
    if not campaign.exclusive:
        return []
    others = (
        Campaign.objects.filter(
            exclusive=True,
            stacking_group=campaign.stacking_group,
            status__in=LIVE_STATUSES,
            valid_from__lt=campaign.valid_until,
            valid_until__gt=campaign.valid_from,
        )
        .exclude(pk=campaign.pk)
        .values_list("public_id", flat=True)
    )
    return sorted(str(pk) for pk in others)


def campaign_create(*, by: User, data: dict[str, Any], request: HttpRequest | None = None) -> Campaign:
    """A new DRAFT from ``data`` (``EDITABLE_FIELDS``). Needs ``promotions.add_campaign``."""
    require_perm(by, "promotions.add_campaign")
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise CampaignInvalid(details={"unknown_fields": unknown})
    campaign = Campaign(created_by=by, editors=[by.pk], holdout_bps=settings.PROMOTIONS_DEFAULT_HOLDOUT_BPS)
    for field, value in data.items():
        setattr(campaign, field, value)
    campaign_validate(campaign)
    with transaction.atomic(durable=True):
        campaign.save()
        audit_record(
            action="promotions.campaign.create",
            actor=by,
            obj=campaign,
            request=request,
            changes={"kind": campaign.kind, "budget_minor": campaign.budget_minor, "currency": campaign.currency},
        )
    return campaign


def campaign_update(
    *, campaign_id: int, by: User, data: dict[str, Any], request: HttpRequest | None = None
) -> Campaign:
    """Change a campaign that has not started. An edit of a submitted, approved or scheduled
    campaign sends it back to DRAFT: its version's approval no longer covers the new rules
    (``promotions.campaign.approval_voided``). A started campaign refuses (``CampaignRunning``),
    including a SCHEDULED one whose start has passed before the start job ran."""
    require_perm(by, "promotions.change_campaign")
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise CampaignInvalid(details={"unknown_fields": unknown})
    with transaction.atomic(durable=True):
        campaign = campaign_lock(campaign_id)
        if campaign is None:
            raise CampaignNotFound()
        if campaign.status not in _EDITABLE_STATUSES or campaign_started(campaign):
            raise CampaignRunning()
        changed = {f: v for f, v in data.items() if getattr(campaign, f) != v}
        if not changed:
            return campaign
        previous = campaign.status
        for field, value in changed.items():
            setattr(campaign, field, value)
        campaign_validate(campaign)
        campaign.status = Campaign.Status.DRAFT
        if by.pk not in campaign.editors:
            campaign.editors = [*campaign.editors, by.pk]
        campaign.save()
        audit_record(
            action="promotions.campaign.update",
            actor=by,
            obj=campaign,
            request=request,
            changes={"fields": sorted(changed), "status": [previous, campaign.status]},
        )
        if previous != Campaign.Status.DRAFT:
            audit_record(
                action="promotions.campaign.approval_voided",
                actor=by,
                obj=campaign,
                request=request,
                reason="edited after submission",
                changes={"version": campaign.version.number if campaign.version else None, "from": previous},
            )
        return campaign


def campaign_started(campaign: Campaign) -> bool:
    """A SCHEDULED campaign whose start has passed is running (``campaign_active_at`` decides from
    timestamps, not from whether the start job ran): customers may already hold its coupons, bought
    with points or claimed, so its terms are published and cannot go back to DRAFT."""
    return campaign.status == Campaign.Status.SCHEDULED and (
        campaign.starts_at is not None and campaign.starts_at <= timezone.now()
    )


def campaign_submit(*, campaign_id: int, by: User, request: HttpRequest | None = None) -> CampaignVersion:
    """Freeze the draft into a new immutable ``CampaignVersion`` with its computed exposure and ask
    for approval (DRAFT -> SUBMITTED). Refuses an exclusive campaign overlapping another
    (``ExclusiveOverlap`` 409) and anything ``campaign_validate`` refuses."""
    require_perm(by, "promotions.change_campaign", "promotions.add_campaign")
    with transaction.atomic(durable=True):
        campaign = campaign_lock(campaign_id)
        if campaign is None:
            raise CampaignNotFound()
        if campaign.status != Campaign.Status.DRAFT:
            raise CampaignStateInvalid(details={"status": campaign.status})
        campaign_validate(campaign)
        overlaps = exclusive_overlaps(campaign)
        if overlaps:
            raise ExclusiveOverlap(details={"campaigns": overlaps})
        rules = campaign_rules(campaign)
        exposure = exposure_compute(
            rules,
            budget_minor=campaign.budget_minor,
            global_limit=campaign.global_limit,
            merchant_share_bps=campaign.merchant_share_bps,
        )
        snapshot = campaign_snapshot(campaign)
        number = (campaign.version.number + 1) if campaign.version else 1
        threshold = int(settings.PROMOTIONS_RISK_SIGNOFF_EXPOSURE_CNY_MINOR)
        version = CampaignVersion.objects.create(
            campaign=campaign,
            number=number,
            rules=snapshot,
            content_hash=snapshot_hash(snapshot),
            currency=exposure.max_total.currency,
            max_single_minor=exposure.max_single.minor,
            max_exposure_minor=exposure.max_total.minor,
            max_exposure_cny_minor=exposure.max_total_cny.minor,
            requires_risk_signoff=exposure.max_total_cny.minor > threshold,
            holdout_salt=f"{campaign.public_id}:{number}",
            submitted_by=by,
            # Everyone who wrote any earlier version too: a resubmission after a rejection must not
            # let an earlier editor approve rules they wrote (authors accumulate version to version).
            authors=sorted(
                {
                    campaign.created_by_id,
                    *campaign.editors,
                    by.pk,
                    *(campaign.version.authors if campaign.version else []),
                }
            ),
        )
        campaign.version = version
        campaign.status = Campaign.Status.SUBMITTED
        campaign.editors = []
        campaign.status_reason = ""
        campaign.min_payment_minor = min_payment_minor(rules)
        campaign.save(
            update_fields=[
                "version",
                "status",
                "editors",
                "status_reason",
                "currency",
                "min_payment_minor",
                "updated_at",
            ]
        )
        audit_record(
            action="promotions.campaign.submit",
            actor=by,
            obj=campaign,
            request=request,
            changes={
                "version": number,
                "content_hash": version.content_hash,
                "max_exposure_minor": version.max_exposure_minor,
                "max_exposure_cny_minor": version.max_exposure_cny_minor,
                "requires_risk_signoff": version.requires_risk_signoff,
            },
        )
        return version
