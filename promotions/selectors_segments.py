"""Target segments: who a campaign may reach, as ONE set-based SQL query, and the same rules in
Python for one customer at the moment of use.

Only customers marketing may reach are ever in a segment: ACTIVE with a live MARKETING consent
(``accounts.selectors.customer_marketing_reachable_qs``). The segment's criteria narrow that:
age band (from the date of birth, stored in clear; personal data that is encrypted is never
needed), new vs existing, individual vs small business, home branch (with its sub-branches), KYC
tier, activity (outgoing spending in the last N months, from payments' monthly spend counters)
and a linked card. ``segment_qs`` compiles them into one ``SELECT`` (filters and ``EXISTS``
semi-joins, no per-customer loop): a segment of one million customers is counted in one query
(``make bench``, group ``promotions``). ``customer_facts`` + ``segment_matches`` answer the same
question for one customer in one query, and a test holds the two to the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import Branch, Consent, Customer, LinkedCard
from accounts.selectors import branch_descendant_ids, customer_marketing_reachable_qs
from payments.selectors import spend_months_since_qs
from promotions.rules import AGE_BANDS, CAMPAIGN_TZ, Segment
from promotions.versions import HOLDOUT_BUCKETS

__all__ = [
    "CustomerFacts",
    "customer_facts",
    "holdout_bucket_sql",
    "segment_matches",
    "segment_qs",
    "segment_size",
]


def _activity_since(months: int, now: datetime) -> date:
    """First day of the month ``months - 1`` months before the current one (Shanghai time)."""
    local = now.astimezone(CAMPAIGN_TZ).date().replace(day=1)
    year, month = local.year, local.month - (months - 1)
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def segment_branch_ids(segment: Segment) -> set[int]:
    ids: set[int] = set()
    for branch in Branch.objects.filter(code__in=sorted(segment.home_branches)):
        ids |= branch_descendant_ids(branch)
    return ids


def segment_qs(
    segment: Segment, *, now: datetime | None = None, base: QuerySet[Customer] | None = None
) -> QuerySet[Customer]:
    """The segment's customers: one query when evaluated (``.count()``, ``.values("pk")`` ...).

    ``base``: whom the criteria narrow, by default the customers marketing may reach. Only a
    non-marketing use passes another (feedback's service and security notices reach customers
    without a marketing consent too)."""
    now = now or timezone.now()
    qs = base if base is not None else customer_marketing_reachable_qs()
    if segment.age_bands:
        ages = Q()
        for band in sorted(segment.age_bands):
            start, end = AGE_BANDS[band]
            ages |= Q(date_of_birth__gte=date(start, 1, 1), date_of_birth__lt=date(end, 1, 1))
        qs = qs.filter(ages)
    if segment.customer_types:
        qs = qs.filter(customer_type__in=sorted(segment.customer_types))
    if segment.tenure:
        cutoff = now - timedelta(days=segment.new_within_days)
        qs = qs.filter(created_at__gte=cutoff) if segment.tenure == "NEW" else qs.filter(created_at__lt=cutoff)
    if segment.home_branches:
        qs = qs.filter(home_branch_id__in=sorted(segment_branch_ids(segment)))
    if segment.kyc_tiers:
        qs = qs.filter(kyc_tier_id__in=sorted(segment.kyc_tiers))
    if segment.card_linked is not None:
        card = Exists(LinkedCard.objects.filter(customer=OuterRef("pk"), status=LinkedCard.Status.ACTIVE))
        qs = qs.filter(card if segment.card_linked else ~card)
    if segment.activity:
        spent = Exists(
            spend_months_since_qs(since=_activity_since(segment.activity_months, now)).filter(customer=OuterRef("pk"))
        )
        qs = qs.filter(spent if segment.activity == "ACTIVE" else ~spent)
    return qs


def holdout_bucket_sql(salt: str) -> RawSQL:
    """The customer's holdout bucket (0..9999) in SQL: the first 32 bits of md5(salt:id), exactly
    as ``promotions.versions.holdout_bucket`` computes it in Python."""
    return RawSQL(  # noqa: S611 - a constant expression; the salt is a bound parameter
        f"(('x' || substr(md5(%s || ':' || accounts_customer.id::text), 1, 8))::bit(32)::bigint %% {HOLDOUT_BUCKETS})",
        [salt],
    )


def segment_size(segment: Segment, *, holdout_salt: str = "", holdout_bps: int = 0) -> dict[str, int]:
    """``{"eligible": n, "held_out": m}`` in one query (the admin's preview, the bench)."""
    qs = segment_qs(segment)
    if not holdout_bps:
        return {"eligible": qs.count(), "held_out": 0}
    counts = qs.annotate(bucket=holdout_bucket_sql(holdout_salt)).aggregate(
        eligible=Count("pk"), held_out=Count("pk", filter=Q(bucket__lt=holdout_bps))
    )
    return {"eligible": int(counts["eligible"]), "held_out": int(counts["held_out"])}


# --- one customer -------------------------------------------------------------------------------
@dataclass(frozen=True)
class CustomerFacts:
    """What segments ask of one customer, read in one query."""

    customer_id: int
    reachable: bool  # ACTIVE and a live MARKETING consent
    date_of_birth: date | None
    customer_type: str
    created_at: datetime
    home_branch_id: int | None
    kyc_tier: int
    card_linked: bool
    last_spend_month: date | None


def customer_facts(customer_id: int) -> CustomerFacts | None:
    live_consent = Exists(
        Consent.objects.filter(customer=OuterRef("pk"), purpose=Consent.Purpose.MARKETING, withdrawn_at__isnull=True)
    )
    card = Exists(LinkedCard.objects.filter(customer=OuterRef("pk"), status=LinkedCard.Status.ACTIVE))
    last_spend = Subquery(
        spend_months_since_qs(since=date(1900, 1, 1))
        .filter(customer=OuterRef("pk"))
        .order_by("-period_start")
        .values("period_start")[:1]
    )
    row = (
        Customer.objects.filter(pk=customer_id)
        .annotate(consent=live_consent, card=card, last_spend=last_spend)
        .values(
            "pk",
            "status",
            "consent",
            "date_of_birth",
            "customer_type",
            "created_at",
            "home_branch_id",
            "kyc_tier_id",
            "card",
            "last_spend",
        )
        .first()
    )
    if row is None:
        return None
    return CustomerFacts(
        customer_id=row["pk"],
        reachable=row["status"] == Customer.Status.ACTIVE and bool(row["consent"]),
        date_of_birth=row["date_of_birth"],
        customer_type=row["customer_type"],
        created_at=row["created_at"],
        home_branch_id=row["home_branch_id"],
        kyc_tier=int(row["kyc_tier_id"]),
        card_linked=bool(row["card"]),
        last_spend_month=row["last_spend"],
    )


def segment_matches(
    segment: Segment, facts: CustomerFacts, *, now: datetime | None = None, branch_ids: set[int] | None = None
) -> bool:
    """``segment_qs`` for one customer, in Python (``branch_ids``: ``segment_branch_ids``, read once
    per segment by the caller; read here when not given)."""
    now = now or timezone.now()
    if not facts.reachable:
        return False
    if segment.age_bands:
        born = facts.date_of_birth
        if born is None or not any(AGE_BANDS[b][0] <= born.year < AGE_BANDS[b][1] for b in segment.age_bands):
            return False
    if segment.customer_types and facts.customer_type not in segment.customer_types:
        return False
    if segment.tenure:
        is_new = facts.created_at >= now - timedelta(days=segment.new_within_days)
        if is_new != (segment.tenure == "NEW"):
            return False
    if segment.home_branches:
        ids = branch_ids if branch_ids is not None else segment_branch_ids(segment)
        if facts.home_branch_id not in ids:
            return False
    if segment.kyc_tiers and facts.kyc_tier not in segment.kyc_tiers:
        return False
    if segment.card_linked is not None and facts.card_linked != segment.card_linked:
        return False
    if segment.activity:
        since = _activity_since(segment.activity_months, now)
        active = facts.last_spend_month is not None and facts.last_spend_month >= since
        if active != (segment.activity == "ACTIVE"):
            return False
    return True
