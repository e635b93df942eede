"""SLA escalation run by several beat workers at once, and a status change racing a customer's
answer: real threads, each its own connection and transaction."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from accounts.models import StaffRole
from core.models import AuditEvent
from feedback.models import Ticket, TicketMessage
from feedback.services.tickets import ticket_status_change, tickets_escalate_overdue
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.feedback.factories_tickets import complaint
from tests.payments.test_concurrency import run_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_parallel_escalation_runs_escalate_each_ticket_once() -> None:
    branch = BranchFactory()
    StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=branch)
    tickets = [complaint(CustomerFactory(home_branch=branch)) for _ in range(5)]
    later = max(t.due_at for t in tickets) + timedelta(minutes=1)

    outcomes = run_threads(4, lambda i: str(tickets_escalate_overdue(now=later)))

    assert sum(int(k) * v for k, v in outcomes.items()) == 5
    assert Ticket.objects.filter(escalated_at__isnull=False).count() == 5
    assert AuditEvent.objects.filter(action="feedback.ticket.escalate").count() == 5
    assert TicketMessage.objects.filter(author="SYSTEM").count() == 5


def test_two_officers_closing_and_reopening_at_once_leave_a_legal_history() -> None:
    customer = CustomerFactory()
    ticket = complaint(customer)
    officers = [StaffFactory(roles=[StaffRole.CUSTOMER_SERVICE], branch=customer.home_branch) for _ in range(2)]
    ticket_status_change(staff=officers[0], ticket=ticket, status="RESOLVED")
    moves = ["CLOSED", "IN_PROGRESS"]

    outcomes = run_threads(
        2, lambda i: ticket_status_change(staff=officers[i], ticket=ticket.pk, status=moves[i]).status
    )

    ticket.refresh_from_db()
    # Either order is legal, except reopening after the close: then it is refused under the lock.
    assert outcomes in (Counter({"CLOSED": 1, "IN_PROGRESS": 1}), Counter({"CLOSED": 1, "ticket_closed": 1}))
    if outcomes["ticket_closed"]:
        assert ticket.status == "CLOSED"
