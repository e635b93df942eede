"""Points redemptions: points a customer spent from the points wallet, and what they got for them
(cash, or a coupon of a coupon campaign that offers its coupons for points).

The lots the points came from (soonest expiry first) are recorded in ``lots`` (``[[lot_id,
points], ...]``) so support can explain which earnings were used; ``PointsLot.remaining`` already
has them taken off. ``PointsExchangeUsage`` counts the coupons sold for points: per campaign (the
stock, ``customer`` NULL) and per customer, each moved by a conditional UPSERT."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["PointsExchangeUsage", "PointsRedemption"]


class PointsRedemption(models.Model):
    class For(models.TextChoices):
        CASH = "CASH", _("Cash")
        COUPON = "COUPON", _("Coupon")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="points_redemptions", verbose_name=_("customer")
    )
    redeemed_for = models.CharField(_("redeemed for"), max_length=10, choices=For.choices)
    points = models.BigIntegerField(_("points"))
    cash_minor = models.BigIntegerField(_("cash (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    points_transfer = models.OneToOneField(
        "payments.Transfer", on_delete=models.PROTECT, related_name="+", verbose_name=_("points transfer")
    )
    cash_transfer = models.OneToOneField(
        "payments.Transfer",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("cash transfer"),
    )
    coupon_claim = models.OneToOneField(
        "promotions.CouponClaim",
        on_delete=models.PROTECT,
        related_name="points_redemption",
        null=True,
        blank=True,
        verbose_name=_("coupon"),
    )
    lots = models.JSONField(_("lots used"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("points redemption")
        verbose_name_plural = _("points redemptions")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0, cash_minor__gte=0), name="points_redemption_positive"),
            models.CheckConstraint(
                condition=Q(redeemed_for="CASH", coupon_claim__isnull=True)
                | Q(redeemed_for="COUPON", coupon_claim__isnull=False, cash_transfer__isnull=True, cash_minor=0),
                name="points_redemption_what_for",
            ),
        ]
        indexes = [models.Index(fields=["customer", "-created_at"], name="points_redemption_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.points} -> {self.redeemed_for}"


class PointsExchangeUsage(models.Model):
    """Coupons a campaign sold for points: in total (``customer`` NULL, against the exchange's
    stock) and per customer (against its per-person limit). Moved only by a conditional UPSERT
    (``count < limit``), so no concurrency sells past either."""

    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    customer = models.ForeignKey(
        "accounts.Customer",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("customer"),
    )
    count = models.PositiveIntegerField(_("coupons for points"), default=0)

    class Meta:
        verbose_name = _("coupons sold for points")
        verbose_name_plural = _("coupons sold for points")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"], nulls_distinct=False, name="points_exchange_usage_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.customer_id or '*'}: {self.count}"
