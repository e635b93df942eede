"""Campaigns, their immutable approved versions, and the approvals of each version.

A ``Campaign`` is what marketing edits (the draft). Submitting it freezes its rules into a new
``CampaignVersion`` (append-only in the database: a trigger refuses UPDATE and DELETE) with the
computed maximum exposure; approvals (``CampaignApproval``, append-only too) bind to that version.
Everything that pays reads the version's rules, never the draft: an edit after approval sends the
campaign back to DRAFT and needs a new version and a new approval. See docs/promotions.md.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Campaign", "CampaignApproval", "CampaignVersion", "RewardKind"]


class RewardKind(models.TextChoices):
    FIRST_ORDER = "FIRST_ORDER", _("First-order discount")
    CASHBACK = "CASHBACK", _("Cashback")
    REFERRAL = "REFERRAL", _("Referral reward")
    COUPON = "COUPON", _("Coupons")
    POINTS = "POINTS", _("Points")
    TOPUP_REBATE = "TOPUP_REBATE", _("Top-up rebate")
    SPEND_THRESHOLD = "SPEND_THRESHOLD", _("Spend-threshold discount")
    CO_FUNDED = "CO_FUNDED", _("Merchant co-funded discount")
    LIMITED_TIME = "LIMITED_TIME", _("Limited-time offer")
    CUMULATIVE_SPEND = "CUMULATIVE_SPEND", _("Cumulative spend reward")
    LOTTERY = "LOTTERY", _("Lottery")


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        SUBMITTED = "SUBMITTED", _("Submitted for approval")
        APPROVED = "APPROVED", _("Approved")
        SCHEDULED = "SCHEDULED", _("Scheduled")
        ACTIVE = "ACTIVE", _("Active")
        PAUSED = "PAUSED", _("Paused")
        ENDED = "ENDED", _("Ended")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    kind = models.CharField(_("reward kind"), max_length=20, choices=RewardKind.choices)
    currency = models.CharField(_("budget currency"), max_length=3, default="CNY", editable=False)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    benefit = models.JSONField(_("benefit"), default=dict)
    window = models.JSONField(_("weekdays and hours"), default=dict, blank=True)
    segment = models.JSONField(_("target segment"), default=dict, blank=True)
    stacking_group = models.CharField(_("stacking group"), max_length=40, blank=True)
    priority = models.SmallIntegerField(_("priority"), default=0)
    exclusive = models.BooleanField(_("exclusive"), default=False)
    per_person_limit = models.PositiveIntegerField(_("rewards per person"), null=True, blank=True)
    global_limit = models.PositiveIntegerField(_("rewards in total"), null=True, blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    budget_minor = models.BigIntegerField(_("budget (minor units)"))
    merchant = models.ForeignKey(
        "payments.Merchant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("co-funding merchant"),
    )
    merchant_share_bps = models.PositiveSmallIntegerField(_("merchant's share (basis points)"), default=0)
    holdout_bps = models.PositiveSmallIntegerField(_("holdout (basis points)"), default=1000)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.ForeignKey(
        "promotions.CampaignVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("current version"),
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    paused_by_risk = models.BooleanField(
        _("paused by a risk officer"),
        default=False,
        help_text=_("A pause by someone who may sign off campaign risk: only such a person may resume it."),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    status_reason = models.TextField(_("reason of the last change"), blank=True)
    budget_account_code = models.CharField(_("budget account"), max_length=120, blank=True)
    funded_at = models.DateTimeField(_("funded at"), null=True, blank=True)
    granted_count = models.BigIntegerField(_("rewards granted"), default=0)
    budget_exhausted_at = models.DateTimeField(_("budget spent at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("remainder last returned at"), null=True, blank=True)
    min_payment_minor = models.BigIntegerField(
        _("smallest payment it can discount (minor units)"),
        default=0,
        editable=False,
        help_text=_("From the submitted version's rules; the payment's quote skips campaigns the amount cannot reach."),
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    editors = models.JSONField(_("edited by (since the last version)"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("approve_campaign", "Can approve another person's campaign"),
            ("signoff_campaign_risk", "Can sign off a campaign's exposure as a risk officer"),
            ("operate_campaign", "Can schedule, pause, resume and end an approved campaign"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_from__lt=F("valid_until")), name="campaign_validity_ordered"),
            models.CheckConstraint(condition=Q(budget_minor__gte=0), name="campaign_budget_non_negative"),
            models.CheckConstraint(condition=Q(merchant_share_bps__lte=10000), name="campaign_merchant_share_bps"),
            models.CheckConstraint(condition=Q(holdout_bps__lte=5000), name="campaign_holdout_at_most_half"),
            models.CheckConstraint(
                condition=Q(global_limit__isnull=True) | Q(granted_count__lte=F("global_limit")),
                name="campaign_global_limit_held",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(starts_at__lt=F("ends_at")),
                name="campaign_schedule_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["DRAFT"]) | Q(version__isnull=False), name="campaign_submitted_has_version"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "kind"], name="campaign_status_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name_zh} / {self.name_en}"

    def name_for(self, language: str | None) -> str:
        return self.name_en if (language or "").startswith("en") else self.name_zh


class CampaignVersion(models.Model):
    """The rules of a campaign as submitted: immutable (a database trigger refuses UPDATE and
    DELETE). ``rules`` is everything that decides who gets what; ``max_exposure_minor`` is the
    most the bank can pay under it (budget currency) and ``max_exposure_cny_minor`` its CNY value,
    which decides whether a risk officer must sign off."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="versions", verbose_name=_("campaign")
    )
    number = models.PositiveIntegerField(_("version"))
    rules = models.JSONField(_("rules"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    currency = models.CharField(_("budget currency"), max_length=3)
    max_single_minor = models.BigIntegerField(_("largest single reward (minor units)"))
    max_exposure_minor = models.BigIntegerField(_("maximum exposure (minor units)"))
    max_exposure_cny_minor = models.BigIntegerField(_("maximum exposure in CNY (minor units)"))
    requires_risk_signoff = models.BooleanField(_("needs a risk officer's sign-off"))
    holdout_salt = models.CharField(_("holdout salt"), max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    authors = models.JSONField(_("authors (user ids)"), default=list)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign version")
        verbose_name_plural = _("campaign versions")
        ordering = ["campaign", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="campaign_version_number_unique"),
            models.CheckConstraint(
                condition=Q(max_exposure_minor__gte=0), name="campaign_version_exposure_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} v{self.number}"


class CampaignApproval(models.Model):
    """One person's decision on one version (append-only). A version is approved when it has a
    MARKETING approval and, if ``requires_risk_signoff``, a RISK approval by another person."""

    class Role(models.TextChoices):
        MARKETING = "MARKETING", _("Marketing approval")
        RISK = "RISK", _("Risk sign-off")

    class Decision(models.TextChoices):
        APPROVED = "APPROVED", _("Approved")
        REJECTED = "REJECTED", _("Rejected")

    version = models.ForeignKey(
        CampaignVersion, on_delete=models.PROTECT, related_name="approvals", verbose_name=_("version")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign approval")
        verbose_name_plural = _("campaign approvals")
        ordering = ["version", "decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "role"], condition=Q(decision="APPROVED"), name="campaign_approval_once_per_role"
            ),
            models.UniqueConstraint(
                fields=["version", "decided_by"],
                condition=Q(decision="APPROVED"),
                name="campaign_approval_distinct_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.role} {self.decision}"
