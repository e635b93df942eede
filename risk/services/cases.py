"""What an officer does with a case: assign it, add notes, close it with a resolution; and the
customer's request for a human review (PIPL art. 24), answered by an officer. Every action is
scope-checked (the customer must be visible to the officer) and audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Customer
from accounts.selectors import customers_visible_to_staff
from core.audit import audit_record
from risk.errors import RiskActionRefused
from risk.models import Alert, Case, CaseNote, CustomerNotice, ReviewRequest, RiskHold
from risk.services.text import no_card_numbers as _no_card_numbers

__all__ = ["case_assign", "case_close", "case_note_add", "review_answer", "review_request_create"]

_OPEN_HOLDS = (RiskHold.Status.HELD, RiskHold.Status.REVERSAL_REQUESTED)


def _text(value: object, *, minimum: int = 2, code: str = "reason_required") -> str:
    if not isinstance(value, str) or len(value.strip()) < minimum:
        raise RiskActionRefused(gettext("Write a few words."), code=code)
    _no_card_numbers(value)
    return value.strip()[:2000]


def _officer_on(officer: Any, customer_id: int, perm: str = "risk.work_case") -> None:
    if not (getattr(officer, "is_active", False) and officer.has_perm(perm)):
        raise RiskActionRefused(gettext("You do not have permission to do this."), code="permission_denied")
    if not customers_visible_to_staff(officer, [customer_id]):
        raise RiskActionRefused(code="not_found", status_code=404)


def _locked(case: Case) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status != Case.Status.OPEN:
        raise RiskActionRefused(gettext("This case is closed."), code="case_closed")
    return locked


def case_assign(*, officer: Any, case: Case, assignee: User, request: Any = None) -> Case:
    """Give the case to ``assignee`` (an active officer who may work cases and see the customer)."""
    _officer_on(officer, case.customer_id)
    if not (assignee.is_active and assignee.has_perm("risk.work_case")):
        raise RiskActionRefused(gettext("This person does not work risk cases."), code="assignee_invalid")
    if not customers_visible_to_staff(assignee, [case.customer_id]):
        raise RiskActionRefused(gettext("This person cannot see this customer."), code="assignee_out_of_scope")
    with transaction.atomic():
        locked = _locked(case)
        before = locked.assigned_to_id
        locked.assigned_to = assignee
        locked.save(update_fields=["assigned_to"])
        audit_record(
            action="risk.case.assign",
            actor=officer,
            obj=locked,
            request=request,
            changes={"assigned_to": [before, assignee.pk]},
        )
    return locked


def case_note_add(*, officer: Any, case: Case, text: str, request: Any = None) -> CaseNote:
    _officer_on(officer, case.customer_id)
    text = _text(text)
    with transaction.atomic():
        locked = _locked(case)
        note = CaseNote.objects.create(case=locked, author=officer, text=text)
        audit_record(action="risk.case.note", actor=officer, obj=locked, request=request, changes={"note": note.pk})
    return note


def case_close(*, officer: Any, case: Case, resolution: str, note: str, request: Any = None) -> Case:
    """Close with a resolution: its alerts close with it. Refused while one of its payments is still
    held (release or reverse it first: held money never waits on a closed case) or a review
    request of the customer is unanswered."""
    _officer_on(officer, case.customer_id)
    if resolution not in Case.Resolution.values:
        raise RiskActionRefused(gettext("Choose a resolution."), code="resolution_required")
    note = _text(note, minimum=5)
    with transaction.atomic():
        locked = _locked(case)
        if RiskHold.objects.filter(case=locked, status__in=_OPEN_HOLDS).exists():
            raise RiskActionRefused(
                gettext("A payment of this case is still held: release it or have it reversed first."),
                code="case_has_held_payments",
            )
        if ReviewRequest.objects.filter(case=locked, status=ReviewRequest.Status.OPEN).exists():
            raise RiskActionRefused(
                gettext("The customer asked for a review: answer it first."), code="case_has_open_review"
            )
        now = timezone.now()
        locked.status, locked.resolution, locked.resolution_note = Case.Status.CLOSED, resolution, note
        locked.closed_by, locked.closed_at = officer, now
        locked.save(update_fields=["status", "resolution", "resolution_note", "closed_by", "closed_at"])
        closed = Alert.objects.filter(case=locked, status=Alert.Status.OPEN).update(status=Alert.Status.CLOSED)
        audit_record(
            action="risk.case.close",
            actor=officer,
            obj=locked,
            reason=note,
            request=request,
            changes={"resolution": resolution, "alerts_closed": closed},
        )
    return locked


def review_request_create(*, customer: Customer, message: str, notice_id: Any = None) -> ReviewRequest:
    """The customer asks a person to review a decision about them (a notice of theirs, or their
    account in general). Opens a task for an officer: the request joins the customer's open case
    (opened if none). One open request per notice. Audited (actor: the customer's id)."""
    from risk.services.decisions import case_open_get

    message = _text(message, minimum=5, code="message_required")
    notice = None
    if notice_id is not None:
        notice = CustomerNotice.objects.filter(public_id=notice_id, customer=customer).first()
        if notice is None:
            raise RiskActionRefused(gettext("This notice was not found."), code="not_found", status_code=404)
    with transaction.atomic():
        case = case_open_get(customer=customer)
        try:
            with transaction.atomic():
                review = ReviewRequest.objects.create(customer=customer, notice=notice, case=case, message=message)
        except IntegrityError:
            raise RiskActionRefused(
                gettext("You already asked for a review of this; we will answer soon."),
                code="review_already_open",
                status_code=409,
            ) from None
        audit_record(
            action="risk.review.request",
            actor=f"customer:{customer.public_id}",
            obj=review,
            changes={"notice": str(notice.public_id) if notice else None, "case": case.pk},
        )
    return review


def review_answer(*, officer: Any, review: ReviewRequest, answer: str, request: Any = None) -> ReviewRequest:
    """A person answers the customer (shown in ``GET /api/v1/risk/reviews``). Audited."""
    _officer_on(officer, review.customer_id, perm="risk.change_reviewrequest")
    answer = _text(answer, minimum=5)
    with transaction.atomic():
        locked = ReviewRequest.objects.select_for_update().get(pk=review.pk)
        if locked.status != ReviewRequest.Status.OPEN:
            raise RiskActionRefused(gettext("This request was already answered."), code="already_answered")
        locked.status, locked.answer = ReviewRequest.Status.ANSWERED, answer
        locked.answered_by, locked.answered_at = officer, timezone.now()
        locked.save(update_fields=["status", "answer", "answered_by", "answered_at"])
        audit_record(action="risk.review.answer", actor=officer, obj=locked, reason=answer, request=request)
    return locked
