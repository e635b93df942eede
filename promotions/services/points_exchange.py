"""Coupons for points (docs/promotions.md "Coupons for points"): a customer spends points on a
coupon of a COUPON campaign that offers its coupons for points; the coupon lands in "my coupons"
and is used at payment like any other (the quote hook, the campaign's budget pays the discount).

One savepoint inside the caller's transaction (the API's idempotent money transaction), in lock
order: the customer's lots (``points_lots_lock``, as cash redemption and clawbacks take them) -> the
customer's exchange counter and the campaign's per-person counter (conditional UPSERTs) -> the
ledger (points wallet locked by the kernel: never below zero) -> the offer's stock counter (a
conditional UPSERT that also re-reads the campaign: a pause or end that committed is seen here, and
the hot stock row is held only from here to the commit) -> a new single-use coupon and its claim.
Any refusal raises and rolls the savepoint back: nothing is half written.

Points are not given back when the coupon expires unused or the campaign ends: the customer bought
a coupon valid until ``expires_at``, as the offer said (a bank's points mall does not refund).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.errors import InsufficientFunds
from payments.services.campaign_budget import points_spend
from promotions.errors import (
    PointsInsufficient,
    PointsOfferClosed,
    PointsOfferLimitReached,
    PointsOfferSoldOut,
)
from promotions.models import Campaign, Coupon, CouponClaim, PointsRedemption
from promotions.rules import PointsExchange
from promotions.selectors_points import points_coupon_expiry, points_offer_get, points_offer_open_at
from promotions.services.coupons import code_generate, code_index, person_usage_take
from promotions.services.points import points_lots_lock, points_lots_take

__all__ = ["points_offer_buy", "points_offer_redeem"]

_MINE_SQL = (
    "INSERT INTO promotions_pointsexchangeusage AS u (campaign_id, customer_id, count) VALUES (%s, %s, 1) "
    "ON CONFLICT (campaign_id, customer_id) DO UPDATE SET count = u.count + 1 "
    "WHERE %s::bigint IS NULL OR u.count < %s::bigint RETURNING u.count"
)
# The stock row (customer NULL; the unique index treats NULLs as equal). The campaign is read again
# in the same statement: running from its timestamps, not paused, budget not spent, coupons left.
_STOCK_SQL = (
    "INSERT INTO promotions_pointsexchangeusage AS u (campaign_id, customer_id, count) "
    "SELECT c.id, NULL, 1 FROM promotions_campaign c "
    "WHERE c.id = %s AND c.status IN ('SCHEDULED', 'ACTIVE', 'ENDED') AND c.starts_at <= %s AND c.ends_at > %s "
    "AND c.budget_exhausted_at IS NULL AND (c.global_limit IS NULL OR c.granted_count < c.global_limit) "
    "ON CONFLICT (campaign_id, customer_id) DO UPDATE SET count = u.count + 1 WHERE u.count < %s "
    "RETURNING u.count"
)


def points_offer_redeem(
    *, customer: Customer, offer_id: uuid.UUID | str, now: datetime | None = None
) -> PointsRedemption:
    """Spend the offer's price in points for one of its coupons (``points_offer_get``, then
    ``points_offer_buy``). Raises ``PointsOfferNotFound`` (404: unknown or not for this customer) and
    everything ``points_offer_buy`` raises. Call inside a transaction (own savepoint)."""
    now = now or timezone.now()
    campaign, _benefit, exchange = points_offer_get(customer=customer, public_id=offer_id, now=now)
    return points_offer_buy(customer=customer, campaign=campaign, exchange=exchange, now=now)


def points_offer_buy(
    *, customer: Customer, campaign: Campaign, exchange: PointsExchange, now: datetime | None = None
) -> PointsRedemption:
    """Buy one coupon of an offer the customer may see (``points_offer_get`` gave ``campaign`` and
    ``exchange``). Raises ``PointsOfferClosed`` (409: paused, not open yet or ended, budget spent),
    ``PointsInsufficient`` (422), ``PointsOfferLimitReached`` (409: my limit), ``PointsOfferSoldOut``
    (409: the stock is gone), ``AccountFrozen`` / ``AccountClosed`` (403); nothing is written then.
    Call inside a transaction (own savepoint)."""
    now = now or timezone.now()
    if not points_offer_open_at(campaign, exchange, now):
        raise PointsOfferClosed()
    price = exchange.points
    with transaction.atomic():
        lots = points_lots_lock(customer=customer, unexpired_at=now)
        if sum(lot.remaining for lot in lots) < price:
            raise PointsInsufficient(details={"points": price})
        if not _take(_MINE_SQL, [campaign.pk, customer.pk, exchange.per_person, exchange.per_person]):
            raise PointsOfferLimitReached(details={"per_person": exchange.per_person})
        assert campaign.version is not None
        campaign_limit = campaign.version.rules["limits"]["per_person"]
        if not person_usage_take(campaign.pk, customer.pk, campaign_limit):
            raise PointsOfferLimitReached(details={"per_person": campaign_limit})
        used = points_lots_take(lots, price)
        try:
            with transaction.atomic():
                spent = points_spend(
                    customer=customer,
                    points=Money(price, "PTS"),
                    reference=f"PTS-XCH-{uuid.uuid4().hex[:20]}",
                    metadata={"redeemed_for": "COUPON", "campaign": str(campaign.public_id)},
                )
        except InsufficientFunds:  # the wallet holds fewer points than the lots (a clawback shortfall)
            raise PointsInsufficient(details={"points": price}) from None
        if not _take(_STOCK_SQL, [campaign.pk, now, now, exchange.stock]):
            raise _closed_or_sold_out(campaign.pk, exchange, now)
        claim = _coupon_issue(campaign, exchange, customer, now)
        return PointsRedemption.objects.create(
            customer=customer,
            redeemed_for=PointsRedemption.For.COUPON,
            points=price,
            cash_minor=0,
            currency="CNY",
            points_transfer=spent,
            coupon_claim=claim,
            lots=used,
        )


def _take(sql: str, params: list[int | datetime | None]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def _closed_or_sold_out(campaign_id: int, exchange: PointsExchange, now: datetime) -> Exception:
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.global_limit is not None and campaign.granted_count >= campaign.global_limit:
        return PointsOfferSoldOut()
    if not points_offer_open_at(campaign, exchange, now):
        return PointsOfferClosed()
    return PointsOfferSoldOut(details={"stock": exchange.stock})


def _coupon_issue(campaign: Campaign, exchange: PointsExchange, customer: Customer, now: datetime) -> CouponClaim:
    """A fresh single-use coupon (no batch, its code never shown: the claim is what the customer
    holds), already claimed by the customer."""
    code = code_generate()
    coupon = Coupon.objects.create(
        batch=None, campaign=campaign, code_index=code_index(code), code=code, max_claims=1, claims_count=1
    )
    return CouponClaim.objects.create(
        coupon=coupon,
        campaign=campaign,
        customer=customer,
        expires_at=points_coupon_expiry(campaign, exchange, now),
    )
