"""The campaign admin as marketing, risk officers and other staff use it: forms and actions that
call the services, separation of duties, the segment size preview."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Consent
from core.models import AuditEvent
from promotions.errors import ApproverNotAllowed
from promotions.models import Campaign
from tests.accounts.conftest import admin_client_for
from tests.factories import CustomerFactory, StaffFactory
from tests.promotions.conftest import draft_data
from tests.promotions.factories import campaign_running

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/promotions/campaign/"


def _form(**overrides: object) -> dict[str, str]:
    data = draft_data(**overrides)
    now = timezone.localtime()
    form = {
        "name_zh": data["name_zh"],
        "name_en": data["name_en"],
        "description_zh": data["description_zh"],
        "description_en": data["description_en"],
        "kind": data["kind"],
        "conditions": json.dumps(data["conditions"]),
        "benefit": json.dumps(data["benefit"]),
        "window": "{}",
        "segment": "{}",
        "stacking_group": "",
        "priority": "0",
        "per_person_limit": "1",
        "global_limit": "",
        "valid_from_0": (now - timedelta(days=1)).strftime("%Y-%m-%d"),
        "valid_from_1": (now - timedelta(days=1)).strftime("%H:%M"),
        "valid_until_0": (now + timedelta(days=30)).strftime("%Y-%m-%d"),
        "valid_until_1": (now + timedelta(days=30)).strftime("%H:%M"),
        "budget": "1000.00",
        "merchant": "",
        "merchant_share_bps": "0",
        "holdout_bps": "1000",
    }
    form.update({k: str(v) for k, v in overrides.items() if isinstance(v, str)})
    return form


def _errors(response) -> object:
    context = getattr(response, "context", None)
    if not context or "adminform" not in context:
        return response.status_code
    form = context["adminform"].form
    return form.errors, [
        (f.formset.prefix, f.formset.non_form_errors()) for f in context.get("inline_admin_formsets", [])
    ]


def _act(client, action: str, campaign: Campaign, **extra: str):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [str(campaign.pk)], **extra}, follow=True)


def test_marketing_designs_submits_and_a_colleague_approves_in_the_admin(maker, approver) -> None:
    client = admin_client_for(maker)

    response = client.post(f"{CHANGELIST}add/", _form())
    assert response.status_code == 302, _errors(response)
    campaign = Campaign.objects.get()
    assert (campaign.budget_minor, campaign.per_person_limit, campaign.holdout_bps) == (1_000_00, 1, 1000)
    _act(client, "submit_selected", campaign)
    own = _act(client, "approve_selected", campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SUBMITTED
    assert str(ApproverNotAllowed.default_message) in own.content.decode()  # in the admin's language

    _act(admin_client_for(approver), "approve_selected", campaign)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.APPROVED
    assert list(
        AuditEvent.objects.filter(object_id=str(campaign.pk)).order_by("id").values_list("action", "actor")
    ) == [
        ("promotions.campaign.create", maker.pk),
        ("promotions.campaign.submit", maker.pk),
        ("promotions.campaign.approve", approver.pk),
    ]


def test_wrong_typed_rules_are_shown_on_the_form_and_nothing_is_saved(maker) -> None:
    response = admin_client_for(maker).post(f"{CHANGELIST}add/", _form(conditions='{"min_amount": 20}'))

    assert response.status_code == 200
    assert "conditions.min_amount" in response.content.decode()
    assert not Campaign.objects.exists()


def test_schedule_pause_and_end_take_their_inputs_on_an_intermediate_page(maker, approver) -> None:
    campaign = campaign_running(start=False)
    client = admin_client_for(maker)
    now = timezone.localtime()

    page = _act(client, "pause_selected", campaign)
    assert "reason" in page.content.decode()
    _act(client, "pause_selected", campaign, apply="1", reason="suspected abuse")
    campaign.refresh_from_db()
    assert (campaign.status, campaign.status_reason) == (Campaign.Status.PAUSED, "suspected abuse")
    _act(client, "resume_selected", campaign)
    _act(
        client,
        "schedule_selected",
        campaign,
        apply="1",
        starts_at=(now + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        ends_at=(now + timedelta(days=2)).strftime("%Y-%m-%d %H:%M"),
    )
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED and campaign.starts_at > timezone.now()
    _act(client, "end_selected", campaign, apply="1", reason="cancelled")

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ENDED


def test_a_started_campaign_is_read_only(maker) -> None:
    campaign = campaign_running()
    client = admin_client_for(maker)

    page = client.get(f"{CHANGELIST}{campaign.pk}/change/")
    posted = client.post(f"{CHANGELIST}{campaign.pk}/change/", _form(budget="99999.00"))

    assert page.status_code == 200 and 'name="budget"' not in page.content.decode()
    assert posted.status_code == 403
    campaign.refresh_from_db()
    assert campaign.budget_minor == 1_000_00


def test_branch_staff_cannot_open_campaigns_and_auditors_only_read(maker) -> None:
    campaign = campaign_running(start=False)
    teller = admin_client_for(StaffFactory(roles=["TELLER"]))
    auditor = admin_client_for(StaffFactory(roles=["AUDITOR"]))

    assert teller.get(CHANGELIST).status_code == 403
    assert auditor.get(CHANGELIST).status_code == 200
    assert auditor.get(f"{CHANGELIST}add/").status_code == 403
    _act(auditor, "pause_selected", campaign, apply="1", reason="x" * 5)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED


def test_the_segment_preview_counts_consenting_customers_only(maker) -> None:
    for i in range(6):
        customer = CustomerFactory(date_of_birth=timezone.datetime(1992, 5, 1).date())
        if i < 4:
            Consent.objects.create(customer=customer, purpose="MARKETING", version="1")
    CustomerFactory(date_of_birth=timezone.datetime(1985, 5, 1).date())

    response = admin_client_for(maker).post(
        f"{CHANGELIST}segment-preview/", {"segment": json.dumps({"age_bands": ["post-90"]}), "holdout_bps": "0"}
    )

    assert response.status_code == 200
    assert response.context["result"] == {"eligible": 4, "held_out": 0}


def test_a_risk_officer_signs_off_in_the_admin(maker, approver, risk_officer, settings) -> None:
    settings.PROMOTIONS_RISK_SIGNOFF_EXPOSURE_CNY_MINOR = 0
    client = admin_client_for(maker)
    client.post(f"{CHANGELIST}add/", _form())
    campaign = Campaign.objects.get()
    _act(client, "submit_selected", campaign)
    _act(admin_client_for(approver), "approve_selected", campaign)

    _act(admin_client_for(risk_officer), "risk_signoff_selected", campaign)

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.APPROVED


def test_marketing_generates_a_coupon_batch_and_exports_it_audited(maker) -> None:
    from promotions.models import CouponBatch
    from promotions.services.coupons import coupon_batch_generate

    campaign = campaign_running(kind="COUPON", benefit={"discount": "5.00"})
    client = admin_client_for(maker)

    added = client.post(
        "/admin/promotions/couponbatch/add/", {"campaign": campaign.pk, "quantity": 30, "max_claims_per_code": 1}
    )
    batch = CouponBatch.objects.get()
    coupon_batch_generate(batch_id=batch.pk)
    listing = client.get("/admin/promotions/couponbatch/")
    export = client.post(
        "/admin/promotions/couponbatch/", {"action": "export_codes", "_selected_action": [str(batch.pk)]}
    )

    assert added.status_code == 302
    assert "30 / 30 (100 %)" in listing.content.decode()
    rows = b"".join(export.streaming_content).decode().splitlines()
    assert len(rows) == 31 and rows[1].count("-") == 3
    assert AuditEvent.objects.filter(action="promotions.couponbatch.export", actor=maker).count() == 1
    assert admin_client_for(StaffFactory(roles=["TELLER"])).get("/admin/promotions/couponbatch/").status_code == 403


def test_grants_are_read_only_for_bank_wide_roles(maker) -> None:
    from tests.promotions.helpers import deliver, merchant, pay, shopper

    campaign_running()
    deliver(pay(shopper(), merchant(), "50.00")[1])

    page = admin_client_for(maker).get("/admin/promotions/rewardgrant/")

    assert page.status_code == 200 and "5.00 CNY" in page.content.decode()
    assert (
        admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"])).get("/admin/promotions/rewardgrant/").status_code
        == 403
    )
