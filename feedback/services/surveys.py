"""Surveys (writes): invitations after events, under a per-customer frequency cap, and answers.

The cap (``settings.FEEDBACK_SURVEY_MIN_DAYS_BETWEEN``) is one conditional upsert on the customer's
``SurveyContact`` row::

    INSERT ... ON CONFLICT (customer_id) DO UPDATE SET last_invited_at = <now>
        WHERE last_invited_at <= <now - N days> RETURNING id

PostgreSQL serialises concurrent upserts of one customer on that row and re-evaluates the ``WHERE``
against the committed version, so of any number of concurrent or redelivered events exactly one
claims the slot; the others get no row back and invite nobody. The invitation is inserted in the same
savepoint, and ``(customer, trigger, trigger_ref)`` is unique: the same trigger never invites twice,
even with the cap at 0 days. Events are consumed once per consumer anyway (``core.outbox``); these
two guards hold without that.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Customer
from accounts.selectors import customer_age_band
from core.audit import audit_record
from core.errors import DomainError
from feedback.errors_tickets import FeedbackNotFound, StaffActionRefused, SurveyAlreadyAnswered, SurveyExpired
from feedback.models import (
    SurveyInvitation,
    SurveyKeywordList,
    SurveyKind,
    SurveyResponse,
    SurveyTrigger,
)

__all__ = [
    "SCORE_RANGES",
    "keyword_tags",
    "survey_answer",
    "survey_invite",
    "survey_responses_csv",
    "surveys_signup_invite",
]

SCORE_RANGES = {SurveyKind.NPS: (0, 10), SurveyKind.CSAT: (1, 5)}

_CLAIM_SQL = """
INSERT INTO feedback_surveycontact (customer_id, last_invited_at) VALUES (%s, %s)
ON CONFLICT (customer_id) DO UPDATE SET last_invited_at = EXCLUDED.last_invited_at
WHERE feedback_surveycontact.last_invited_at <= %s
RETURNING id
"""


def _cap_claim(customer_id: int, now: datetime) -> bool:
    cutoff = now - timedelta(days=settings.FEEDBACK_SURVEY_MIN_DAYS_BETWEEN)
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [customer_id, now, cutoff])
        return cursor.fetchone() is not None


def survey_invite(
    *, customer: Customer, trigger: str, trigger_ref: str = "", now: datetime | None = None
) -> SurveyInvitation | None:
    """Invite ``customer`` to the survey of ``trigger`` unless capped, already invited for this
    trigger, or not active. Returns the invitation, or None. Runs in the caller's transaction (a
    savepoint): call it from a consumer, a task or a service."""
    if customer.status != Customer.Status.ACTIVE:
        return None
    now = now or timezone.now()
    if SurveyInvitation.objects.filter(customer=customer, trigger=trigger, trigger_ref=trigger_ref).exists():
        return None
    try:
        with transaction.atomic():
            if not _cap_claim(customer.pk, now):
                return None
            return SurveyInvitation.objects.create(
                customer=customer,
                kind=settings.FEEDBACK_SURVEY_KIND_BY_TRIGGER[trigger],
                trigger=trigger,
                trigger_ref=trigger_ref[:100],
                created_at=now,
                expires_at=now + timedelta(days=settings.FEEDBACK_SURVEY_INVITATION_DAYS),
            )
    except IntegrityError:
        return None  # the same trigger invited in a concurrent transaction; the cap claim rolled back with it


def surveys_signup_invite(*, now: datetime | None = None, window_days: int = 7, limit: int = 2000) -> int:
    """Invite customers who signed up ``FEEDBACK_SURVEY_SIGNUP_DAYS`` days ago (up to ``window_days``
    late, so missed beat runs catch up) and were not invited for it yet. Safe to run twice."""
    now = now or timezone.now()
    due = now - timedelta(days=settings.FEEDBACK_SURVEY_SIGNUP_DAYS)
    invited = SurveyInvitation.objects.filter(customer=OuterRef("pk"), trigger=SurveyTrigger.SIGNUP_30_DAYS)
    customers = (
        Customer.objects.filter(
            status=Customer.Status.ACTIVE, created_at__lte=due, created_at__gt=due - timedelta(days=window_days)
        )
        .exclude(Exists(invited))
        .order_by("created_at", "id")[:limit]
    )
    done = 0
    for customer in customers:
        with transaction.atomic():
            if survey_invite(customer=customer, trigger=SurveyTrigger.SIGNUP_30_DAYS, now=now) is not None:
                done += 1
    return done


def keyword_tags(text: str, lists: Iterable[SurveyKeywordList] | None = None) -> list[str]:
    """Tags whose keywords occur in ``text``: case-insensitive substring match, which finds Chinese
    words without a tokenizer (``jieba`` is not a dependency; a substring match needs none)."""
    if not text:
        return []
    folded = text.casefold()
    lists = SurveyKeywordList.objects.filter(active=True) if lists is None else lists
    return sorted({kl.tag for kl in lists if any(k.casefold() in folded for k in kl.keyword_list())})


def survey_answer(
    *, customer: Customer, public_id: uuid.UUID, score: int, comment: str = "", now: datetime | None = None
) -> SurveyResponse:
    """Answer one invitation, once (row lock; the response's invitation is unique as well)."""
    now = now or timezone.now()
    comment = (comment or "").strip()
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update(of=("self",))
            .select_related("customer", "customer__kyc_tier")
            .filter(customer=customer, public_id=public_id)
            .first()
        )
        if invitation is None:
            raise FeedbackNotFound()
        if invitation.answered_at is not None:
            raise SurveyAlreadyAnswered()
        if invitation.expires_at <= now:
            raise SurveyExpired()
        low, high = SCORE_RANGES[SurveyKind(invitation.kind)]
        if not (low <= score <= high):
            raise DomainError(
                gettext("The score must be from %(low)d to %(high)d.") % {"low": low, "high": high},
                code="invalid_request",
                details={"score": [f"{low}-{high}"]},
            )
        person = invitation.customer
        response = SurveyResponse.objects.create(
            invitation=invitation,
            customer=person,
            kind=invitation.kind,
            trigger=invitation.trigger,
            score=score,
            comment=comment,
            tags=keyword_tags(comment),
            branch_id=person.home_branch_id,
            customer_type=person.customer_type,
            kyc_level=int(person.kyc_tier_id or 0),
            age_band=customer_age_band(person.date_of_birth) or "",
            created_at=now,
        )
        invitation.answered_at = now
        invitation.save(update_fields=["answered_at"])
    return response


CSV_COLUMNS = (
    "answered_at",
    "kind",
    "trigger",
    "score",
    "branch",
    "customer_type",
    "kyc_level",
    "age_band",
    "tags",
    "comment",
)


def _csv_safe(value: Any) -> Any:
    """No formula injection when the file is opened in a spreadsheet: no text cell starts with
    = + - @ or a control character (comments come from customers, tags from keyword lists)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def survey_responses_csv(*, staff: Any, queryset: QuerySet[SurveyResponse], request: Any = None) -> str:
    """The responses (already scoped to the staff member) as CSV, without customer identifiers. The
    export itself is audited (who, how many rows, which filters)."""
    if not (getattr(staff, "is_active", False) and staff.has_perm("feedback.export_surveyresponse")):
        raise StaffActionRefused()
    rows = list(queryset.select_related("branch").order_by("created_at", "id"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        writer.writerow(
            _csv_safe(cell)
            for cell in [
                r.created_at.isoformat(),
                r.kind,
                r.trigger,
                r.score,
                r.branch.code if r.branch is not None else "",
                r.customer_type,
                r.kyc_level,
                r.age_band,
                "|".join(r.tags),
                r.comment,
            ]
        )
    audit_record(
        action="feedback.survey.export",
        actor=staff,
        changes={"rows": len(rows), "query": request.GET.urlencode() if request is not None else ""},
        request=request,
    )
    return out.getvalue()
