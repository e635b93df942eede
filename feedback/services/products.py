"""Bank products in the wallet: a customer's interest or application becomes a lead routed to their
home branch with a first-contact SLA; branch staff move it through its statuses. Nothing here
decides credit: CONVERTED means "handed to the product's own process at the branch"."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from accounts.selectors import staff_branch_ids, staff_is_bank_wide
from core.audit import audit_record
from core.errors import DomainError
from feedback.errors_messages import (
    ContentInvalid,
    LeadAlreadyOpen,
    LeadTransitionInvalid,
    ProductNotEligible,
    ProductNotFound,
    StaffPermissionRequired,
)
from feedback.models_messages import LEAD_OPEN_STATUSES, Lead, Product
from feedback.selectors_messages import product_eligible_for
from feedback.services.articles import require_perm

__all__ = ["LEAD_TRANSITIONS", "lead_create", "lead_take", "lead_transition", "lead_withdraw", "product_save"]

S = Lead.Status
LEAD_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.NEW: (S.CONTACTED, S.NOT_PROCEEDING),
    S.CONTACTED: (S.IN_PROGRESS, S.CONVERTED, S.NOT_PROCEEDING),
    S.IN_PROGRESS: (S.CONVERTED, S.NOT_PROCEEDING),
}
_CLOSED = (S.CONVERTED, S.NOT_PROCEEDING, S.WITHDRAWN)


class LeadNotFound(DomainError):
    code = "not_found"
    status_code = 404
    default_message = _("No such lead of yours.")


def lead_create(*, customer: Customer, product_id: uuid.UUID, kind: str, note: str = "") -> Lead:
    """The customer's interest (INTEREST) or application (APPLICATION) for an offered product they
    are eligible for, queued to their home branch (none: the bank-wide queue) with the product's
    SLA. One open lead per product and customer: a second is 409 ``lead_already_open`` (also under
    a race: the partial unique constraint decides)."""
    product = Product.objects.filter(public_id=product_id, active=True).first()
    if product is None:
        raise ProductNotFound()
    if not product_eligible_for(product, customer):
        raise ProductNotEligible()
    now = timezone.now()
    with transaction.atomic(durable=True):
        if Lead.objects.filter(product=product, customer=customer, status__in=LEAD_OPEN_STATUSES).exists():
            raise LeadAlreadyOpen()
        try:
            with transaction.atomic():
                lead = Lead.objects.create(
                    product=product,
                    customer=customer,
                    branch_id=customer.home_branch_id,
                    kind=kind,
                    note=note.strip(),
                    sla_due_at=now + timedelta(hours=product.lead_sla_hours),
                )
        except IntegrityError:
            raise LeadAlreadyOpen() from None
    lead.product = product
    return lead


def lead_withdraw(*, customer: Customer, lead_id: uuid.UUID) -> Lead:
    """The customer takes back one of THEIR open leads (another's or unknown: 404)."""
    with transaction.atomic(durable=True):
        lead = Lead.objects.select_for_update().filter(customer=customer, public_id=lead_id).first()
        if lead is None:
            raise LeadNotFound()
        if lead.status in LEAD_OPEN_STATUSES:
            lead.status = S.WITHDRAWN
            lead.closed_at = timezone.now()
            lead.save(update_fields=["status", "closed_at", "updated_at"])
    return Lead.objects.select_related("product").get(pk=lead.pk)


def _locked_in_scope(lead_id: int, by: User) -> Lead:
    """The lead under its row lock, if ``by`` may work it: their branch tree (bank-wide roles: all)."""
    require_perm(by, "feedback.work_lead")
    lead = Lead.objects.select_for_update().filter(pk=lead_id).first()
    if lead is None:
        raise LeadNotFound()
    if not staff_is_bank_wide(by) and lead.branch_id not in staff_branch_ids(by):
        raise StaffPermissionRequired()
    return lead


def lead_transition(*, lead_id: int, by: User, to: str, reason: str = "", request: HttpRequest | None = None) -> Lead:
    """Move a lead on (``LEAD_TRANSITIONS``); NOT_PROCEEDING needs a reason. The first move records
    the first contact (the SLA's end); an unassigned lead becomes the mover's."""
    reason = (reason or "").strip()
    if to == S.NOT_PROCEEDING and len(reason) < 2:
        raise ContentInvalid(details={"reason": "required"})
    with transaction.atomic(durable=True):
        lead = _locked_in_scope(lead_id, by)
        if to not in LEAD_TRANSITIONS.get(lead.status, ()):
            raise LeadTransitionInvalid()
        now = timezone.now()
        before = lead.status
        lead.status = to
        if lead.first_contacted_at is None:
            lead.first_contacted_at = now
        if lead.assigned_to_id is None:
            lead.assigned_to = by
        if to in _CLOSED:
            lead.closed_at = now
        lead.save(update_fields=["status", "first_contacted_at", "assigned_to", "closed_at", "updated_at"])
        audit_record(
            action="feedback.lead.transition",
            actor=by,
            obj=lead,
            reason=reason,
            changes={"status": [before, to], "sla_met": lead.first_contacted_at <= lead.sla_due_at},
            request=request,
        )
    return lead


def lead_take(*, lead_id: int, by: User, request: HttpRequest | None = None) -> Lead:
    """Assign an open lead of my branch to me."""
    with transaction.atomic(durable=True):
        lead = _locked_in_scope(lead_id, by)
        if lead.status not in LEAD_OPEN_STATUSES:
            raise LeadTransitionInvalid()
        before: Any = lead.assigned_to_id
        lead.assigned_to = by
        lead.save(update_fields=["assigned_to", "updated_at"])
        audit_record(
            action="feedback.lead.take", actor=by, obj=lead, changes={"assigned_to": [before, by.pk]}, request=request
        )
    return lead


def product_save(
    *, by: User, product_id: int | None, data: dict[str, Any], request: HttpRequest | None = None
) -> Product:
    """Create (``product_id`` None) or change a catalogue entry (the admin form has validated the
    fields and the eligibility document); audited with the fields that changed."""
    require_perm(by, "feedback.change_product" if product_id else "feedback.add_product")
    with transaction.atomic(durable=True):
        if product_id is None:
            product = Product.objects.create(**data)
            changed = sorted(data)
        else:
            product = Product.objects.select_for_update().get(pk=product_id)
            changed = sorted(f for f, v in data.items() if getattr(product, f) != v)
            for field, value in data.items():
                setattr(product, field, value)
            product.save()
        audit_record(
            action="feedback.product.create" if product_id is None else "feedback.product.change",
            actor=by,
            obj=product,
            changes={"fields": changed},
            request=request,
        )
    return product
