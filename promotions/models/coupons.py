"""Coupon codes of a COUPON campaign, generated in batches, and the customers' claims on them.

A code carries 80 random bits (16 Crockford base32 characters). It is a bearer secret: stored
encrypted (``core.crypto``, like personal data) for the audited export, and looked up by its keyed
hash (``code_index``), never searched in clear. A claim puts the coupon in the customer's wallet
("my coupons"); the discount itself is applied at payment by the quote hook.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField

__all__ = ["Coupon", "CouponBatch", "CouponClaim"]


class CouponBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "QUEUED", _("Queued")
        GENERATING = "GENERATING", _("Generating")
        DONE = "DONE", _("Done")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="coupon_batches", verbose_name=_("campaign")
    )
    quantity = models.PositiveIntegerField(_("codes"))
    max_claims_per_code = models.PositiveIntegerField(
        _("customers per code"), default=1, help_text=_("1: single-use codes; more: one shared code per batch row")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    generated_count = models.PositiveIntegerField(_("generated"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("coupon batch")
        verbose_name_plural = _("coupon batches")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, quantity__lte=10_000_000), name="coupon_batch_quantity"
            ),
            models.CheckConstraint(condition=Q(generated_count__lte=F("quantity")), name="coupon_batch_progress"),
            models.CheckConstraint(condition=Q(max_claims_per_code__gte=1), name="coupon_batch_claims_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.generated_count}/{self.quantity}"

    @property
    def progress_percent(self) -> int:
        return int(self.generated_count * 100 // self.quantity) if self.quantity else 100


class Coupon(models.Model):
    batch = models.ForeignKey(
        CouponBatch,
        on_delete=models.PROTECT,
        related_name="coupons",
        null=True,
        blank=True,
        verbose_name=_("batch"),
        help_text=_("Empty for a coupon bought with points (issued to the customer, its code never shown)."),
    )
    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    code_index = models.CharField(_("code index"), max_length=64, unique=True, editable=False)
    code = EncryptedTextField(_("code"), editable=False)
    max_claims = models.PositiveIntegerField(_("customers per code"), default=1)
    claims_count = models.PositiveIntegerField(_("claimed"), default=0)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        constraints = [
            models.CheckConstraint(condition=Q(claims_count__lte=F("max_claims")), name="coupon_claims_within")
        ]

    def __str__(self) -> str:
        return f"{_('coupon')} {self.pk}"


class CouponClaim(models.Model):
    """A coupon in a customer's wallet. Whether it can still be used is decided from ``expires_at``
    at the moment of use; ``status`` follows (USED when a payment applies it, EXPIRED by the job)."""

    class Status(models.TextChoices):
        AVAILABLE = "AVAILABLE", _("Available")
        USED = "USED", _("Used")
        EXPIRED = "EXPIRED", _("Expired")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="claims", verbose_name=_("coupon"))
    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="coupon_claims", verbose_name=_("customer")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    used_transfer_public_id = models.UUIDField(_("used in payment"), null=True, blank=True)

    class Meta:
        verbose_name = _("coupon claim")
        verbose_name_plural = _("coupon claims")
        constraints = [models.UniqueConstraint(fields=["coupon", "customer"], name="coupon_claim_once_per_customer")]
        indexes = [
            models.Index(fields=["customer", "status", "expires_at"], name="coupon_claim_customer"),
            models.Index(fields=["customer", "-claimed_at", "-id"], name="coupon_claim_customer_page"),  # my coupons
            models.Index(fields=["expires_at"], condition=Q(status="AVAILABLE"), name="coupon_claim_due"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.coupon_id} {self.status}"
