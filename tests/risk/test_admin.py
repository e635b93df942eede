"""The risk officers' admin: pages open, actions ask for a reason and go through the services,
rules are checked when written, and nothing is editable in place."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from accounts.models import Customer, StaffRole
from core.models import AuditEvent
from risk.models import Case, CaseNote, Evaluation, RiskScenario, RuleVersion
from tests.accounts.conftest import admin_client_for
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.risk.events import deliver, p2p_event

pytestmark = pytest.mark.django_db


def _structuring_case(alice: Customer) -> Case:
    payees = [CustomerFactory() for _ in range(3)]
    deliver(*[p2p_event(alice, payees[i], "48500.00", timezone.now() - timedelta(hours=3 - i)) for i in range(3)])
    return Case.objects.get(customer=alice)


def test_an_officer_reads_a_case_and_why_in_both_languages(alice: Customer, officers: Any) -> None:
    case = _structuring_case(alice)
    client = admin_client_for(officers[0])

    listing = client.get("/admin/risk/case/")
    page = client.get(f"/admin/risk/case/{case.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    page_zh = client.get(f"/admin/risk/case/{case.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    evaluation = Evaluation.objects.filter(customer=alice, outcome="REVIEW").get()
    detail = client.get(f"/admin/risk/evaluation/{evaluation.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")

    assert listing.status_code == 200 and page.status_code == 200 and detail.status_code == 200
    assert "3 payments just under 50000 CNY in 24 hours." in page.content.decode()
    assert "24小时内3笔付款略低于50000元的报告金额。" in page_zh.content.decode()
    assert "structuring" in detail.content.decode()


def test_a_note_needs_the_form_and_is_audited(alice: Customer, officers: Any) -> None:
    case = _structuring_case(alice)
    client = admin_client_for(officers[0])
    selected = {"action": "add_note", "_selected_action": [case.pk]}

    asked = client.post("/admin/risk/case/", selected)
    done = client.post("/admin/risk/case/", {**selected, "apply": "1", "text": "Called: a car deposit."})

    assert asked.status_code == 200 and b'name="text"' in asked.content
    assert done.status_code == 302
    assert CaseNote.objects.get(case=case).text == "Called: a car deposit."
    assert AuditEvent.objects.filter(action="risk.case.note", actor=officers[0]).exists()


def test_a_rule_version_that_does_not_type_check_is_refused_in_the_admin(officers: Any) -> None:
    client = admin_client_for(officers[0])
    rule = RuleVersion.objects.get(rule__code="velocity_count").rule
    before = RuleVersion.objects.count()

    response = client.post(
        "/admin/risk/ruleversion/add/",
        {
            "rule": rule.pk,
            "expression": 'out_count_1h >= "many"',
            "score": 10,
            "outcome": "ALLOW",
            "explanation_en": "x",
            "explanation_zh": "x",
        },
    )

    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert RuleVersion.objects.count() == before


def test_thresholds_out_of_order_in_the_admin_change_nothing(officers: Any) -> None:
    client = admin_client_for(officers[0])
    scenario = RiskScenario.objects.get(code="payments")

    with translation.override("en"):
        client.post(
            f"/admin/risk/riskscenario/{scenario.pk}/change/", {"review_threshold": 120, "block_threshold": 100}
        )

    scenario.refresh_from_db()
    assert (scenario.review_threshold, scenario.block_threshold) == (50, 100)


def test_a_manager_of_another_branch_sees_no_case(alice: Customer) -> None:
    Customer.objects.filter(pk=alice.pk).update(home_branch=BranchFactory())
    case = _structuring_case(alice)
    manager = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=BranchFactory())
    client = admin_client_for(manager)

    listing = client.get("/admin/risk/case/")
    page = client.get(f"/admin/risk/case/{case.pk}/change/")

    assert listing.status_code == 200 and f"/admin/risk/case/{case.pk}/change/" not in listing.content.decode()
    assert page.status_code == 302  # "does not exist" redirect


def test_the_customer_page_shows_the_risk_panel_to_officers_only(alice: Customer, officers: Any) -> None:
    case = _structuring_case(alice)
    teller = StaffFactory(roles=[StaffRole.TELLER], branch=BranchFactory())
    Customer.objects.filter(pk=alice.pk).update(home_branch=teller.staff_profile.branch)

    page = admin_client_for(officers[0]).get(f"/admin/accounts/customer/{alice.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    holds = admin_client_for(officers[0]).get(f"/admin/risk/riskhold/?customer__id__exact={alice.pk}")
    teller_page = admin_client_for(teller).get(f"/admin/accounts/customer/{alice.pk}/change/")

    assert page.status_code == 200 and 'id="desk-risk"' in page.content.decode()
    assert f"/admin/risk/case/{case.pk}/change/" in page.content.decode()
    assert holds.status_code == 200
    assert teller_page.status_code == 200 and 'id="desk-risk"' not in teller_page.content.decode()
