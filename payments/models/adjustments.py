"""Staff adjustments under dual control (maker/checker).

The maker's request places a hold on the account that the adjustment will debit (a bank-side
source account for a credit or fee waiver, the credited account(s) of the original transfer for a
reversal, the payee's account for a refund); a different staff member with ``payments.approve_adjustment`` approves and it posts, or
rejects it; unapproved by ``deadline``, the ``payments.adjustments_expire`` task voids it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["AdjustmentRequest"]


class AdjustmentRequest(models.Model):
    class Kind(models.TextChoices):
        MANUAL_CREDIT = "MANUAL_CREDIT", _("Manual credit")
        FEE_WAIVER = "FEE_WAIVER", _("Fee waiver")
        REVERSAL = "REVERSAL", _("Reversal")
        REFUND = "REFUND", _("Refund")

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending approval")
        APPROVED = "APPROVED", _("Approved and posted")
        REJECTED = "REJECTED", _("Rejected")
        EXPIRED = "EXPIRED", _("Expired")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    target_account = models.ForeignKey(
        "payments.LedgerAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("account to credit"),
    )
    target_transfer = models.ForeignKey(
        "payments.Transfer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transfer to reverse"),
    )
    source_account = models.ForeignKey(
        "payments.LedgerAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("account debited"),
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    deadline = models.DateTimeField(_("approve before"))
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    holds = models.ManyToManyField("payments.Hold", blank=True, related_name="+", verbose_name=_("holds"))
    transfer = models.OneToOneField(
        "payments.Transfer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("posted transfer"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("adjustment request")
        verbose_name_plural = _("adjustment requests")
        permissions = [("approve_adjustment", "Can approve or reject another staff member's adjustment")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="adjustment_amount_positive"),
            models.CheckConstraint(condition=~Q(checker=models.F("maker")), name="adjustment_checker_not_maker"),
            models.CheckConstraint(
                condition=Q(kind__in=["REVERSAL", "REFUND"], target_transfer__isnull=False)
                | (~Q(kind__in=["REVERSAL", "REFUND"]) & Q(target_account__isnull=False)),
                name="adjustment_has_target",
            ),
            models.UniqueConstraint(
                fields=["target_transfer"],
                condition=Q(status="PENDING", target_transfer__isnull=False),
                name="adjustment_one_open_per_transfer",
            ),
        ]
        indexes = [models.Index(fields=["deadline"], condition=Q(status="PENDING"), name="adjustment_pending")]

    def __str__(self) -> str:
        return f"{self.kind} {self.public_id}"
