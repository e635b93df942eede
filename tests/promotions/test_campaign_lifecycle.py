"""Campaign lifecycle: draft -> submitted -> approved -> scheduled -> active -> paused -> ended, with
separation of duties, immutable versions, risk sign-off above the threshold and an audit record for
every transition."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, InternalError, ProgrammingError, connection, transaction
from django.utils import timezone

from accounts.services.staff import ApproverNotIndependent
from core.models import AuditEvent
from payments.models import LedgerAccount, Transfer
from payments.services.campaign_budget import campaign_budget_balance
from promotions.errors import (
    ApproverNotAllowed,
    BudgetBelowMaxReward,
    CampaignRunning,
    CampaignStateInvalid,
    ExclusiveOverlap,
    PermissionRequired,
)
from promotions.models import Campaign, CampaignApproval, CampaignVersion
from promotions.rules import RulesInvalid
from promotions.services.approvals import campaign_approve, campaign_reject, campaign_risk_signoff
from promotions.services.campaigns import campaign_create, campaign_submit, campaign_update
from promotions.services.lifecycle import (
    campaign_end,
    campaign_pause,
    campaign_resume,
    campaign_schedule,
    campaign_settle,
    campaigns_tick,
)
from tests.factories import StaffFactory
from tests.promotions.conftest import draft_data

pytestmark = pytest.mark.django_db


def _actions(campaign: Campaign) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="promotions.Campaign", object_id=str(campaign.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def _schedule(campaign: Campaign, by: object, **delta: timedelta) -> Campaign:
    now = timezone.now()
    return campaign_schedule(
        campaign_id=campaign.pk,
        by=by,  # type: ignore[arg-type]
        starts_at=now + delta.get("start", timedelta(minutes=-1)),
        ends_at=now + delta.get("end", timedelta(days=7)),
    )


def test_the_whole_lifecycle_is_audited_step_by_step(maker, approver, settings) -> None:
    settings.PROMOTIONS_SETTLE_GRACE_MINUTES = 0
    campaign = campaign_create(by=maker, data=draft_data())

    version = campaign_submit(campaign_id=campaign.pk, by=maker)
    campaign_approve(campaign_id=campaign.pk, by=approver, reason="looks right")
    _schedule(campaign, maker)
    assert campaigns_tick()["started"] == 1
    campaign_pause(campaign_id=campaign.pk, by=maker, reason="checking a complaint")
    campaign_resume(campaign_id=campaign.pk, by=maker)
    campaign_end(campaign_id=campaign.pk, by=maker, reason="target reached")
    campaigns_tick()

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ENDED
    assert version.max_exposure_minor == 1_000_00 and not version.requires_risk_signoff
    assert _actions(campaign) == [
        "promotions.campaign.create",
        "promotions.campaign.submit",
        "promotions.campaign.approve",
        "promotions.campaign.schedule",
        "promotions.campaign.start",
        "promotions.campaign.pause",
        "promotions.campaign.resume",
        "promotions.campaign.end",
        "promotions.campaign.settle",
    ]
    balance = campaign_budget_balance(campaign.budget_account_code)
    assert balance is not None and balance.posted.minor == 0  # funded 1,000.00, all of it returned


@pytest.mark.parametrize("who", ["creator", "submitter", "editor"])
def test_nobody_approves_a_version_they_wrote_or_submitted(maker, approver, who) -> None:
    campaign = campaign_create(by=maker, data=draft_data())
    author = {"creator": maker, "submitter": approver, "editor": approver}[who]
    if who == "editor":
        campaign_update(campaign_id=campaign.pk, by=approver, data={"priority": 5})
    campaign_submit(campaign_id=campaign.pk, by=author if who != "creator" else maker)

    with pytest.raises(ApproverNotAllowed):
        campaign_approve(campaign_id=campaign.pk, by=author)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SUBMITTED
    assert not CampaignApproval.objects.exists()


def test_an_approver_created_by_the_maker_recently_is_not_independent(maker) -> None:
    from accounts.models import StaffChangeRequest

    ghost = StaffFactory(roles=["MARKETING"], branch=None)
    StaffChangeRequest.objects.create(
        kind="CREATE_STAFF",
        status="APPLIED",
        target=ghost,
        reason="new hire",
        requested_by=maker,
        decided_at=timezone.now(),
    )
    campaign = campaign_create(by=maker, data=draft_data())
    campaign_submit(campaign_id=campaign.pk, by=maker)

    with pytest.raises(ApproverNotIndependent):
        campaign_approve(campaign_id=campaign.pk, by=ghost)


def test_staff_without_the_permission_cannot_act(maker) -> None:
    teller = StaffFactory(roles=["TELLER"])

    with pytest.raises(PermissionRequired):
        campaign_create(by=teller, data=draft_data())
    campaign = campaign_create(by=maker, data=draft_data())
    campaign_submit(campaign_id=campaign.pk, by=maker)
    with pytest.raises(PermissionRequired):
        campaign_approve(campaign_id=campaign.pk, by=StaffFactory(roles=["RISK_OFFICER"], branch=None))


def test_above_the_exposure_threshold_a_risk_officer_must_also_sign_off(
    maker, approver, risk_officer, settings
) -> None:
    settings.PROMOTIONS_RISK_SIGNOFF_EXPOSURE_CNY_MINOR = 500_00
    campaign = campaign_create(by=maker, data=draft_data())
    version = campaign_submit(campaign_id=campaign.pk, by=maker)

    campaign_approve(campaign_id=campaign.pk, by=approver)
    campaign.refresh_from_db()
    assert version.requires_risk_signoff and campaign.status == Campaign.Status.SUBMITTED
    with pytest.raises(PermissionRequired):  # a marketing approver is not a risk officer
        campaign_risk_signoff(campaign_id=campaign.pk, by=approver)
    campaign_risk_signoff(campaign_id=campaign.pk, by=risk_officer, reason="exposure within appetite")

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.APPROVED
    assert set(version.approvals.values_list("role", flat=True)) == {"MARKETING", "RISK"}


def test_the_global_limit_bounds_the_exposure_below_the_budget(maker) -> None:
    campaign = campaign_create(by=maker, data=draft_data(global_limit=10))

    version = campaign_submit(campaign_id=campaign.pk, by=maker)

    assert version.max_single_minor == 5_00
    assert version.max_exposure_minor == 50_00  # 10 rewards of at most 5.00, not the 1,000.00 budget


def test_an_edit_after_approval_needs_a_new_version_and_a_new_approval(maker, approver) -> None:
    campaign = campaign_create(by=maker, data=draft_data())
    first = campaign_submit(campaign_id=campaign.pk, by=maker)
    campaign_approve(campaign_id=campaign.pk, by=approver)

    campaign_update(campaign_id=campaign.pk, by=maker, data={"benefit": {"percent": "20", "cap": "5.00"}})
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    with pytest.raises(CampaignStateInvalid):
        campaign_schedule(
            campaign_id=campaign.pk, by=maker, starts_at=timezone.now(), ends_at=timezone.now() + timedelta(days=1)
        )
    second = campaign_submit(campaign_id=campaign.pk, by=maker)

    assert (first.number, second.number) == (1, 2)
    assert first.rules["benefit"]["percent"] == "10" and second.rules["benefit"]["percent"] == "20"
    assert first.content_hash != second.content_hash
    assert not second.approvals.exists()
    assert "promotions.campaign.approval_voided" in _actions(campaign)


def test_a_started_campaign_cannot_be_edited(maker, approver) -> None:
    campaign = campaign_create(by=maker, data=draft_data())
    campaign_submit(campaign_id=campaign.pk, by=maker)
    campaign_approve(campaign_id=campaign.pk, by=approver)
    _schedule(campaign, maker)
    campaigns_tick()

    with pytest.raises(CampaignRunning):
        campaign_update(campaign_id=campaign.pk, by=maker, data={"budget_minor": 5_000_00})


def test_a_version_and_its_approvals_are_immutable_in_the_database(maker, approver) -> None:
    campaign = campaign_create(by=maker, data=draft_data())
    version = campaign_submit(campaign_id=campaign.pk, by=maker)
    campaign_approve(campaign_id=campaign.pk, by=approver)

    for sql in (
        "UPDATE promotions_campaignversion SET max_exposure_minor = 1 WHERE id = %s",
        "DELETE FROM promotions_campaignversion WHERE id = %s",
        "UPDATE promotions_campaignapproval SET role = 'RISK' WHERE version_id = %s",
    ):
        with pytest.raises((InternalError, ProgrammingError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [version.pk])

    assert CampaignVersion.objects.get(pk=version.pk).max_exposure_minor == 1_000_00


def test_rejection_sends_the_campaign_back_to_draft_with_the_reason(maker, approver) -> None:
    campaign = campaign_create(by=maker, data=draft_data())
    campaign_submit(campaign_id=campaign.pk, by=maker)

    campaign_reject(campaign_id=campaign.pk, by=approver, reason="cap too generous")

    campaign.refresh_from_db()
    assert (campaign.status, campaign.status_reason) == (Campaign.Status.DRAFT, "cap too generous")


def test_wrong_rules_and_a_budget_below_one_reward_are_refused_before_anything_is_saved(maker) -> None:
    with pytest.raises(RulesInvalid):
        campaign_create(by=maker, data=draft_data(conditions={"min_amount": 20}))
    with pytest.raises(BudgetBelowMaxReward):
        campaign_create(by=maker, data=draft_data(budget_minor=4_99))

    assert not Campaign.objects.exists()


def test_two_exclusive_campaigns_of_one_group_may_not_overlap(maker, approver) -> None:
    first = campaign_create(by=maker, data=draft_data(exclusive=True, stacking_group="DINING"))
    campaign_submit(campaign_id=first.pk, by=maker)
    second = campaign_create(by=maker, data=draft_data(exclusive=True, stacking_group="DINING"))

    with pytest.raises(ExclusiveOverlap) as exc:
        campaign_submit(campaign_id=second.pk, by=maker)

    assert exc.value.status_code == 409
    assert exc.value.details["campaigns"] == [str(first.public_id)]
    other_group = campaign_create(by=maker, data=draft_data(exclusive=True, stacking_group="TRAVEL"))
    campaign_submit(campaign_id=other_group.pk, by=maker)


def test_the_schedule_must_stay_within_the_approved_validity(maker, approver) -> None:
    campaign = campaign_create(by=maker, data=draft_data())
    campaign_submit(campaign_id=campaign.pk, by=maker)
    campaign_approve(campaign_id=campaign.pk, by=approver)

    with pytest.raises(Exception) as exc:
        _schedule(campaign, maker, end=timedelta(days=60))

    assert getattr(exc.value, "code", "") == "campaign_invalid"


def test_a_missed_or_doubled_beat_changes_nothing(maker, approver) -> None:
    campaign = campaign_create(by=maker, data=draft_data())
    campaign_submit(campaign_id=campaign.pk, by=maker)
    campaign_approve(campaign_id=campaign.pk, by=approver)
    _schedule(campaign, maker)

    first, second = campaigns_tick(), campaigns_tick()

    assert first["started"] == 1 and second["started"] == 0
    fundings = Transfer.objects.filter(kind="FUNDING", reference=f"CAMPAIGN-FUND-{campaign.public_id}")
    assert fundings.count() == 1
    budget = LedgerAccount.objects.get(code=Campaign.objects.get(pk=campaign.pk).budget_account_code)
    assert (budget.kind, budget.is_hot, budget.allow_negative) == ("CAMPAIGN_BUDGET", True, False)
    balance = campaign_budget_balance(budget.code)
    assert balance is not None and balance.available.minor == 1_000_00


def test_the_remainder_goes_back_once_after_the_grace(maker, approver, settings) -> None:
    settings.PROMOTIONS_SETTLE_GRACE_MINUTES = 0
    campaign = campaign_create(by=maker, data=draft_data())
    campaign_submit(campaign_id=campaign.pk, by=maker)
    campaign_approve(campaign_id=campaign.pk, by=approver)
    _schedule(campaign, maker)
    campaigns_tick()
    campaign_end(campaign_id=campaign.pk, by=maker, reason="done")

    assert campaign_settle(campaign_id=campaign.pk) == 1_000_00
    assert campaign_settle(campaign_id=campaign.pk) == 0
    assert Transfer.objects.filter(kind="FUNDING", reference=f"CAMPAIGN-RETURN-{campaign.public_id}").count() == 1


def test_the_approvals_of_one_version_come_from_two_people(maker, approver, settings) -> None:
    settings.PROMOTIONS_RISK_SIGNOFF_EXPOSURE_CNY_MINOR = 0
    both = StaffFactory(roles=["MARKETING", "RISK_OFFICER"], branch=None)
    campaign = campaign_create(by=maker, data=draft_data())
    campaign_submit(campaign_id=campaign.pk, by=maker)
    campaign_approve(campaign_id=campaign.pk, by=both)

    with pytest.raises(ApproverNotAllowed):
        campaign_risk_signoff(campaign_id=campaign.pk, by=both)
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignApproval.objects.create(
            version=Campaign.objects.get(pk=campaign.pk).version, role="RISK", decision="APPROVED", decided_by=both
        )
