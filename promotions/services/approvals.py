"""Approving a submitted campaign version: marketing approval, the risk officer's sign-off above
the exposure threshold, rejection.

Separation of duties: nobody approves a version they wrote or submitted (``version.authors``), the
approver must be independent of the submitter (``accounts.services.staff.approver_ensure_independent``:
not created or promoted by them recently, no incompatible roles), and the marketing approval and
the risk sign-off are two different people (also a database constraint). Each decision is an
append-only ``CampaignApproval`` row bound to the version, and an audit record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.services.staff import approver_ensure_independent
from core.audit import audit_record
from promotions.errors import (
    ApproverNotAllowed,
    CampaignNotFound,
    CampaignStateInvalid,
    ExclusiveOverlap,
    ReasonRequired,
)
from promotions.lock_objects import campaign_lock
from promotions.models import Campaign, CampaignApproval, CampaignVersion
from promotions.services.campaigns import exclusive_overlaps, require_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

__all__ = ["campaign_approve", "campaign_reject", "campaign_risk_signoff", "version_approval_state"]

_PERMS: dict[str, str] = {
    CampaignApproval.Role.MARKETING: "promotions.approve_campaign",
    CampaignApproval.Role.RISK: "promotions.signoff_campaign_risk",
}


def version_approval_state(version: CampaignVersion) -> dict[str, bool]:
    """Which approvals the version has and needs: ``{"marketing", "risk", "risk_needed", "complete"}``."""
    roles = set(version.approvals.filter(decision=CampaignApproval.Decision.APPROVED).values_list("role", flat=True))
    marketing = CampaignApproval.Role.MARKETING in roles
    risk = CampaignApproval.Role.RISK in roles
    return {
        "marketing": marketing,
        "risk": risk,
        "risk_needed": version.requires_risk_signoff,
        "complete": marketing and (risk or not version.requires_risk_signoff),
    }


def _claim_submitted(campaign_id: int) -> tuple[Campaign, CampaignVersion]:
    campaign = campaign_lock(campaign_id)
    if campaign is None:
        raise CampaignNotFound()
    if campaign.status != Campaign.Status.SUBMITTED or campaign.version is None:
        raise CampaignStateInvalid(details={"status": campaign.status})
    return campaign, campaign.version


def _ensure_independent(version: CampaignVersion, by: User) -> None:
    if by.pk in version.authors or by.pk == version.submitted_by_id:
        raise ApproverNotAllowed()
    approver_ensure_independent(maker=version.submitted_by, checker=by)


def _approve(*, campaign_id: int, by: User, role: str, reason: str, request: HttpRequest | None) -> Campaign:
    require_perm(by, _PERMS[role])
    with transaction.atomic(durable=True):
        campaign, version = _claim_submitted(campaign_id)
        _ensure_independent(version, by)
        if role == CampaignApproval.Role.RISK and not version.requires_risk_signoff:
            raise CampaignStateInvalid(_("This version's exposure does not need a risk sign-off."))
        approvals = version.approvals.filter(decision=CampaignApproval.Decision.APPROVED)
        if approvals.filter(role=role).exists():
            raise CampaignStateInvalid(_("This version already has that approval."))
        if approvals.filter(decided_by=by).exists():
            raise ApproverNotAllowed(_("The marketing approval and the risk sign-off must come from two people."))
        overlaps = exclusive_overlaps(campaign)
        if overlaps:
            raise ExclusiveOverlap(details={"campaigns": overlaps})
        CampaignApproval.objects.create(
            version=version, role=role, decision=CampaignApproval.Decision.APPROVED, decided_by=by, reason=reason
        )
        state = version_approval_state(version)
        if state["complete"]:
            campaign.status = Campaign.Status.APPROVED
            campaign.save(update_fields=["status", "updated_at"])
        audit_record(
            action="promotions.campaign.approve"
            if role == CampaignApproval.Role.MARKETING
            else "promotions.campaign.risk_signoff",
            actor=by,
            obj=campaign,
            reason=reason,
            request=request,
            changes={
                "version": version.number,
                "content_hash": version.content_hash,
                "max_exposure_cny_minor": version.max_exposure_cny_minor,
                "approvals": state,
                "status": campaign.status,
            },
        )
        return campaign


def campaign_approve(*, campaign_id: int, by: User, reason: str = "", request: HttpRequest | None = None) -> Campaign:
    """Marketing approval of the submitted version (``promotions.approve_campaign``). The campaign
    becomes APPROVED once every approval the version needs is there."""
    return _approve(
        campaign_id=campaign_id, by=by, role=CampaignApproval.Role.MARKETING, reason=reason, request=request
    )


def campaign_risk_signoff(
    *, campaign_id: int, by: User, reason: str = "", request: HttpRequest | None = None
) -> Campaign:
    """A risk officer's sign-off of a version whose exposure is above
    ``PROMOTIONS_RISK_SIGNOFF_EXPOSURE_CNY_MINOR`` (``promotions.signoff_campaign_risk``)."""
    return _approve(campaign_id=campaign_id, by=by, role=CampaignApproval.Role.RISK, reason=reason, request=request)


def campaign_reject(*, campaign_id: int, by: User, reason: str, request: HttpRequest | None = None) -> Campaign:
    """Send the submitted version back to its authors (SUBMITTED -> DRAFT) with a reason. An
    approval already given to that version no longer counts: the next submission is a new version."""
    if not reason or len(reason.strip()) < 2:
        raise ReasonRequired()
    require_perm(by, *_PERMS.values())
    role = CampaignApproval.Role.MARKETING if by.has_perm(_PERMS["MARKETING"]) else CampaignApproval.Role.RISK
    with transaction.atomic(durable=True):
        campaign, version = _claim_submitted(campaign_id)
        _ensure_independent(version, by)
        CampaignApproval.objects.create(
            version=version,
            role=role,
            decision=CampaignApproval.Decision.REJECTED,
            decided_by=by,
            reason=reason.strip(),
        )
        campaign.status = Campaign.Status.DRAFT
        campaign.status_reason = reason.strip()
        campaign.save(update_fields=["status", "status_reason", "updated_at"])
        audit_record(
            action="promotions.campaign.reject",
            actor=by,
            obj=campaign,
            reason=reason.strip(),
            request=request,
            changes={"version": version.number, "role": role},
        )
        return campaign
