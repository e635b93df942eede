"""Tickets: the customer's conversation through the API, staff replies in the admin (branch-scoped,
audited), legal status transitions only, rating the handling once, and SLA escalation to the branch
manager with an injected clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import StaffRole
from core.models import AuditEvent, OutboxEvent
from feedback.models import Ticket, TicketMessage
from feedback.services.tickets import (
    TOPIC_TICKET_RESOLVED,
    ticket_staff_reply,
    ticket_status_change,
    tickets_escalate_overdue,
)
from tests.accounts.conftest import admin_client_for, bearer_client
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.feedback.factories_tickets import complaint

pytestmark = pytest.mark.django_db


def _officer(branch, role=StaffRole.CUSTOMER_SERVICE):  # type: ignore[no-untyped-def]
    return StaffFactory(roles=[role], branch=branch)


# --- the customer's side -------------------------------------------------------------------------
def test_the_customer_reads_the_staff_reply_and_answers_which_puts_the_ticket_back_in_progress() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer)
    ticket_staff_reply(staff=_officer(customer.home_branch), ticket=ticket, text="请提供转账时间。")
    client = bearer_client(customer)

    shown = client.get(f"/api/v1/tickets/{ticket.public_id}").json()
    answer = client.post(f"/api/v1/tickets/{ticket.public_id}/messages", {"text": "昨天下午三点"}, format="json")

    assert shown["status"] == "WAITING_FOR_CUSTOMER"
    assert [(m["author"], m["text"]) for m in shown["messages"]] == [
        ("CUSTOMER", "转账到账太慢了"),
        ("STAFF", "请提供转账时间。"),
    ]
    assert answer.status_code == 201, answer.json()
    ticket.refresh_from_db()
    assert ticket.status == "IN_PROGRESS"
    assert client.get("/api/v1/tickets").json()["results"][0]["id"] == str(ticket.public_id)


def test_replying_to_someone_elses_ticket_is_a_404_and_adds_nothing() -> None:
    owner, other = CustomerFactory(), CustomerFactory()
    ticket = complaint(owner)
    client = bearer_client(other)

    for body in ({"text": "我来插一句"}, {}):
        response = client.post(f"/api/v1/tickets/{ticket.public_id}/messages", body, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/tickets/{ticket.public_id}").status_code == 404
    assert client.post(f"/api/v1/tickets/{ticket.public_id}/rating", {"rating": 5}, format="json").status_code == 404
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_an_empty_answer_is_a_400_and_adds_nothing() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer)

    response = bearer_client(customer).post(
        f"/api/v1/tickets/{ticket.public_id}/messages", {"text": "  "}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert TicketMessage.objects.filter(ticket=ticket).count() == 1


def test_a_closed_ticket_takes_no_answer() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer)
    ticket_status_change(staff=_officer(customer.home_branch), ticket=ticket, status="CLOSED")

    response = bearer_client(customer).post(
        f"/api/v1/tickets/{ticket.public_id}/messages", {"text": "还有问题"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "ticket_closed"


def test_the_handling_is_rated_once_after_resolution() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer)
    client = bearer_client(customer)
    url = f"/api/v1/tickets/{ticket.public_id}/rating"

    early = client.post(url, {"rating": 5}, format="json")
    ticket_status_change(staff=_officer(customer.home_branch), ticket=ticket, status="RESOLVED")
    out_of_range = client.post(url, {"rating": 6}, format="json")
    rated = client.post(url, {"rating": 4, "comment": "还行"}, format="json")
    again = client.post(url, {"rating": 1}, format="json")

    assert (early.status_code, early.json()["code"]) == (409, "ticket_not_resolved")
    assert (out_of_range.status_code, out_of_range.json()["code"]) == (400, "invalid_request")
    assert rated.status_code == 200 and rated.json()["handling_rating"] == 4
    assert (again.status_code, again.json()["code"]) == (409, "ticket_already_rated")
    ticket.refresh_from_db()
    assert (ticket.handling_rating, ticket.handling_comment) == (4, "还行")


# --- transitions ----------------------------------------------------------------------------------
def test_only_legal_transitions_apply_and_resolving_publishes_the_event() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer)
    officer = _officer(customer.home_branch)

    ticket_status_change(staff=officer, ticket=ticket, status="IN_PROGRESS")
    ticket_status_change(staff=officer, ticket=ticket, status="RESOLVED")
    ticket_status_change(staff=officer, ticket=ticket, status="CLOSED")
    with pytest.raises(Exception) as refused:
        ticket_status_change(staff=officer, ticket=ticket, status="IN_PROGRESS")

    assert getattr(refused.value, "code", None) == "ticket_closed"
    ticket.refresh_from_db()
    assert ticket.status == "CLOSED" and ticket.resolved_at is not None and ticket.closed_at is not None
    assert OutboxEvent.objects.filter(topic=TOPIC_TICKET_RESOLVED, key=str(ticket.public_id)).count() == 1
    assert list(
        AuditEvent.objects.filter(action="feedback.ticket.status", object_id=str(ticket.pk))
        .order_by("id")
        .values_list("changes__status", flat=True)
    ) == [["OPEN", "IN_PROGRESS"], ["IN_PROGRESS", "RESOLVED"], ["RESOLVED", "CLOSED"]]


def test_staff_of_another_branch_cannot_reply_or_change_status() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer)
    outsider = _officer(BranchFactory(), StaffRole.BRANCH_MANAGER)
    teller_here = _officer(customer.home_branch, StaffRole.TELLER)

    with pytest.raises(Exception) as elsewhere:
        ticket_staff_reply(staff=outsider, ticket=ticket, text="hello")
    with pytest.raises(Exception) as no_permission:
        ticket_staff_reply(staff=teller_here, ticket=ticket, text="hello")

    assert getattr(elsewhere.value, "code", None) == "not_found"
    assert getattr(no_permission.value, "code", None) == "permission_denied"
    assert TicketMessage.objects.filter(ticket=ticket, author="STAFF").count() == 0


def test_a_staff_reply_in_the_admin_is_audited_and_shown_to_the_customer() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer)
    officer = _officer(customer.home_branch)
    admin = admin_client_for(officer)

    page = admin.get(f"/admin/feedback/ticket/{ticket.pk}/reply/")
    response = admin.post(
        f"/admin/feedback/ticket/{ticket.pk}/reply/", {"text": "已为您加急处理。", "status": "RESOLVED"}
    )

    assert page.status_code == 200
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "RESOLVED"
    event = AuditEvent.objects.get(action="feedback.ticket.reply")
    assert (event.actor_id, event.object_id, event.changes["status"]) == (
        officer.pk,
        str(ticket.pk),
        ["OPEN", "RESOLVED"],
    )
    messages = bearer_client(customer).get(f"/api/v1/tickets/{ticket.public_id}").json()["messages"]
    assert messages[-1] == {**messages[-1], "author": "STAFF", "text": "已为您加急处理。"}


def test_the_admin_reply_page_of_another_branchs_ticket_is_a_404() -> None:
    ticket = complaint(CustomerFactory())
    outsider = admin_client_for(_officer(BranchFactory(), StaffRole.BRANCH_MANAGER))

    assert outsider.get(f"/admin/feedback/ticket/{ticket.pk}/reply/").status_code == 404
    assert (
        outsider.post(f"/admin/feedback/ticket/{ticket.pk}/reply/", {"text": "x", "status": "RESOLVED"}).status_code
        == 404
    )
    assert outsider.get(f"/admin/feedback/ticket/{ticket.pk}/change/").status_code in (302, 404)


# --- SLA escalation (injected clock) --------------------------------------------------------------
def test_a_ticket_past_its_sla_is_escalated_to_the_branch_manager_once() -> None:
    branch = BranchFactory()
    customer = CustomerFactory(home_branch=branch)
    StaffFactory(roles=[StaffRole.TELLER], branch=branch)
    manager = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=branch)
    ticket = complaint(customer)
    due = ticket.due_at

    before = tickets_escalate_overdue(now=due - timedelta(minutes=1))
    at_breach = tickets_escalate_overdue(now=due + timedelta(minutes=1))
    again = tickets_escalate_overdue(now=due + timedelta(hours=5))

    assert (before, at_breach, again) == (0, 1, 0)
    ticket.refresh_from_db()
    assert (ticket.escalated_at, ticket.escalated_to_id) == (due + timedelta(minutes=1), manager.pk)
    event = AuditEvent.objects.get(action="feedback.ticket.escalate")
    assert (event.actor_id, event.object_id, event.changes["role"], event.changes["to"]) == (
        None,
        str(ticket.pk),
        "BRANCH_MANAGER",
        manager.username,
    )
    assert TicketMessage.objects.filter(ticket=ticket, author="SYSTEM").count() == 1
    # The customer does not see internal notes.
    shown = bearer_client(customer).get(f"/api/v1/tickets/{ticket.public_id}").json()["messages"]
    assert [m["author"] for m in shown] == ["CUSTOMER"]


def test_the_manager_of_the_parent_branch_is_found_when_the_branch_has_none() -> None:
    region = BranchFactory()
    branch = BranchFactory(parent=region)
    manager = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=region)
    ticket = complaint(CustomerFactory(home_branch=branch))

    assert tickets_escalate_overdue(now=ticket.due_at + timedelta(seconds=1)) == 1

    ticket.refresh_from_db()
    assert ticket.escalated_to_id == manager.pk


def test_tickets_waiting_for_the_customer_or_resolved_are_not_escalated() -> None:
    customer = CustomerFactory()
    officer = _officer(customer.home_branch)
    waiting, resolved, running = complaint(customer), complaint(customer), complaint(customer)
    ticket_staff_reply(staff=officer, ticket=waiting, text="请补充信息")
    ticket_status_change(staff=officer, ticket=resolved, status="RESOLVED")
    ticket_status_change(staff=officer, ticket=running, status="IN_PROGRESS")
    later = timezone.now() + timedelta(days=30)

    assert tickets_escalate_overdue(now=later) == 1

    assert list(Ticket.objects.filter(escalated_at__isnull=False).values_list("pk", flat=True)) == [running.pk]


def test_sla_hours_come_from_settings_by_priority(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FEEDBACK_TICKET_SLA_HOURS = {**settings.FEEDBACK_TICKET_SLA_HOURS, "NORMAL": 2}
    ticket = complaint(CustomerFactory())

    assert ticket.due_at - ticket.created_at == pytest.approx(timedelta(hours=2), abs=timedelta(seconds=5))
    assert tickets_escalate_overdue(now=ticket.created_at + timedelta(hours=1)) == 0
    assert tickets_escalate_overdue(now=ticket.created_at + timedelta(hours=2, seconds=10)) == 1


def test_a_priority_change_in_the_admin_recomputes_the_deadline_and_is_audited() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer)
    manager = _officer(customer.home_branch, StaffRole.BRANCH_MANAGER)

    response = admin_client_for(manager).post(
        "/admin/feedback/ticket/",
        {"action": "set_priority", "_selected_action": [ticket.pk], "apply": "1", "priority": "URGENT"},
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == "URGENT"
    assert ticket.due_at - ticket.created_at == timedelta(hours=4)
    assert AuditEvent.objects.get(action="feedback.ticket.priority").changes["priority"] == ["NORMAL", "URGENT"]


def test_the_resolve_action_in_the_admin_moves_the_selected_tickets() -> None:
    customer = CustomerFactory()
    tickets = [complaint(customer), complaint(customer)]
    officer = _officer(customer.home_branch)

    response = admin_client_for(officer).post(
        "/admin/feedback/ticket/",
        {"action": "resolve", "_selected_action": [t.pk for t in tickets], "apply": "1", "text": "已处理"},
    )

    assert response.status_code == 302
    assert set(Ticket.objects.values_list("status", flat=True)) == {"RESOLVED"}
    assert AuditEvent.objects.filter(action="feedback.ticket.status", reason="已处理").count() == 2


def test_the_ticket_page_shows_the_conversation_to_a_teller_of_the_branch() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer, text="柜台排队太久")
    teller = _officer(customer.home_branch, StaffRole.TELLER)

    page = admin_client_for(teller).get(f"/admin/feedback/ticket/{ticket.pk}/change/")

    assert page.status_code == 200
    assert page.content.decode().count("柜台排队太久") >= 2  # the complaint and the first message
