"""Reads of feedback and tickets: every customer read is scoped to the customer (another customer's
object is None, and the API answers 404), every staff read to the staff member's branch tree."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from accounts.models import Customer, StaffRole
from accounts.selectors import staff_branch_ids, staff_has_role, staff_is_bank_wide
from core.pagination import Page, queryset_page
from feedback.models import Feedback, FeedbackAttachment, Ticket

__all__ = [
    "attachment_get_for_customer",
    "attachment_qs_for_staff",
    "feedback_get_for_customer",
    "feedback_page_for_customer",
    "feedback_qs_for_staff",
    "ticket_get_for_customer",
    "ticket_page_for_customer",
    "ticket_qs_for_staff",
]

ORDERING = ("-created_at", "-id")


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def feedback_page_for_customer(*, customer: Customer, token: str | None, size: int) -> Page[Feedback]:
    qs = Feedback.objects.filter(customer=customer).select_related("transfer", "ticket").prefetch_related("attachments")
    return queryset_page(qs, ordering=ORDERING, token=token, size=size)


def feedback_get_for_customer(*, customer: Customer, public_id: Any) -> Feedback | None:
    key = _uuid(public_id)
    if key is None:
        return None
    return (
        Feedback.objects.filter(customer=customer, public_id=key)
        .select_related("transfer", "ticket")
        .prefetch_related("attachments")
        .first()
    )


def attachment_get_for_customer(*, customer: Customer, public_id: Any) -> FeedbackAttachment | None:
    key = _uuid(public_id)
    if key is None:
        return None
    return FeedbackAttachment.objects.filter(public_id=key, feedback__customer=customer).first()


def ticket_page_for_customer(*, customer: Customer, token: str | None, size: int) -> Page[Ticket]:
    qs = Ticket.objects.filter(customer=customer).select_related("feedback")
    return queryset_page(qs, ordering=ORDERING, token=token, size=size)


def ticket_get_for_customer(*, customer: Customer, public_id: Any) -> Ticket | None:
    key = _uuid(public_id)
    if key is None:
        return None
    return (
        Ticket.objects.filter(customer=customer, public_id=key)
        .select_related("feedback")
        .prefetch_related("messages")
        .first()
    )


def _branch_scope(user: Any, branch_path: str) -> Q | None:
    """None: everything (bank-wide roles). Else the branch tree; customer service also works the
    queue of customers attributed to no branch (registered in the app)."""
    if staff_is_bank_wide(user):
        return None
    condition = Q(**{f"{branch_path}__in": staff_branch_ids(user)})
    if staff_has_role(user, StaffRole.CUSTOMER_SERVICE):
        condition |= Q(**{f"{branch_path}__isnull": True})
    return condition


def ticket_qs_for_staff(user: Any) -> QuerySet[Ticket]:
    """Tickets a staff member works: their branch tree's queue (bank-wide roles: every queue)."""
    qs = Ticket.objects.select_related("customer", "branch", "escalated_to", "feedback")
    condition = _branch_scope(user, "branch")
    return qs if condition is None else qs.filter(condition)


def _feedback_scope(user: Any, prefix: str) -> Q | None:
    """Feedback of the customers of the staff member's branch tree, and the feedback behind the
    tickets they work: a ticket stays in the queue it was opened in when its customer later moves
    (or an app customer is attributed to a branch), and its officers keep seeing its screenshots."""
    by_customer = _branch_scope(user, f"{prefix}customer__home_branch")
    by_ticket = _branch_scope(user, f"{prefix}ticket__branch")
    if by_customer is None or by_ticket is None:
        return None
    # ``ticket__branch__isnull`` alone also holds for feedback that opened no ticket at all.
    return by_customer | (Q(**{f"{prefix}ticket__isnull": False}) & by_ticket)


def feedback_qs_for_staff(user: Any) -> QuerySet[Feedback]:
    qs = Feedback.objects.select_related("customer", "transfer")
    condition = _feedback_scope(user, "")
    return qs if condition is None else qs.filter(condition)


def attachment_qs_for_staff(user: Any) -> QuerySet[FeedbackAttachment]:
    qs = FeedbackAttachment.objects.select_related("feedback")
    condition = _feedback_scope(user, "feedback__")
    return qs if condition is None else qs.filter(condition)
