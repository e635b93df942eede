"""Marketing designs, submits, gets approved and schedules a campaign in the admin, in headless
Chromium, in Chinese (issue 12: "try what you build as its user would")."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Consent
from promotions.models import Campaign
from tests.browser.conftest import screenshot, sign_in
from tests.factories import CustomerFactory, StaffFactory
from tests.reference_data import reference_data_restore

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _act(page: Any, action: str, campaign: Campaign) -> None:
    page.goto("/admin/promotions/campaign/")
    page.check(f"input[name=_selected_action][value='{campaign.pk}']")
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")
    page.wait_for_load_state()


def test_a_campaign_from_the_form_to_the_schedule(open_page: Any) -> None:
    reference_data_restore()
    for _ in range(3):
        Consent.objects.create(customer=CustomerFactory(), purpose="MARKETING", version="1")
    maker = StaffFactory(roles=["MARKETING"], branch=None)
    approver = StaffFactory(roles=["MARKETING"], branch=None)
    page = open_page()
    sign_in(page, maker)

    page.goto("/admin/promotions/campaign/add/")
    now = timezone.localtime()
    page.fill("#id_name_zh", "午餐返现")
    page.fill("#id_name_en", "Lunch cashback")
    page.select_option("#id_kind", "CASHBACK")
    page.fill("#id_conditions", json.dumps({"min_amount": "20.00", "mcc_categories": ["DINING"]}))
    page.fill("#id_benefit", '{"percent": 10, "cap": "5.00"}')  # a number where a string belongs
    page.fill("#id_valid_from_0", now.strftime("%Y-%m-%d"))
    page.fill("#id_valid_from_1", now.strftime("%H:%M:%S"))
    page.fill("#id_valid_until_0", (now + timedelta(days=30)).strftime("%Y-%m-%d"))
    page.fill("#id_valid_until_1", "00:00:00")
    page.fill("#id_budget", "2000.00")
    page.click("input[name=_save]")
    assert "benefit.percent" in page.inner_text("#content-main")
    screenshot(page, "promo-01-rules-refused")
    page.fill("#id_benefit", json.dumps({"percent": "10", "cap": "5.00"}))
    page.click("input[name=_save]")
    page.wait_for_load_state()
    campaign = Campaign.objects.get()
    assert campaign.budget_minor == 2000_00

    page.click("a[href$='/segment-preview/']")  # the label is translated at merge (locale/ is the lead's)
    assert "3" in page.inner_text(".segment-result")  # the campaign's own segment, counted on opening
    page.fill("#id_segment", json.dumps({"age_bands": ["post-00"]}))
    page.click("input[type=submit]")
    assert page.inner_text(".segment-result").startswith("0 ")  # the factory's customers have no birth date
    screenshot(page, "promo-02-segment-preview")
    _act(page, "submit_selected", campaign)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SUBMITTED

    checker = open_page()
    sign_in(checker, approver)
    _act(checker, "approve_selected", campaign)
    _act(checker, "schedule_selected", campaign)
    checker.fill("input[name=starts_at]", (now + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"))
    checker.fill("input[name=ends_at]", (now + timedelta(days=8)).strftime("%Y-%m-%d %H:%M"))
    checker.click("input[type=submit]")
    checker.wait_for_load_state()
    screenshot(checker, "promo-03-scheduled")

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED
