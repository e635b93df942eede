"""Reads of the promotions app. Segment reads are in ``selectors_segments``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from accounts.models import Customer
from core.money import Money
from core.pagination import InvalidCursor, KeysetCursor, Page, queryset_page, sequence_page
from payments.ledger import Balance
from payments.selectors import customer_wallet_balance, merchant_spend_by_category_since, wallet_postings_recent
from payments.services.campaign_budget import campaign_budget_balance
from promotions.models import Campaign, CouponClaim, PersonUsage, PointsLot
from promotions.rules import SUPPORTED_KINDS
from promotions.selectors_segments import customer_facts, segment_matches
from promotions.versions import in_holdout, version_rules

__all__ = [
    "Offer",
    "PointsSummary",
    "campaign_active_at",
    "campaign_budget_state",
    "coupon_claims_page",
    "offer_rank",
    "offers_for_customer",
    "offers_page_for_customer",
    "points_for_customer",
]

PAYING_STATUSES = (Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE, Campaign.Status.ENDED)
SPEND_WINDOW = timedelta(days=90)  # the spending that ranks the offers
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SKEW = timedelta(minutes=1)


def campaign_budget_state(campaign: Campaign) -> Balance | None:
    """Posted, held and available of the campaign's budget account (None before it is opened)."""
    if not campaign.budget_account_code:
        return None
    return campaign_budget_balance(campaign.budget_account_code)


def campaign_active_at(campaign: Campaign, at: datetime) -> bool:
    """Whether the campaign covers something that happened at ``at``, from its timestamps (never
    from whether a beat job ran): approved and scheduled, ``starts_at <= at < ends_at``, not paused
    now. A payment made before the end is still rewarded after it (within the settle grace)."""
    if campaign.status not in PAYING_STATUSES or campaign.version_id is None:
        return False
    if campaign.starts_at is None or campaign.ends_at is None:
        return False
    return campaign.starts_at <= at < campaign.ends_at


# --- the customer's view ------------------------------------------------------------------------
@dataclass(frozen=True)
class Offer:
    campaign: Campaign
    name: str
    description: str
    benefit: dict[str, Any]
    conditions: dict[str, Any]
    window: dict[str, Any]
    score: int  # CNY minor units the customer spent recently where this offer applies


def _spend_score(conditions: dict[str, Any], spent: dict[str, int]) -> int:
    categories = conditions.get("mcc_categories")
    if categories:
        return sum(spent.get(c, 0) for c in categories)
    return sum(spent.values()) // 2  # applies everywhere: worth half as much as a match


def offers_for_customer(
    *,
    customer: Customer,
    now: datetime | None = None,
    language: str | None = None,
    ranked_at: datetime | None = None,
) -> list[Offer]:
    """Campaigns running now that the customer can benefit from: in the segment, not held out, not
    over their own limit, budget not spent. Ranked by what their 90 days of spending before
    ``ranked_at`` (default ``now``) suggest they would use (spend in the offer's categories), then
    priority, then the soonest end, then the campaign's public id: ``offer_rank`` is the order."""
    now = now or timezone.now()
    ranked_at = ranked_at or now
    language = language or get_language() or "zh-hans"
    facts = customer_facts(customer.pk)
    if facts is None or not facts.reachable:
        return []
    campaigns = [
        c
        for c in Campaign.objects.filter(
            status__in=(Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE),
            starts_at__lte=now,
            ends_at__gt=now,
            budget_exhausted_at__isnull=True,
        ).select_related("version")
        if c.version is not None and c.kind in SUPPORTED_KINDS
    ]
    if not campaigns:
        return []
    used = dict(
        PersonUsage.objects.filter(customer=customer, campaign__in=campaigns).values_list("campaign_id", "count")
    )
    spent = merchant_spend_by_category_since(customer=customer, since=ranked_at - SPEND_WINDOW, until=ranked_at)
    offers = []
    for campaign in campaigns:
        version = campaign.version
        assert version is not None
        rules = version.rules
        limit = rules["limits"]["per_person"]
        if limit is not None and used.get(campaign.pk, 0) >= limit:
            continue
        if in_holdout(version, customer.pk) or not segment_matches(version_rules(version).segment, facts, now=now):
            continue
        english = language.startswith("en")
        offers.append(
            Offer(
                campaign=campaign,
                name=rules["names"]["en" if english else "zh-hans"],
                description=rules["descriptions"]["en" if english else "zh-hans"],
                benefit=rules["benefit"],
                conditions=rules["conditions"],
                window=rules["window"],
                score=_spend_score(rules["conditions"], spent),
            )
        )
    offers.sort(key=offer_rank)
    return offers


def _micros(at: datetime) -> int:
    """``at`` as whole microseconds since the epoch (a cursor value: an int, exact, ordered)."""
    return (at - _EPOCH) // timedelta(microseconds=1)


def offer_rank(offer: Offer) -> tuple[int, int, int, str]:
    """The offers' order, ascending: most spend where it applies, highest priority, soonest end,
    then the public id (unique), so two offers never tie and a page boundary is exact."""
    campaign = offer.campaign
    assert campaign.ends_at is not None
    return (-offer.score, -campaign.priority, _micros(campaign.ends_at), str(campaign.public_id))


def offers_page_for_customer(
    *, customer: Customer, token: str | None, size: int, now: datetime | None = None, language: str | None = None
) -> Page[Offer]:
    """One page of ``offers_for_customer``, a keyset on ``offer_rank`` (core.pagination).

    The list is ranked here for every page (running campaigns are few; the costly part, the spend
    query, is one grouped statement), then cut after the cursor's rank: no offset, so an offer that
    starts or ends meanwhile neither repeats nor hides another. The spend that ranks them is pinned to
    the moment of the first page (``ranked_at``, carried in the cursor): a payment made while the
    customer scrolls cannot move an offer across the page boundary, so pages follow one another in
    one ranking. Eligibility (running, limits, budget, segment) is always that of ``now``."""
    now = now or timezone.now()
    ranked_at = now
    if token:
        values = KeysetCursor.decode(token).values
        stamp = values[0] if values else None
        # Issued by this list at most a clock skew ago (web nodes' clocks differ by milliseconds).
        if not isinstance(stamp, int) or isinstance(stamp, bool) or not 0 < stamp <= _micros(now + _SKEW):
            raise InvalidCursor()
        ranked_at = _EPOCH + timedelta(microseconds=stamp)
    offers = offers_for_customer(customer=customer, now=now, language=language, ranked_at=ranked_at)
    pinned = _micros(ranked_at)
    return sequence_page(offers, key=lambda o: (pinned, *offer_rank(o)), token=token, size=size)


def coupon_claims_page(*, customer: Customer, token: str | None, size: int) -> Page[CouponClaim]:
    """One page of the customer's coupons, newest first, with their campaigns: a keyset on
    ``(claimed_at, id)`` (index ``coupon_claim_customer_page``), no OFFSET, no COUNT."""
    claims = CouponClaim.objects.filter(customer=customer).select_related("campaign__version")
    return queryset_page(claims, ordering=("-claimed_at", "-id"), token=token, size=size)


@dataclass(frozen=True)
class PointsSummary:
    balance: Money
    expiring: list[tuple[int, datetime]]  # (points, expires_at), soonest first
    history: list[dict[str, Any]]


def points_for_customer(*, customer: Customer, limit: int = 50) -> PointsSummary:
    """Points balance (the ledger's points wallet), the lots still to expire, and the newest
    movements of the points wallet (earned, clawed back, expired, redeemed)."""
    balance = customer_wallet_balance(customer=customer, currency="PTS").available
    lots = PointsLot.objects.filter(customer=customer, remaining__gt=0).order_by("expires_at")[:20]
    history = []
    for posting in wallet_postings_recent(customer=customer, currency="PTS", limit=limit):
        transfer = posting.transfer
        if transfer.kind == "POINTS":
            what = "REDEEMED" if (transfer.metadata or {}).get("points") == "redeemed" else "EXPIRED"
        elif transfer.reason_code == "REWARD_CLAWBACK":
            what = "CLAWED_BACK"
        else:
            what = "EARNED" if posting.amount_minor > 0 else "SPENT"
        history.append(
            {"at": posting.created_at, "points": posting.amount_minor, "type": what, "transfer_id": transfer.public_id}
        )
    return PointsSummary(balance=balance, expiring=[(lot.remaining, lot.expires_at) for lot in lots], history=history)
