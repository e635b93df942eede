"""Helpers that take a campaign through its lifecycle with real services (no shortcuts into the tables)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from promotions.models import Campaign
from promotions.services.approvals import campaign_approve, campaign_risk_signoff
from promotions.services.campaigns import campaign_create, campaign_submit
from promotions.services.lifecycle import campaign_schedule, campaign_start
from tests.factories import StaffFactory
from tests.promotions.conftest import draft_data


def campaign_running(*, start: bool = True, **overrides: Any) -> Campaign:
    """A campaign created, submitted, approved (risk sign-off when needed), scheduled from now on
    and, with ``start``, started (its budget funded): what every reward test starts from."""
    maker = StaffFactory(roles=["MARKETING"], branch=None)
    approver = StaffFactory(roles=["MARKETING"], branch=None)
    campaign = campaign_create(by=maker, data=draft_data(**overrides))
    version = campaign_submit(campaign_id=campaign.pk, by=maker)
    campaign_approve(campaign_id=campaign.pk, by=approver)
    if version.requires_risk_signoff:
        campaign_risk_signoff(campaign_id=campaign.pk, by=StaffFactory(roles=["RISK_OFFICER"], branch=None))
    now = timezone.now()
    campaign.refresh_from_db()
    campaign_schedule(
        campaign_id=campaign.pk,
        by=maker,
        starts_at=max(now - timedelta(minutes=1), campaign.valid_from),
        ends_at=min(now + timedelta(days=7), campaign.valid_until),
    )
    if start:
        campaign_start(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


# --- owner-object factories for the authorization matrix (tests/evidence) -------------------------
def _owned_points_offer(owner: Any) -> dict[str, Any]:
    """A points offer only the owner may see (their home branch; they consented to marketing)."""
    from accounts.models import Consent

    Consent.objects.create(customer=owner.customer, purpose=Consent.Purpose.MARKETING, version="1")
    campaign = campaign_running(
        kind="COUPON",
        conditions={},
        benefit={"discount": "5.00", "points_exchange": {"points": 100, "stock": 10}},
        segment={"home_branches": [owner.customer.home_branch.code]},
        budget_minor=100_00,
    )
    return {"public_id": campaign.public_id}


PROMOTIONS_OBJECT_ROUTES = {r"promotions/points/offers/<": _owned_points_offer}
