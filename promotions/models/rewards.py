"""What campaigns gave: the holdout of each version, reward grants (one per campaign and source,
whatever the concurrency), clawbacks, usage counters, cumulative-spend progress and points lots."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = [
    "HoldoutMember",
    "MilestoneProgress",
    "MilestoneSpend",
    "PersonUsage",
    "PointsLot",
    "RewardClawback",
    "RewardGrant",
]


class HoldoutMember(models.Model):
    """A customer the version keeps out (deterministically: ``promotions.versions.in_holdout``):
    recorded for the whole segment when the campaign starts, and for anyone who qualifies later.
    Never rewarded by that version; the bank compares them with the others later."""

    version = models.ForeignKey(
        "promotions.CampaignVersion", on_delete=models.PROTECT, related_name="holdout", verbose_name=_("version")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("holdout member")
        verbose_name_plural = _("holdout members")
        constraints = [models.UniqueConstraint(fields=["version", "customer"], name="holdout_member_unique")]

    def __str__(self) -> str:
        return f"{self.version_id}/{self.customer_id}"


class RewardGrant(models.Model):
    """The decision of one campaign on one source (a payment, a top-up, a milestone reached): at
    most one row per (campaign, source), a database constraint, so a redelivered or concurrent
    event can never grant twice. SKIPPED rows say why an eligible customer got nothing."""

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Held until release")
        PAID = "PAID", _("Paid")
        SKIPPED = "SKIPPED", _("Not granted")
        VOIDED = "VOIDED", _("Voided before release")

    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="grants", verbose_name=_("campaign")
    )
    version = models.ForeignKey(
        "promotions.CampaignVersion", on_delete=models.PROTECT, related_name="+", verbose_name=_("version")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="reward_grants", verbose_name=_("customer")
    )
    kind = models.CharField(_("reward kind"), max_length=20)
    source = models.CharField(_("source"), max_length=120)
    source_transfer_public_id = models.UUIDField(_("source transfer"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    skip_reason = models.CharField(_("reason not granted"), max_length=40, blank=True)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    base_amount_minor = models.BigIntegerField(_("amount it was computed on (minor units)"), default=0)
    hold = models.ForeignKey(
        "payments.Hold", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("hold")
    )
    transfer = models.ForeignKey(
        "payments.Transfer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reward transfer"),
    )
    release_at = models.DateTimeField(_("release at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    refunded_base_minor = models.BigIntegerField(_("refunded of the source (minor units)"), default=0)
    clawed_back_minor = models.BigIntegerField(_("clawed back (minor units)"), default=0)
    clawback_shortfall_minor = models.BigIntegerField(_("clawback not recovered (minor units)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reward grant")
        verbose_name_plural = _("reward grants")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "source"], name="reward_grant_once_per_source"),
            models.CheckConstraint(condition=Q(amount_minor__gte=0), name="reward_grant_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(clawed_back_minor__gte=0, clawback_shortfall_minor__gte=0)
                & Q(amount_minor__gte=F("clawed_back_minor") + F("clawback_shortfall_minor")),
                name="reward_grant_clawback_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(refunded_base_minor__gte=0, refunded_base_minor__lte=F("base_amount_minor"))
                | Q(base_amount_minor=0, refunded_base_minor=0),
                name="reward_grant_refunds_within_base",
            ),
        ]
        indexes = [
            models.Index(fields=["source_transfer_public_id"], name="reward_grant_source_transfer"),
            models.Index(fields=["release_at"], condition=Q(status="PENDING"), name="reward_grant_pending_release"),
            models.Index(fields=["customer", "-created_at"], name="reward_grant_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.source} {self.status}"


class RewardClawback(models.Model):
    """One refund's pro-rata clawback of one grant (once per refund: a database constraint)."""

    grant = models.ForeignKey(RewardGrant, on_delete=models.PROTECT, related_name="clawbacks", verbose_name=_("grant"))
    refund_ref = models.CharField(_("refund"), max_length=64)
    refund_amount_minor = models.BigIntegerField(_("refunded (minor units)"))
    due_minor = models.BigIntegerField(_("due back (minor units)"))
    taken_minor = models.BigIntegerField(_("taken back (minor units)"))
    transfer = models.ForeignKey(
        "payments.Transfer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transfer"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reward clawback")
        verbose_name_plural = _("reward clawbacks")
        constraints = [models.UniqueConstraint(fields=["grant", "refund_ref"], name="reward_clawback_once_per_refund")]

    def __str__(self) -> str:
        return f"{self.grant_id} <- {self.refund_ref}"


class PersonUsage(models.Model):
    """Rewards one customer got from one campaign, moved by a conditional UPSERT (never past the limit)."""

    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    count = models.PositiveIntegerField(_("rewards"), default=0)

    class Meta:
        verbose_name = _("reward usage")
        verbose_name_plural = _("reward usage")
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="person_usage_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.customer_id}: {self.count}"


class MilestoneSpend(models.Model):
    """One payment counted towards a cumulative-spend campaign (once: a database constraint)."""

    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    source_transfer_public_id = models.UUIDField(_("payment"))
    period = models.CharField(_("period"), max_length=10)
    amount_minor = models.BigIntegerField(_("counted (minor units)"))
    refunded_minor = models.BigIntegerField(_("refunded (minor units)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("counted spend")
        verbose_name_plural = _("counted spend")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "source_transfer_public_id"], name="milestone_spend_once"),
            models.CheckConstraint(
                condition=Q(refunded_minor__gte=0, refunded_minor__lte=F("amount_minor")),
                name="milestone_refund_within",
            ),
        ]
        indexes = [models.Index(fields=["source_transfer_public_id"], name="milestone_spend_source")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.source_transfer_public_id}"


class MilestoneProgress(models.Model):
    """A customer's cumulative spend in one campaign and period (``CAMPAIGN`` or ``YYYY-MM``)."""

    campaign = models.ForeignKey(
        "promotions.Campaign", on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign")
    )
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    period = models.CharField(_("period"), max_length=10)
    spent_minor = models.BigIntegerField(_("spent (minor units)"), default=0)

    class Meta:
        verbose_name = _("cumulative spend")
        verbose_name_plural = _("cumulative spend")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer", "period"], name="milestone_progress_unique"),
            models.CheckConstraint(condition=Q(spent_minor__gte=0), name="milestone_progress_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.customer_id}/{self.period}"


class PointsLot(models.Model):
    """Points of one grant and when they expire; ``remaining`` shrinks with clawbacks and expiry."""

    grant = models.OneToOneField(
        RewardGrant, on_delete=models.PROTECT, related_name="points_lot", verbose_name=_("grant")
    )
    customer = models.ForeignKey(
        "accounts.Customer",
        on_delete=models.PROTECT,
        related_name="points_lots",
        verbose_name=_("customer"),
    )
    points = models.BigIntegerField(_("points"))
    remaining = models.BigIntegerField(_("remaining"))
    expires_at = models.DateTimeField(_("expires at"))
    expired_at = models.DateTimeField(_("expired at"), null=True, blank=True)
    expired_points = models.BigIntegerField(_("points expired"), default=0)

    class Meta:
        verbose_name = _("points lot")
        verbose_name_plural = _("points lots")
        constraints = [
            models.CheckConstraint(
                condition=Q(remaining__gte=0, remaining__lte=F("points")), name="points_lot_remaining"
            )
        ]
        indexes = [
            models.Index(fields=["expires_at"], condition=Q(remaining__gt=0), name="points_lot_due"),
            models.Index(fields=["customer", "expires_at"], name="points_lot_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.remaining}/{self.points}"
