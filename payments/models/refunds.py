"""Refunds of merchant and bill payments, full or partial, always linked to the original payment."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Refund"]


class Refund(models.Model):
    """``amount_minor`` leaves the payee's account; ``customer_amount_minor`` reaches the customer's
    wallet and ``budget_amount_minor`` returns to the campaign budget that paid an instant discount."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="refunds", verbose_name=_("customer")
    )
    original_transfer = models.ForeignKey(
        "payments.Transfer", on_delete=models.PROTECT, related_name="refunds", verbose_name=_("original transfer")
    )
    merchant_payment = models.ForeignKey(
        "payments.MerchantPayment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("merchant payment"),
    )
    bill_payment = models.ForeignKey(
        "payments.BillPayment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("bill payment"),
    )
    transfer = models.OneToOneField(
        "payments.Transfer", on_delete=models.PROTECT, related_name="refund", verbose_name=_("transfer")
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    customer_amount_minor = models.BigIntegerField(_("to the customer (minor units)"))
    budget_amount_minor = models.BigIntegerField(_("back to the campaign budget (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=200)
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("initiated by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(merchant_payment__isnull=False, bill_payment__isnull=True)
                | Q(merchant_payment__isnull=True, bill_payment__isnull=False),
                name="refund_exactly_one_original",
            ),
            models.CheckConstraint(
                condition=Q(customer_amount_minor__gte=0, budget_amount_minor__gte=0)
                & Q(amount_minor=models.F("customer_amount_minor") + models.F("budget_amount_minor")),
                name="refund_split_adds_up",
            ),
        ]
        indexes = [models.Index(fields=["customer", "created_at"], name="refund_customer")]

    def __str__(self) -> str:
        return f"refund {self.public_id}"
