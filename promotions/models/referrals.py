"""Referrals (推荐奖励): who referred whom, and every attempt with its outcome. A customer's code is
not stored: it is a keyed permutation of their id (``promotions.referral_codes``).

A ``ReferralAttempt`` row is written for every decision about a referral (the code entered at
sign-up, each qualification check), accepted or refused, with the reason a person can read in the
admin: self-referral and rings sharing a device, a card or an identity are refused and recorded,
never silently dropped. See docs/promotions.md, "Referral".
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Referral", "ReferralAttempt"]


class Referral(models.Model):
    """One referee's referral: at most one per referee (a database constraint). PENDING until the
    referee is KYC-verified and pays with their own funds; then QUALIFIED with both rewards held on
    the campaign's budget until the cooling-off ends (their ``RewardGrant`` rows say when they are
    paid). REFUSED with the reason when a check fails (self, ring, cycle)."""

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Waiting for the referee to qualify")
        QUALIFIED = "QUALIFIED", _("Qualified: rewards decided (held during the cooling-off)")
        REFUSED = "REFUSED", _("Refused")

    referrer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("referrer")
    )
    referee = models.OneToOneField(
        "accounts.Customer", on_delete=models.PROTECT, related_name="referral", verbose_name=_("referee")
    )
    code = models.CharField(_("code used"), max_length=16, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    refusal_reason = models.CharField(_("reason refused"), max_length=40, blank=True)
    campaign = models.ForeignKey(
        "promotions.Campaign",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("rewarding campaign"),
    )
    qualifying_transfer_public_id = models.UUIDField(_("qualifying payment"), null=True, blank=True)
    qualified_at = models.DateTimeField(_("qualified at"), null=True, blank=True)
    cooling_off_until = models.DateTimeField(_("cooling-off ends at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(condition=~Q(referrer=models.F("referee")), name="referral_not_self"),
            models.CheckConstraint(
                condition=~Q(status="REFUSED") | ~Q(refusal_reason=""), name="referral_refused_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["referrer", "-created_at", "-id"], name="referral_referrer_page")]

    def __str__(self) -> str:
        return f"{self.referrer_id} -> {self.referee_id} {self.status}"


class ReferralAttempt(models.Model):
    """Every decision about a referral, accepted or refused, with its reason (append-only in spirit:
    written by services, read-only in the admin). ``detail`` names the evidence (which other
    customer shares the device, card or identity) by internal id only, never personal data."""

    class Stage(models.TextChoices):
        SIGN_UP = "SIGN_UP", _("Code entered at sign-up")
        QUALIFY = "QUALIFY", _("Qualification check")

    class Status(models.TextChoices):
        ACCEPTED = "ACCEPTED", _("Accepted")
        QUALIFIED = "QUALIFIED", _("Qualified")
        NOT_YET = "NOT_YET", _("Not qualified yet")
        REFUSED = "REFUSED", _("Refused")

    class Reason(models.TextChoices):
        UNKNOWN_CODE = "unknown_code", _("No customer has this code")
        SELF_REFERRAL = "self_referral", _("Referred themselves")
        SHARED_IDENTITY = "shared_identity", _("Same identity (ID number) as the referrer or a ring member")
        SHARED_DEVICE = "shared_device", _("Shares a device with the referrer or a ring member")
        SHARED_CARD = "shared_card", _("Shares a bank card with the referrer or a ring member")
        REFERRAL_CYCLE = "referral_cycle", _("The referrer was referred by the referee")
        ALREADY_REFERRED = "already_referred", _("The referee already has a referrer")
        REFERRER_INACTIVE = "referrer_inactive", _("The referrer's wallet is not active")
        KYC_PENDING = "kyc_pending", _("The referee has not passed KYC")
        NOT_OWN_FUNDS = "not_own_funds", _("The payment was not funded by the referee's own card")
        NO_CAMPAIGN = "no_campaign", _("No referral campaign was running")
        CONDITIONS = "conditions", _("The payment does not meet the campaign's conditions")
        REFUSED_BY_STAFF = "refused_by_staff", _("Refused by marketing or risk staff")
        PAYMENT_REFUNDED = (
            "qualifying_payment_refunded",
            _("The qualifying payment was refunded during the cooling-off"),
        )
        NONE = "", _("None")

    referee = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("referee")
    )
    referrer = models.ForeignKey(
        "accounts.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referrer"),
    )
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("referral")
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=40, choices=Reason.choices, blank=True)
    code = models.CharField(_("code"), max_length=16, blank=True)
    source = models.CharField(_("source"), max_length=120)
    detail = models.JSONField(_("evidence"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("referral attempt")
        verbose_name_plural = _("referral attempts")
        constraints = [
            models.UniqueConstraint(fields=["referee", "source"], name="referral_attempt_once_per_source"),
            models.CheckConstraint(
                condition=~Q(status="REFUSED") | ~Q(reason=""), name="referral_attempt_refused_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["-created_at"], name="referral_attempt_recent")]

    def __str__(self) -> str:
        return f"{self.referee_id} {self.stage} {self.status} {self.reason}"
