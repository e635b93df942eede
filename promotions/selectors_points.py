"""Coupons for points, the customer's side (reads only): which points offers a customer may see,
the one they name, and the points they can spend (docs/promotions.md "Coupons for points").

A points offer is a COUPON campaign whose approved version has ``benefit.points_exchange`` (price,
stock, per-person limit, when it is open, how long a coupon keeps): marketing designs it with the
campaign and it is approved with the campaign's version, so there is no second approval path and an
edit sends the campaign (and its offer) back to DRAFT for a new approval.

Visibility is the coupon campaign's own: published (scheduled or later), the customer reachable (ACTIVE,
live MARKETING consent), in the segment, not held out. Anything else is "not found" for that
customer, so an offer targeted at others cannot be told from an unknown id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from core.pagination import Page, sequence_page
from payments.selectors import customer_wallet_balance
from promotions.errors import PointsOfferNotFound
from promotions.models import Campaign, PersonUsage, PointsExchangeUsage, PointsLot
from promotions.rules import COUPON, FixedDiscountBenefit, PointsExchange
from promotions.selectors import PAYING_STATUSES, campaign_active_at
from promotions.selectors_segments import CustomerFacts, customer_facts, segment_matches
from promotions.versions import in_holdout, version_rules

__all__ = [
    "PointsOffer",
    "campaign_points_exchange",
    "points_coupon_expiry",
    "points_exchange_sold",
    "points_offer_get",
    "points_offer_open_at",
    "points_offer_rank",
    "points_offers_for_customer",
    "points_offers_page",
    "points_redeemable",
]

# Published: customers may have seen the offer (a draft or an approved, unscheduled one is not).
_PUBLISHED = (*PAYING_STATUSES, Campaign.Status.PAUSED)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PointsOffer:
    campaign: Campaign
    exchange: PointsExchange
    discount: Money
    min_amount: Money | None
    name: str
    description: str
    closes_at: datetime  # the offer's end: its own ``until`` or the campaign's end
    coupon_expires_at: datetime  # a coupon bought now keeps until then
    stock_left: int
    my_left: int | None  # None: no per-person limit
    affordable: bool


def campaign_points_exchange(campaign: Campaign) -> tuple[FixedDiscountBenefit, PointsExchange] | None:
    """The approved points offer of a COUPON campaign (its version's benefit), or None."""
    if campaign.kind != COUPON or campaign.version is None:
        return None
    benefit = version_rules(campaign.version).benefit
    if not isinstance(benefit, FixedDiscountBenefit) or benefit.points_exchange is None:
        return None
    return benefit, benefit.points_exchange


def points_exchange_sold(campaign: Campaign) -> tuple[PointsExchange, int] | None:
    """The approved points offer of the campaign and how many coupons it sold (None: no offer)."""
    offer = campaign_points_exchange(campaign)
    if offer is None:
        return None
    row = PointsExchangeUsage.objects.filter(campaign=campaign, customer__isnull=True).values_list("count", flat=True)
    return offer[1], next(iter(row), 0)


def _visible(customer: Customer, campaign: Campaign, facts: CustomerFacts | None, now: datetime) -> bool:
    version = campaign.version
    if version is None or facts is None or in_holdout(version, customer.pk):
        return False
    return segment_matches(version_rules(version).segment, facts, now=now)


def points_offer_get(
    *, customer: Customer, public_id: uuid.UUID | str, now: datetime | None = None
) -> tuple[Campaign, FixedDiscountBenefit, PointsExchange]:
    """The points offer ``public_id`` as this customer may see it, else ``PointsOfferNotFound``
    (404: unknown, not a points offer, not published, or not for this customer)."""
    now = now or timezone.now()
    campaign = (
        Campaign.objects.select_related("version")
        .filter(public_id=public_id, kind=COUPON, status__in=_PUBLISHED)
        .first()
    )
    offer = campaign_points_exchange(campaign) if campaign is not None else None
    if campaign is None or offer is None or not _visible(customer, campaign, customer_facts(customer.pk), now):
        raise PointsOfferNotFound()
    return campaign, offer[0], offer[1]


def points_offer_open_at(campaign: Campaign, exchange: PointsExchange, at: datetime) -> bool:
    """Whether the offer sells at ``at``: the campaign running (from its timestamps, not paused), its
    budget not spent, its coupons not all used (global limit), and inside the offer's own window."""
    if campaign.status == Campaign.Status.PAUSED or not campaign_active_at(campaign, at):
        return False
    if campaign.budget_exhausted_at is not None:
        return False
    if campaign.global_limit is not None and campaign.granted_count >= campaign.global_limit:
        return False
    return exchange.open_at(at)


def points_redeemable(*, customer: Customer, now: datetime | None = None) -> int:
    """Points the customer can spend now: the unexpired lots, never more than the points wallet holds
    (a clawback shortfall leaves lots promising more than the ledger has; the ledger wins)."""
    now = now or timezone.now()
    lots = PointsLot.objects.filter(customer=customer, remaining__gt=0, expires_at__gt=now).aggregate(
        total=Sum("remaining")
    )["total"]
    wallet = customer_wallet_balance(customer=customer, currency="PTS").available.minor
    return max(0, min(int(lots or 0), wallet))


def points_coupon_expiry(campaign: Campaign, exchange: PointsExchange, now: datetime) -> datetime:
    assert campaign.ends_at is not None
    if exchange.coupon_valid_days is None:
        return campaign.ends_at
    return min(campaign.ends_at, now + timedelta(days=exchange.coupon_valid_days))


def points_offers_for_customer(
    *, customer: Customer, now: datetime | None = None, language: str | None = None, affordable_only: bool = False
) -> list[PointsOffer]:
    """The points offers open now that this customer may see, cheapest first (then the soonest
    close, then the public id), with what is left of the stock and of my limit and whether my
    redeemable points cover the price. Sold-out offers and offers over my limit stay listed (with
    0 left) so the app can say why; ``affordable_only`` keeps those I can redeem now."""
    now = now or timezone.now()
    facts = customer_facts(customer.pk)
    if facts is None:
        return []
    campaigns = Campaign.objects.filter(
        kind=COUPON,
        status__in=PAYING_STATUSES,
        starts_at__lte=now,
        ends_at__gt=now,
        budget_exhausted_at__isnull=True,
        version__rules__benefit__has_key="points_exchange",
    ).select_related("version")
    found = []
    for campaign in campaigns:
        offer = campaign_points_exchange(campaign)
        if (
            offer is None
            or not points_offer_open_at(campaign, offer[1], now)
            or not _visible(customer, campaign, facts, now)
        ):
            continue
        found.append((campaign, offer[0], offer[1]))
    if not found:
        return []
    ids = [c.pk for c, _b, _e in found]
    sold = dict(
        PointsExchangeUsage.objects.filter(campaign_id__in=ids, customer__isnull=True).values_list(
            "campaign_id", "count"
        )
    )
    mine = dict(
        PointsExchangeUsage.objects.filter(campaign_id__in=ids, customer=customer).values_list("campaign_id", "count")
    )
    claims = dict(
        PersonUsage.objects.filter(campaign_id__in=ids, customer=customer).values_list("campaign_id", "count")
    )
    points = points_redeemable(customer=customer, now=now)
    english = (language or "").startswith("en")
    offers = []
    for campaign, benefit, exchange in found:
        stock_left = max(0, exchange.stock - sold.get(campaign.pk, 0))
        limits = []
        if exchange.per_person is not None:
            limits.append(exchange.per_person - mine.get(campaign.pk, 0))
        campaign_limit = campaign.version.rules["limits"]["per_person"] if campaign.version else None
        if campaign_limit is not None:
            limits.append(campaign_limit - claims.get(campaign.pk, 0))
        my_left = max(0, min(limits)) if limits else None
        affordable = points >= exchange.points and stock_left > 0 and my_left != 0
        if affordable_only and not affordable:
            continue
        rules = campaign.version.rules if campaign.version else {}
        assert campaign.ends_at is not None
        offers.append(
            PointsOffer(
                campaign=campaign,
                exchange=exchange,
                discount=benefit.discount,
                min_amount=benefit.min_amount,
                name=rules["names"]["en" if english else "zh-hans"],
                description=rules["descriptions"]["en" if english else "zh-hans"],
                closes_at=min(campaign.ends_at, exchange.closes_at or campaign.ends_at),
                coupon_expires_at=points_coupon_expiry(campaign, exchange, now),
                stock_left=stock_left,
                my_left=my_left,
                affordable=affordable,
            )
        )
    offers.sort(key=points_offer_rank)
    return offers


def points_offer_rank(offer: PointsOffer) -> tuple[int, int, str]:
    """Cheapest first, then the soonest close, then the public id (unique: pages cut exactly)."""
    micros = (offer.closes_at - _EPOCH) // timedelta(microseconds=1)
    return (offer.exchange.points, micros, str(offer.campaign.public_id))


def points_offers_page(
    *,
    customer: Customer,
    token: str | None,
    size: int,
    language: str | None = None,
    affordable_only: bool = False,
) -> Page[PointsOffer]:
    """One page of ``points_offers_for_customer``: a keyset on ``points_offer_rank`` (the price and
    the close are fixed by the approved version, so an offer never moves across a page boundary)."""
    offers = points_offers_for_customer(customer=customer, language=language, affordable_only=affordable_only)
    return sequence_page(offers, key=points_offer_rank, token=token, size=size)
