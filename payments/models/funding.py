"""Top-ups from and withdrawals to a linked card through the bank gateway, and the callbacks it sends.

State machines (every transition is a conditional ``UPDATE ... WHERE status IN (...)``, so a
duplicate callback, a racing poll and a late success each apply at most once):

TopUp:      PENDING -> COMPLETED (credited) | FAILED (declined) | SUSPENSE (received, wallet could not take it)
            PENDING -> EXPIRED (no answer in time) -> COMPLETED (late success still credits) | FAILED
Withdrawal: PENDING (hold on the wallet) -> COMPLETED (hold captured) | FAILED (hold voided)
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["GatewayCallbackLog", "TopUp", "Withdrawal"]


class FundingStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    COMPLETED = "COMPLETED", _("Completed")
    FAILED = "FAILED", _("Failed")
    EXPIRED = "EXPIRED", _("No answer from the bank")
    SUSPENSE = "SUSPENSE", _("Received, held in suspense for review")


class _FundingBase(models.Model):
    Status = FundingStatus

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference sent to the bank"), max_length=40, unique=True)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    card = models.ForeignKey("accounts.LinkedCard", on_delete=models.PROTECT, related_name="+", verbose_name=_("card"))
    wallet = models.ForeignKey(
        "payments.LedgerAccount", on_delete=models.PROTECT, related_name="+", verbose_name=_("wallet")
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=FundingStatus.choices, default=FundingStatus.PENDING)
    gateway_ref = models.CharField(_("bank reference"), max_length=64, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=40, blank=True)
    transfer = models.OneToOneField(
        "payments.Transfer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transfer"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    last_checked_at = models.DateTimeField(_("last asked the bank at"), null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.reference


class TopUp(_FundingBase):
    class Meta:
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="topup_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="COMPLETED") | Q(transfer__isnull=False), name="topup_completed_has_transfer"
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status__in=["PENDING", "EXPIRED"]), name="topup_open"),
            models.Index(fields=["customer", "created_at"], name="topup_customer"),
        ]


class Withdrawal(_FundingBase):
    hold = models.OneToOneField("payments.Hold", on_delete=models.PROTECT, related_name="+", verbose_name=_("hold"))

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="withdrawal_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="COMPLETED") | Q(transfer__isnull=False), name="withdrawal_completed_has_transfer"
            ),
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status__in=["PENDING", "EXPIRED"]), name="withdrawal_open"),
            models.Index(fields=["customer", "created_at"], name="withdrawal_customer"),
        ]


class GatewayCallbackLog(models.Model):
    """Every callback the bank posted, valid or not, and what we did with it (for operations)."""

    class Outcome(models.TextChoices):
        APPLIED = "APPLIED", _("Applied")
        DUPLICATE = "DUPLICATE", _("Already applied")
        BAD_SIGNATURE = "BAD_SIGNATURE", _("Bad signature")
        MALFORMED = "MALFORMED", _("Malformed")
        UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE", _("Unknown reference")
        MISMATCH = "MISMATCH", _("Amount or currency differs")

    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("reported status"), max_length=12, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    body = models.TextField(_("body"), blank=True)

    class Meta:
        verbose_name = _("gateway callback")
        verbose_name_plural = _("gateway callbacks")

    def __str__(self) -> str:
        return f"{self.reference} {self.outcome}"
