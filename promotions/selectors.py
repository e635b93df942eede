"""Reads of the promotions app. Segment reads are in ``selectors_segments``."""

from __future__ import annotations

from datetime import datetime

from payments.ledger import Balance
from payments.services.campaign_budget import campaign_budget_balance
from promotions.models import Campaign

__all__ = ["campaign_active_at", "campaign_budget_state"]

PAYING_STATUSES = (Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE, Campaign.Status.ENDED)


def campaign_budget_state(campaign: Campaign) -> Balance | None:
    """Posted, held and available of the campaign's budget account (None before it is opened)."""
    if not campaign.budget_account_code:
        return None
    return campaign_budget_balance(campaign.budget_account_code)


def campaign_active_at(campaign: Campaign, at: datetime) -> bool:
    """Whether the campaign covers something that happened at ``at``, from its timestamps (never
    from whether a beat job ran): approved and scheduled, ``starts_at <= at < ends_at``, not paused
    now. A payment made before the end is still rewarded after it (within the settle grace)."""
    if campaign.status not in PAYING_STATUSES or campaign.version_id is None:
        return False
    if campaign.starts_at is None or campaign.ends_at is None:
        return False
    return campaign.starts_at <= at < campaign.ends_at
