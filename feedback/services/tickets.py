"""Feedback and tickets (writes). Each function owns its transaction.

Locking contract: a ticket row is locked (``SELECT ... FOR UPDATE``) before its status is read for
a decision, and the decision is re-checked under the lock; only legal transitions
(``TRANSITIONS``) are applied. Staff actions are scope-checked again here (the admin's queryset is
not trusted) and audited; customer actions are scoped to the customer (another customer's ticket
is the same 404 as a ticket that does not exist).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Branch, Customer, StaffRole
from core.audit import audit_record
from core.errors import DomainError
from core.outbox import event_publish
from feedback.errors_tickets import (
    FeedbackNotFound,
    StaffActionRefused,
    TicketAlreadyRated,
    TicketClosed,
    TicketNotResolved,
    TicketTransitionRefused,
    TransactionNotFound,
)
from feedback.models import Feedback, FeedbackAttachment, Ticket, TicketMessage
from feedback.selectors_tickets import ticket_qs_for_staff
from feedback.services.attachments import attachment_delete, attachment_write, attachments_read
from payments.selectors import transfer_get_for_customer

__all__ = [
    "TOPIC_TICKET_RESOLVED",
    "TRANSITIONS",
    "feedback_create",
    "ticket_customer_reply",
    "ticket_priority_change",
    "ticket_rate",
    "ticket_staff_reply",
    "ticket_status_change",
    "tickets_escalate_overdue",
]

TOPIC_TICKET_RESOLVED = "feedback.ticket_resolved"
S = Ticket.Status
TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.WAITING_FOR_CUSTOMER, S.RESOLVED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.WAITING_FOR_CUSTOMER, S.RESOLVED, S.CLOSED}),
    S.WAITING_FOR_CUSTOMER: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.IN_PROGRESS, S.CLOSED}),  # reopened when the customer writes again
    S.CLOSED: frozenset(),
}
SLA_RUNNING = (S.OPEN, S.IN_PROGRESS)  # waiting for the customer does not breach the bank's SLA


def _sla_due(priority: str, start: datetime) -> datetime:
    return start + timedelta(hours=int(settings.FEEDBACK_TICKET_SLA_HOURS[priority]))


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(gettext("Write a few words."), code="invalid_request", details={"text": ["blank"]})
    return text


def feedback_create(
    *,
    customer: Customer,
    category: str,
    rating: int,
    text: str,
    transaction_id: uuid.UUID | None = None,
    files: Sequence[Any] = (),
    now: datetime | None = None,
) -> Feedback:
    """Store the customer's feedback with its screenshots; a COMPLAINT also opens a ticket queued
    to the customer's home branch. Every check runs before anything is written; the rows commit
    together, and files written for a transaction that rolls back are removed."""
    text = _clean_text(text)
    transfer = None
    if transaction_id is not None:
        transfer = transfer_get_for_customer(customer=customer, public_id=transaction_id)
        if transfer is None:
            raise TransactionNotFound()
    images = attachments_read(list(files))
    now = now or timezone.now()
    written: list[str] = []
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                customer=customer, category=category, rating=rating, text=text, transfer=transfer
            )
            for image in images:
                name = attachment_write(image)
                written.append(name)
                FeedbackAttachment.objects.create(
                    feedback=feedback,
                    content_type=image.content_type,
                    size_bytes=image.size,
                    sha256=image.sha256,
                    storage_name=name,
                )
            if category == Feedback.Category.COMPLAINT:
                priority = Ticket.Priority.HIGH if transfer is not None else Ticket.Priority.NORMAL
                ticket = Ticket.objects.create(
                    customer=customer,
                    feedback=feedback,
                    branch=customer.home_branch,
                    priority=priority,
                    due_at=_sla_due(priority, now),
                )
                TicketMessage.objects.create(ticket=ticket, author=TicketMessage.Author.CUSTOMER, text=text)
    except BaseException:
        for name in written:
            attachment_delete(name)
        raise
    return feedback


def _apply(ticket: Ticket, to: str, now: datetime) -> str:
    """Move a locked ticket to ``to`` if legal; returns the status it had."""
    before = ticket.status
    if to == before:
        return before
    if to not in TRANSITIONS[before]:
        if before == S.CLOSED:
            raise TicketClosed()
        raise TicketTransitionRefused(details={"from": before, "to": to})
    ticket.status = to
    if to == S.RESOLVED:
        ticket.resolved_at = now
        event_publish(
            topic=TOPIC_TICKET_RESOLVED,
            key=str(ticket.public_id),
            payload={
                "customer_id": str(ticket.customer.public_id),
                "ticket_id": str(ticket.public_id),
                "at": now.isoformat(),
            },
        )
    elif to == S.CLOSED:
        ticket.closed_at = now
    elif before == S.RESOLVED:
        ticket.resolved_at = None
    return before


def _locked_for_customer(customer: Customer, public_id: Any) -> Ticket:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("customer")
        .filter(customer=customer, public_id=public_id)
        .first()
    )
    if ticket is None:
        raise FeedbackNotFound()
    return ticket


def ticket_customer_reply(*, customer: Customer, public_id: uuid.UUID, text: str) -> TicketMessage:
    """The customer answers: a ticket waiting for them (or resolved) goes back to IN_PROGRESS."""
    text = _clean_text(text)
    with transaction.atomic():
        ticket = _locked_for_customer(customer, public_id)
        if ticket.status == S.CLOSED:
            raise TicketClosed()
        if ticket.status in (S.WAITING_FOR_CUSTOMER, S.RESOLVED):
            _apply(ticket, S.IN_PROGRESS, timezone.now())
            ticket.save(update_fields=["status", "resolved_at", "updated_at"])
        else:
            ticket.save(update_fields=["updated_at"])
        return TicketMessage.objects.create(ticket=ticket, author=TicketMessage.Author.CUSTOMER, text=text)


def ticket_rate(*, customer: Customer, public_id: uuid.UUID, rating: int, comment: str = "") -> Ticket:
    """Rate the handling once, after the ticket was resolved."""
    with transaction.atomic():
        ticket = _locked_for_customer(customer, public_id)
        if ticket.resolved_at is None and ticket.status != S.CLOSED:
            raise TicketNotResolved()
        if ticket.handling_rating is not None:
            raise TicketAlreadyRated()
        ticket.handling_rating, ticket.handling_comment, ticket.rated_at = rating, comment.strip(), timezone.now()
        ticket.save(update_fields=["handling_rating", "handling_comment", "rated_at", "updated_at"])
    return ticket


def _locked_for_staff(staff: Any, ticket: Ticket | int) -> Ticket:
    if not (getattr(staff, "is_active", False) and staff.has_perm("feedback.change_ticket")):
        raise StaffActionRefused()
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    locked = ticket_qs_for_staff(staff).select_for_update(of=("self",)).filter(pk=pk).first()
    if locked is None:
        raise FeedbackNotFound()
    return locked


def ticket_staff_reply(
    *, staff: Any, ticket: Ticket | int, text: str, status: str = S.WAITING_FOR_CUSTOMER, request: Any = None
) -> TicketMessage:
    """A staff member of the ticket's branch answers the customer (shown in the API), and moves the
    ticket on (by default: waiting for the customer). Audited."""
    text = _clean_text(text)
    with transaction.atomic():
        locked = _locked_for_staff(staff, ticket)
        if locked.status == S.CLOSED:
            raise TicketClosed()
        before = _apply(locked, status, timezone.now())
        locked.save(update_fields=["status", "resolved_at", "closed_at", "updated_at"])
        message = TicketMessage.objects.create(ticket=locked, author=TicketMessage.Author.STAFF, staff=staff, text=text)
        audit_record(
            action="feedback.ticket.reply",
            actor=staff,
            obj=locked,
            changes={"message": str(message.public_id), "status": [before, locked.status], "length": len(text)},
            request=request,
        )
    return message


def ticket_status_change(
    *, staff: Any, ticket: Ticket | int, status: str, note: str = "", request: Any = None
) -> Ticket:
    """Move a ticket along its legal transitions (row lock, re-checked under it). Audited."""
    with transaction.atomic():
        locked = _locked_for_staff(staff, ticket)
        before = _apply(locked, status, timezone.now())
        if before == locked.status:
            return locked
        locked.save(update_fields=["status", "resolved_at", "closed_at", "updated_at"])
        audit_record(
            action="feedback.ticket.status",
            actor=staff,
            obj=locked,
            reason=note,
            changes={"status": [before, locked.status]},
            request=request,
        )
    return locked


def ticket_priority_change(*, staff: Any, ticket: Ticket | int, priority: str, request: Any = None) -> Ticket:
    """Set the priority; the SLA deadline is recomputed from the ticket's creation. Audited."""
    if priority not in Ticket.Priority.values:
        raise TicketTransitionRefused(details={"priority": priority})
    with transaction.atomic():
        locked = _locked_for_staff(staff, ticket)
        if locked.status == S.CLOSED:
            raise TicketClosed()
        before = (locked.priority, locked.due_at.isoformat())
        locked.priority, locked.due_at = priority, _sla_due(priority, locked.created_at)
        locked.save(update_fields=["priority", "due_at", "updated_at"])
        audit_record(
            action="feedback.ticket.priority",
            actor=staff,
            obj=locked,
            changes={"priority": [before[0], priority], "due_at": [before[1], locked.due_at.isoformat()]},
            request=request,
        )
    return locked


def _branch_manager(branch: Branch | None) -> Any:
    """The first active branch manager of the branch, else of its parent branches (None: nobody)."""
    User = get_user_model()
    seen: set[int] = set()
    while branch is not None and branch.pk not in seen:
        seen.add(branch.pk)
        manager = (
            User.objects.filter(
                is_active=True, is_staff=True, groups__name=StaffRole.BRANCH_MANAGER, staff_profile__branch=branch
            )
            .order_by("id")
            .first()
        )
        if manager is not None:
            return manager
        branch = branch.parent
    return None


def tickets_escalate_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Escalate every ticket past its SLA (OPEN or IN_PROGRESS, not escalated yet) to the manager of
    its branch: ``escalated_at`` set once under the row lock, a system note on the ticket and an
    audit event. Safe to run twice or in parallel: an escalated (or locked) ticket is skipped."""
    now = now or timezone.now()
    overdue = Ticket.objects.filter(escalated_at__isnull=True, status__in=SLA_RUNNING, due_at__lt=now)
    done = 0
    for pk in list(overdue.order_by("due_at").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            ticket = (
                overdue.select_for_update(skip_locked=True, of=("self",)).select_related("branch").filter(pk=pk).first()
            )
            if ticket is None:
                continue  # escalated meanwhile, moved on, or another run holds it
            manager = _branch_manager(ticket.branch)
            ticket.escalated_at, ticket.escalated_to = now, manager
            ticket.save(update_fields=["escalated_at", "escalated_to", "updated_at"])
            TicketMessage.objects.create(
                ticket=ticket,
                author=TicketMessage.Author.SYSTEM,
                text=gettext("SLA breached (due %(due)s): escalated to the branch manager %(who)s.")
                % {"due": ticket.due_at.isoformat(), "who": manager.get_username() if manager is not None else "-"},
            )
            audit_record(
                action="feedback.ticket.escalate",
                obj=ticket,
                changes={
                    "role": str(StaffRole.BRANCH_MANAGER),
                    "to": manager.get_username() if manager is not None else None,
                    "branch": ticket.branch.code if ticket.branch is not None else None,
                    "due_at": ticket.due_at.isoformat(),
                },
            )
            done += 1
    return done
