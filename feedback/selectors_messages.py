"""Reads of messages, articles, the inbox, products and leads. Every customer read is scoped to the
customer; staff reads of leads to the staff member's branch tree (bank-wide roles: all)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Count, Q, QuerySet

from accounts.models import Customer
from accounts.selectors import staff_branch_ids, staff_is_bank_wide
from core.pagination import Page, queryset_page
from feedback.models_messages import Article, Lead, Message, MessageDelivery, Product
from promotions.rules import RulesInvalid, segment_parse
from promotions.selectors_segments import CustomerFacts, customer_facts, segment_matches

__all__ = [
    "MessageStats",
    "articles_page",
    "inbox_item_get",
    "inbox_page_for_customer",
    "inbox_unread_count",
    "lead_get_for_customer",
    "lead_qs_for_staff",
    "leads_page_for_customer",
    "message_stats",
    "product_eligible_for",
    "products_for_customer",
]


# --- articles -------------------------------------------------------------------------------------
def articles_page(*, kind: str | None, token: str | None, size: int) -> Page[Article]:
    """Published articles, newest first (optionally one kind)."""
    qs = Article.objects.filter(status=Article.Status.PUBLISHED)
    if kind:
        qs = qs.filter(kind=kind)
    return queryset_page(qs, ordering=("-published_at", "-id"), token=token, size=size)


# --- the inbox ------------------------------------------------------------------------------------
def _inbox(customer: Customer) -> QuerySet[MessageDelivery]:
    return MessageDelivery.objects.filter(customer=customer).select_related("message", "message__article")


def inbox_page_for_customer(
    *, customer: Customer, unread_only: bool, token: str | None, size: int
) -> Page[MessageDelivery]:
    qs = _inbox(customer)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return queryset_page(qs, ordering=("-created_at", "-id"), token=token, size=size)


def inbox_unread_count(*, customer: Customer) -> int:
    return MessageDelivery.objects.filter(customer=customer, read_at__isnull=True).count()


def inbox_item_get(*, customer: Customer, item_id: uuid.UUID) -> MessageDelivery | None:
    return _inbox(customer).filter(public_id=item_id).first()


# --- statistics per message (admin) -------------------------------------------------------------------
@dataclass(frozen=True)
class MessageStats:
    delivered: int
    pushed: int
    read: int

    @property
    def read_rate_percent(self) -> str:
        return f"{self.read * 100 / self.delivered:.1f}" if self.delivered else "-"


def message_stats(message: Message) -> MessageStats:
    """Delivered, pushed and read counts of one message, in one aggregate query."""
    row = MessageDelivery.objects.filter(message=message).aggregate(
        delivered=Count("id"),
        pushed=Count("id", filter=Q(pushed_at__isnull=False)),
        read=Count("id", filter=Q(read_at__isnull=False)),
    )
    return MessageStats(delivered=row["delivered"], pushed=row["pushed"], read=row["read"])


# --- products -------------------------------------------------------------------------------------------
def _eligible(product: Product, facts: CustomerFacts | None, branch_ids: dict[int, Any]) -> bool:
    """``product.eligibility`` (a promotions segment) for one customer. Eligibility is not marketing:
    the criteria apply whatever the marketing consent (``reachable`` forced), to ACTIVE customers."""
    if facts is None:
        return False
    try:
        segment = segment_parse(product.eligibility or {})
    except RulesInvalid:
        return False  # an invalid document offers the product to nobody (the admin refuses to save one)
    return segment_matches(segment, facts, branch_ids=branch_ids.get(product.pk))


def _facts(customer: Customer) -> CustomerFacts | None:
    facts = customer_facts(customer.pk)
    if facts is None or customer.status != Customer.Status.ACTIVE:
        return None
    return replace(facts, reachable=True)


def product_eligible_for(product: Product, customer: Customer) -> bool:
    return product.active and _eligible(product, _facts(customer), {})


def products_for_customer(*, customer: Customer, category: str | None) -> list[Product]:
    """Offered products this customer is eligible for, in catalogue order (a short list)."""
    qs = Product.objects.filter(active=True).order_by("sort_order", "code")
    if category:
        qs = qs.filter(category=category)
    facts = _facts(customer)
    return [p for p in qs if _eligible(p, facts, {})]


# --- leads ---------------------------------------------------------------------------------------------
def leads_page_for_customer(*, customer: Customer, token: str | None, size: int) -> Page[Lead]:
    qs = Lead.objects.filter(customer=customer).select_related("product")
    return queryset_page(qs, ordering=("-created_at", "-id"), token=token, size=size)


def lead_get_for_customer(*, customer: Customer, lead_id: uuid.UUID) -> Lead | None:
    return Lead.objects.filter(customer=customer, public_id=lead_id).select_related("product").first()


def lead_qs_for_staff(user: Any) -> QuerySet[Lead]:
    """Leads a staff member may see: bank-wide roles all, branch staff their branch tree's."""
    qs = Lead.objects.select_related("product", "branch", "assigned_to")
    if staff_is_bank_wide(user):
        return qs
    return qs.filter(branch_id__in=sorted(staff_branch_ids(user)))
