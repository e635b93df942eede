"""Points redemption (docs/promotions.md "Points redemption"): spend points for cash, taking them
from the customer's lots soonest expiry first, and the lot bookkeeping clawbacks share with it.

Lock order, the same everywhere that touches a customer's lots: the customer's lots (``expires_at``,
``id``) -> the ledger (points wallet). Expiry locks one due lot with SKIP LOCKED and redemption only
takes lots not yet due, so a point is either redeemed or expired, never both; the kernel re-checks
the points wallet under its own lock, so nothing goes below zero whatever the lots say.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.errors import InsufficientFunds
from payments.services.campaign_budget import points_redeem_cash
from promotions.errors import PointsAmountInvalid, PointsInsufficient
from promotions.models import PointsLot, PointsRedemption

__all__ = ["points_cash_value", "points_lots_lock", "points_lots_take", "points_redeem"]


def points_cash_value(points: int) -> Money:
    """The cash ``points`` are worth (``PointsAmountInvalid`` unless a whole number of steps, at least one)."""
    step = int(settings.PROMOTIONS_POINTS_REDEEM_STEP)
    if points < step or points % step:
        raise PointsAmountInvalid(details={"step": step, "minimum": step})
    return Money.parse(settings.PROMOTIONS_POINTS_REDEEM_STEP_CNY, "CNY") * (points // step)


def points_lots_lock(*, customer: Customer, unexpired_at: datetime | None = None) -> list[PointsLot]:
    """The customer's lots with points left, locked (FOR UPDATE), soonest expiry first; with
    ``unexpired_at`` only those not yet due then. Call inside a transaction."""
    lots = PointsLot.objects.select_for_update(of=("self",)).filter(customer=customer, remaining__gt=0)
    if unexpired_at is not None:
        lots = lots.filter(expires_at__gt=unexpired_at)
    return list(lots.order_by("expires_at", "pk"))


def points_lots_take(lots: list[PointsLot], points: int) -> list[list[int]]:
    """Take ``points`` off ``lots`` (locked by the caller) in their order; returns ``[[lot_id, taken]]``.
    Takes what there is when the lots hold less (the ledger is the truth; lots only say when)."""
    taken: list[list[int]] = []
    for lot in lots:
        if points <= 0:
            break
        take = min(lot.remaining, points)
        if take <= 0:
            continue
        lot.remaining -= take
        lot.save(update_fields=["remaining"])
        taken.append([lot.pk, take])
        points -= take
    return taken


def points_redeem(
    *, customer: Customer, points: int, redeemed_for: str = PointsRedemption.For.CASH
) -> PointsRedemption:
    """Redeem ``points`` for cash (``settings.PROMOTIONS_POINTS_REDEEM_STEP`` points per
    ``PROMOTIONS_POINTS_REDEEM_STEP_CNY``). Raises ``PointsAmountInvalid`` (400) for an amount that is
    not whole steps, ``PointsInsufficient`` (422) when the unexpired points (lots and points wallet)
    do not cover it; nothing is written then. Own transaction (a savepoint inside the caller's)."""
    if redeemed_for != PointsRedemption.For.CASH:
        raise PointsAmountInvalid()
    cash = points_cash_value(points)
    with transaction.atomic():
        lots = points_lots_lock(customer=customer, unexpired_at=timezone.now())
        if sum(lot.remaining for lot in lots) < points:
            raise PointsInsufficient()
        used = points_lots_take(lots, points)
        try:
            with transaction.atomic():
                spent, paid = points_redeem_cash(
                    customer=customer,
                    points=Money(points, "PTS"),
                    cash=cash,
                    reference=f"PTS-RED-{uuid.uuid4().hex[:20]}",
                )
        except InsufficientFunds:  # the wallet holds fewer points than the lots (a clawback shortfall)
            raise PointsInsufficient() from None
        return PointsRedemption.objects.create(
            customer=customer,
            redeemed_for=redeemed_for,
            points=points,
            cash_minor=cash.minor,
            currency=cash.currency,
            points_transfer=spent,
            cash_transfer=paid,
            lots=used,
        )
