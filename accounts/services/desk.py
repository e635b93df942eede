"""What the branch desk does to a customer beyond status and reveal: branch attribution.

A customer registered in the app has no home branch until a branch takes them on. Attributing
such a customer to one's own branch tree is part of serving them (tellers included); moving a
customer who already belongs to a branch needs ``accounts.change_customer_branch`` (branch
managers, administrators). Both need a reason and write ``accounts.customer.home_branch``.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from accounts import errors
from accounts.models import Branch, Customer
from accounts.selectors import (
    SEARCH_GRANT_SECONDS,
    SEARCH_GRANT_SESSION_KEY,
    branch_list_assignable_by_staff,
    customer_exact_term_kind,
    customer_filter_exact,
    customer_qs_visible_to_staff,
)
from accounts.services.staff import _reason_required
from core.audit import audit_record
from core.throttling import attempt_take


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


# --- exact search and reveal: audited, rate-limited ---------------------------------------------

SEARCH_MISS_LIMIT = 20  # exact searches that found nobody, per staff member ...
SEARCH_MISS_WINDOW_SECONDS = 10 * 60  # ... per window (fixed, from the first miss)
REVEAL_LIMIT = 30  # reveals of a masked field, per staff member ...
REVEAL_WINDOW_SECONDS = 60 * 60  # ... per hour
REVEAL_REASON_MIN_LENGTH = 5


class SearchThrottled(errors.DomainError):
    code = "search_throttled"
    status_code = 429
    default_message = gettext_lazy(
        "Too many searches that found nobody. Wait a few minutes, or ask a colleague who may reveal the data."
    )


class RevealThrottled(errors.DomainError):
    code = "reveal_throttled"
    status_code = 429
    default_message = gettext_lazy("Too many reveals in the last hour. Try again later.")


def _search_miss_key(staff: Any) -> str:
    return f"desk:search-miss:{staff.pk}"


def customer_exact_search(*, staff: Any, term: str, request: HttpRequest | None = None) -> list[Customer]:
    """Find customers by full phone number, national ID number or customer id in the staff
    member's SEARCH scope (``customer_qs_visible_to_staff``), writing ``accounts.customer.search``
    (whether it matched, the kind of term and its blind index: never the number in clear).

    Misses are counted per staff member in Redis, atomically before the look-up: past
    ``SEARCH_MISS_LIMIT`` in ``SEARCH_MISS_WINDOW_SECONDS`` every search raises ``SearchThrottled``
    (audited too), so the hidden digits of a masked phone cannot be tried one by one. A match
    gives its attempt back. Customers found are recorded in ``request.session`` for
    ``SEARCH_GRANT_SECONDS`` (``customer_qs_browsable`` then lets the staff member open them).
    """
    kind, key = customer_exact_term_kind(term)
    miss_key = _search_miss_key(staff)
    attempts = attempt_take(miss_key, SEARCH_MISS_WINDOW_SECONDS)
    changes: dict[str, Any] = {"kind": kind, "term_index": key}
    if attempts > SEARCH_MISS_LIMIT:
        audit_record(
            action="accounts.customer.search", actor=staff, request=request, changes={**changes, "throttled": True}
        )
        raise SearchThrottled()
    found = list(customer_filter_exact(customer_qs_visible_to_staff(staff), kind, key)[:2])
    if found:
        cache.decr(miss_key)
    audit_record(
        action="accounts.customer.search",
        actor=staff,
        obj=found[0] if len(found) == 1 else None,
        request=request,
        changes={**changes, "matched": bool(found)},
    )
    session = getattr(request, "session", None)
    if found and session is not None:
        oldest = time.time() - SEARCH_GRANT_SECONDS
        granted = {
            pk: at
            for pk, at in (session.get(SEARCH_GRANT_SESSION_KEY) or {}).items()
            if isinstance(at, (int, float)) and at >= oldest
        }
        granted.update({str(customer.pk): time.time() for customer in found})
        session[SEARCH_GRANT_SESSION_KEY] = granted
    return found


def reveal_attempt_take(*, staff: Any, reason: str) -> str:
    """Check a reveal before ``customer_pii_reveal``: a reason of at least
    ``REVEAL_REASON_MIN_LENGTH`` characters (stripped) and at most ``REVEAL_LIMIT`` reveals per
    staff member per hour (counted atomically in Redis). Returns the stripped reason."""
    reason = (reason or "").strip()
    if len(reason) < REVEAL_REASON_MIN_LENGTH:
        raise errors.DomainError(
            gettext("Give a reason of at least %(n)d characters.") % {"n": REVEAL_REASON_MIN_LENGTH},
            code="reason_required",
        )
    if attempt_take(f"desk:reveal:{staff.pk}", REVEAL_WINDOW_SECONDS) > REVEAL_LIMIT:
        raise RevealThrottled()
    return reason
