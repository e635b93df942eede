"""Instant benefits (first-order, spend threshold, coupon, limited-time, merchant co-funded): what a
payment took from a campaign, written by the payment's own statement (``payments_promotions_take``,
promotions 0010) and rolled back with it. See docs/promotions.md, "Instant benefits in the payment".
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = ["FirstOrderUse", "InstantBenefit", "QuoteState"]


class InstantBenefit(models.Model):
    """One campaign's discount on one payment: ``amount_minor`` the customer saved, of which
    ``bank_minor`` came from the campaign budget and ``merchant_minor`` from the co-funding merchant.
    At most one per (campaign, payment): a database constraint."""

    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="instant_benefits", verbose_name=_("campaign")
    )
    version = models.ForeignKey(
        "promotions.CampaignVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("version")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    kind = models.CharField(_("reward kind"), max_length=20)
    transfer_public_id = models.UUIDField(_("payment"))
    merchant = models.ForeignKey(
        "payments.Merchant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("merchant"),
    )
    amount_minor = models.BigIntegerField(_("discount (minor units)"))
    bank_minor = models.BigIntegerField(_("paid by the budget (minor units)"))
    merchant_minor = models.BigIntegerField(_("paid by the merchant (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3)
    coupon_claim = models.ForeignKey(
        "promotions.CouponClaim",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coupon"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("instant benefit")
        verbose_name_plural = _("instant benefits")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "transfer_public_id"], name="instant_benefit_once"),
            models.CheckConstraint(
                condition=Q(bank_minor__gte=0, merchant_minor__gte=0, amount_minor__gt=0)
                & Q(amount_minor=F("bank_minor") + F("merchant_minor")),
                name="instant_benefit_split_adds_up",
            ),
        ]
        indexes = [
            models.Index(fields=["transfer_public_id"], name="instant_benefit_payment"),
            models.Index(fields=["merchant", "created_at"], name="instant_benefit_merchant"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.transfer_public_id}"


class FirstOrderUse(models.Model):
    """A person's first-order discount of one campaign, by identity (the keyed hash of the national
    ID, ``accounts.Customer.national_id_index``), not by account: unique per (campaign, identity)."""

    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    national_id_index = models.CharField(_("identity (keyed hash)"), max_length=64)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    transfer_public_id = models.UUIDField(_("payment"))
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("first-order use")
        verbose_name_plural = _("first-order uses")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "national_id_index"], name="first_order_once_per_identity")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.customer_id}"


class QuoteState(models.Model):
    """One row: ``version``, which every committed change to what a campaign offers moves (a
    deferred trigger on ``promotions_campaign``, promotions 0015), so the quote's per-process cache of
    each merchant's offers knows when to read them again. Written only by that trigger."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(_("version"))

    class Meta:
        verbose_name = _("quote state")
        verbose_name_plural = _("quote state")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="quote_state_one_row")]

    def __str__(self) -> str:
        return f"quote state {self.version}"
