"""Reads of surveys: a customer's pending invitations, and NPS over time per branch and segment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from accounts.models import Customer, StaffRole
from accounts.selectors import staff_branch_ids, staff_has_role, staff_is_bank_wide
from core.pagination import Page, queryset_page
from feedback.models import SurveyInvitation, SurveyKind, SurveyResponse

__all__ = [
    "SEGMENT_DIMENSIONS",
    "NpsRow",
    "invitation_page_pending_for_customer",
    "nps_by_period",
    "survey_response_qs_for_staff",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Segment dimensions snapshotted on each response (the customer's at the time of the answer).
SEGMENT_DIMENSIONS = ("customer_type", "kyc_level", "age_band")


def invitation_page_pending_for_customer(
    *, customer: Customer, token: str | None, size: int, now: datetime | None = None
) -> Page[SurveyInvitation]:
    now = now or timezone.now()
    qs = SurveyInvitation.objects.filter(customer=customer, answered_at__isnull=True, expires_at__gt=now)
    return queryset_page(qs, ordering=("-created_at", "-id"), token=token, size=size)


def survey_response_qs_for_staff(user: Any) -> QuerySet[SurveyResponse]:
    """Responses of the staff member's branch tree (bank-wide roles: all; customer service also the
    customers attributed to no branch)."""
    qs = SurveyResponse.objects.select_related("branch", "invitation")
    if staff_is_bank_wide(user):
        return qs
    condition = Q(branch_id__in=staff_branch_ids(user))
    if staff_has_role(user, StaffRole.CUSTOMER_SERVICE):
        condition |= Q(branch__isnull=True)
    return qs.filter(condition)


@dataclass(frozen=True)
class NpsRow:
    period: datetime
    branch: str
    segment: str
    responses: int
    promoters: int
    passives: int
    detractors: int

    @property
    def nps(self) -> float:
        """% promoters (9-10) minus % detractors (0-6), -100 to 100, one decimal."""
        return round(100.0 * (self.promoters - self.detractors) / self.responses, 1) if self.responses else 0.0


def nps_by_period(
    queryset: QuerySet[SurveyResponse], *, dimension: str = "customer_type", period: str = "month"
) -> list[NpsRow]:
    """NPS per period (Shanghai calendar month or week), branch and segment ``dimension``, in one
    grouped query over ``queryset`` (pass the staff member's scoped queryset)."""
    if dimension not in SEGMENT_DIMENSIONS:
        raise ValueError(dimension)
    trunc = TruncWeek if period == "week" else TruncMonth
    rows = (
        queryset.filter(kind=SurveyKind.NPS)
        .annotate(period=trunc("created_at", tzinfo=SHANGHAI), branch_code=F("branch__code"), segment=F(dimension))
        .values("period", "branch_code", "segment")
        .annotate(
            responses=Count("id"),
            promoters=Count("id", filter=Q(score__gte=9)),
            detractors=Count("id", filter=Q(score__lte=6)),
        )
        .order_by("-period", "branch_code", "segment")
    )
    return [
        NpsRow(
            period=r["period"],
            branch=r["branch_code"] or "",
            segment=str(r["segment"] if r["segment"] not in (None, "") else "-"),
            responses=r["responses"],
            promoters=r["promoters"],
            passives=r["responses"] - r["promoters"] - r["detractors"],
            detractors=r["detractors"],
        )
        for r in rows
    ]
