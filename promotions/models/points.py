"""Points redemptions: points a customer spent from the points wallet, and what they got for them.

The lots the points came from (soonest expiry first) are recorded in ``lots`` (``[[lot_id,
points], ...]``) so support can explain which earnings were used; ``PointsLot.remaining`` already
has them taken off."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["PointsRedemption"]


class PointsRedemption(models.Model):
    class For(models.TextChoices):
        CASH = "CASH", _("Cash")

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
    lots = models.JSONField(_("lots used"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("points redemption")
        verbose_name_plural = _("points redemptions")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0, cash_minor__gte=0), name="points_redemption_positive")
        ]
        indexes = [models.Index(fields=["customer", "-created_at"], name="points_redemption_customer")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.points} -> {self.redeemed_for}"
