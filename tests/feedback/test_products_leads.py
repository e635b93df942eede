"""Bank products and leads: eligibility by segment, a lead routed to the home branch with its SLA,
409 on a duplicate open lead (nothing stored), branch-scoped work in the admin with audit."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.test import RequestFactory

from accounts.models import Customer, StaffRole
from core.models import AuditEvent
from feedback.admin_messages import LeadAdmin
from feedback.errors_messages import LeadTransitionInvalid, StaffPermissionRequired
from feedback.models_messages import Lead, Product
from feedback.services.products import lead_take, lead_transition
from tests.accounts.conftest import admin_client_for
from tests.factories import BranchFactory, StaffFactory
from tests.feedback.fixtures_messages import (  # noqa: F401 - fixtures
    _messages_reference_data,
    customer,
    open_lead,
    product,
    pushed,
    token_client,
)

pytestmark = pytest.mark.django_db


def test_a_customer_sees_the_products_they_are_eligible_for_whatever_their_marketing_consent() -> None:
    deposit = product("DEP", sort_order=1)
    business = product(
        "SB", category=Product.Category.SMALL_BUSINESS_LOAN, eligibility={"customer_types": ["SMALL_BUSINESS"]}
    )
    product("OLD", active=False)
    person, shop = customer(), customer(customer_type=Customer.Type.SMALL_BUSINESS)

    mine = token_client(person).get("/api/v1/products", HTTP_ACCEPT_LANGUAGE="en").json()
    theirs = token_client(shop).get("/api/v1/products?category=SMALL_BUSINESS_LOAN").json()
    bad = token_client(person).get("/api/v1/products?category=CRYPTO")

    assert [p["code"] for p in mine["results"]] == ["DEP"]
    assert mine["results"][0]["name"] == "3-year deposit"
    assert [p["id"] for p in theirs["results"]] == [str(business.public_id)]
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_request")
    assert deposit.active


def test_interest_becomes_a_lead_at_the_home_branch_with_the_products_sla() -> None:
    branch = BranchFactory()
    me = customer(branch=branch)
    offered = product(lead_sla_hours=24)

    response = token_client(me).post(
        "/api/v1/leads",
        {"product_id": str(offered.public_id), "kind": "APPLICATION", "note": "下午方便"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    lead = Lead.objects.get(public_id=response.json()["id"])
    assert (lead.customer, lead.branch, lead.kind, lead.status) == (me, branch, "APPLICATION", "NEW")
    assert lead.sla_due_at - lead.created_at == pytest.approx(timedelta(hours=24), abs=timedelta(seconds=5))
    assert response.json()["product_name"] == offered.name_zh


def test_a_second_open_lead_for_the_same_product_is_409_and_stores_nothing() -> None:
    me = customer()
    offered = product()
    client = token_client(me)
    body = {"product_id": str(offered.public_id), "kind": "INTEREST"}
    first = client.post("/api/v1/leads", body, format="json")

    again = client.post("/api/v1/leads", {**body, "kind": "APPLICATION"}, format="json")

    assert first.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "lead_already_open")
    assert Lead.objects.filter(customer=me).count() == 1
    withdrawn = client.post(f"/api/v1/leads/{first.json()['id']}/withdraw")
    assert withdrawn.json()["status"] == "WITHDRAWN"
    assert client.post("/api/v1/leads", body, format="json").status_code == 201


@pytest.mark.parametrize(
    "body,status,code",
    [
        ({"kind": "INTEREST"}, 400, "invalid_request"),
        ({"product_id": "not-a-uuid", "kind": "INTEREST"}, 400, "invalid_request"),
        ({"product_id": "PRODUCT", "kind": "LOAN_NOW"}, 400, "invalid_request"),
        ({"product_id": "PRODUCT", "kind": "INTEREST", "note": 42}, 400, "invalid_request"),
        ({"product_id": "PRODUCT", "kind": "INTEREST", "note": "卡号 4111 1111 1111 1111"}, 400, "card_number_in_text"),
        ({"product_id": "PRODUCT", "kind": "INTEREST", "note": "x" * 501}, 400, "invalid_request"),
        ({"product_id": "UNKNOWN", "kind": "INTEREST"}, 404, "product_not_found"),
        ({"product_id": "BUSINESS", "kind": "INTEREST"}, 403, "product_not_eligible"),
    ],
)
def test_bad_lead_requests_are_a_clear_4xx_and_store_nothing(body: dict[str, object], status: int, code: str) -> None:
    ids = {
        "PRODUCT": str(product().public_id),
        "UNKNOWN": str(uuid.uuid4()),
        "BUSINESS": str(product(eligibility={"customer_types": ["SMALL_BUSINESS"]}).public_id),
    }
    payload = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}

    response = token_client(customer()).post("/api/v1/leads", payload, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert Lead.objects.count() == 0


def test_another_customers_lead_is_a_404() -> None:
    owner, other = customer(), customer()
    lead = open_lead(owner)
    client = token_client(other)

    assert client.get(f"/api/v1/leads/{lead.public_id}").status_code == 404
    assert client.post(f"/api/v1/leads/{lead.public_id}/withdraw").status_code == 404
    assert client.get("/api/v1/leads").json()["results"] == []
    lead.refresh_from_db()
    assert lead.status == "NEW"


def test_branch_staff_see_and_work_only_their_branchs_leads_audited() -> None:
    here, elsewhere = BranchFactory(), BranchFactory()
    lead = open_lead(customer(branch=here))
    teller = StaffFactory(roles=[StaffRole.TELLER], branch=here)
    stranger = StaffFactory(roles=[StaffRole.TELLER], branch=elsewhere)
    request = RequestFactory().get("/admin/")

    request.user = teller
    visible_here = list(LeadAdmin(Lead, None).get_queryset(request))  # type: ignore[arg-type]
    request.user = stranger
    visible_elsewhere = list(LeadAdmin(Lead, None).get_queryset(request))  # type: ignore[arg-type]
    with pytest.raises(StaffPermissionRequired):
        lead_transition(lead_id=lead.pk, by=stranger, to=Lead.Status.CONTACTED)
    with pytest.raises(LeadTransitionInvalid):
        lead_transition(lead_id=lead.pk, by=teller, to=Lead.Status.CONVERTED)
    contacted = lead_transition(lead_id=lead.pk, by=teller, to=Lead.Status.CONTACTED)

    assert (visible_here, visible_elsewhere) == ([lead], [])
    assert (contacted.status, contacted.assigned_to) == ("CONTACTED", teller)
    assert contacted.first_contacted_at is not None
    event = AuditEvent.objects.get(action="feedback.lead.transition", object_id=str(lead.pk))
    assert event.changes == {"status": ["NEW", "CONTACTED"], "sla_met": True}


def test_not_proceeding_needs_a_reason_and_closes_the_lead() -> None:
    branch = BranchFactory()
    lead = open_lead(customer(branch=branch))
    manager = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=branch)
    lead_take(lead_id=lead.pk, by=manager)

    with pytest.raises(Exception) as missing:
        lead_transition(lead_id=lead.pk, by=manager, to=Lead.Status.NOT_PROCEEDING)
    closed = lead_transition(lead_id=lead.pk, by=manager, to=Lead.Status.NOT_PROCEEDING, reason="客户暂不需要")

    assert getattr(missing.value, "code", "") == "content_invalid"
    assert closed.status == "NOT_PROCEEDING" and closed.closed_at is not None


def test_the_lead_admin_pages_open_for_branch_staff() -> None:
    branch = BranchFactory()
    lead = open_lead(customer(branch=branch))
    client = admin_client_for(StaffFactory(roles=[StaffRole.TELLER], branch=branch))

    changelist = client.get("/admin/feedback/lead/?contact=due")
    page = client.get(f"/admin/feedback/lead/{lead.pk}/change/")
    action = client.post(
        "/admin/feedback/lead/", {"action": "contacted_selected", "_selected_action": [lead.pk]}, follow=True
    )

    assert changelist.status_code == page.status_code == action.status_code == 200
    lead.refresh_from_db()
    assert lead.status == "CONTACTED"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_for_the_same_product_open_one_lead() -> None:
    import threading

    from django.db import connection

    from feedback.errors_messages import LeadAlreadyOpen
    from feedback.services.products import lead_create

    me, offered = customer(), product()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def ask() -> None:
        try:
            barrier.wait(timeout=10)
            lead_create(customer=me, product_id=offered.public_id, kind=Lead.Kind.INTEREST)
            outcomes.append("created")
        except LeadAlreadyOpen:
            outcomes.append("409")
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["409", "created"]
    assert Lead.objects.filter(customer=me, product=offered).count() == 1
