"""What the branch desk does to a customer beyond status and reveal: branch attribution.

A customer registered in the app has no home branch until a branch takes them on. Attributing
such a customer to one's own branch tree is part of serving them (tellers included); moving a
customer who already belongs to a branch needs ``accounts.change_customer_branch`` (branch
managers, administrators). Both need a reason and write ``accounts.customer.home_branch``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from accounts import errors
from accounts.models import Branch, Customer
from accounts.selectors import branch_list_assignable_by_staff, customer_qs_visible_to_staff
from accounts.services.staff import _reason_required
from core.audit import audit_record


def _denied() -> errors.DomainError:
    return errors.DomainError(
        gettext("You do not have permission to do this."), code="permission_denied", status_code=403
    )


def customer_home_branch_change(
    *, staff: Any, customer: Customer, branch: Branch, reason: str, request: HttpRequest | None = None
) -> Customer:
    """Attribute ``customer`` to ``branch`` (owns its transaction; locks the customer row).

    * the customer must be visible to the staff member and ``branch`` within their assignable
      branches (their tree; any for bank-wide roles);
    * an unattributed customer: ``add_customer`` or ``change_customer`` is enough;
    * an attributed one: ``change_customer_branch``.
    """
    reason = _reason_required(reason)
    if not (staff.has_perm("accounts.add_customer") or staff.has_perm("accounts.change_customer")):
        raise _denied()
    if not customer_qs_visible_to_staff(staff).filter(pk=customer.pk).exists():
        raise errors.DomainError(code="not_found", status_code=404)
    if not branch_list_assignable_by_staff(staff).filter(pk=branch.pk).exists():
        raise _denied()
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        before = locked.home_branch
        if before is not None and not staff.has_perm("accounts.change_customer_branch"):
            raise _denied()
        if before is not None and before.pk == branch.pk:
            return locked
        locked.home_branch = branch
        locked.save(update_fields=["home_branch", "updated_at"])
        audit_record(
            action="accounts.customer.home_branch",
            actor=staff,
            obj=locked,
            reason=reason,
            request=request,
            changes={"home_branch": [before.code if before else None, branch.code], "at": timezone.now().isoformat()},
        )
    return locked
