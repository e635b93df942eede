"""Billers (electricity, water, gas, mobile top-up, ...) and bill payments with their receipts."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from payments.billers import VALIDATOR_CHOICES

__all__ = ["BillPayment", "Biller"]


class Biller(models.Model):
    """A company customers pay bills to. Its money sits in one HOT ledger account (kind BILLER)."""

    class Category(models.TextChoices):
        ELECTRICITY = "ELECTRICITY", _("Electricity")
        WATER = "WATER", _("Water")
        GAS = "GAS", _("Gas")
        MOBILE = "MOBILE", _("Mobile top-up")
        BROADBAND = "BROADBAND", _("Broadband")
        TV = "TV", _("Cable TV")
        OTHER = "OTHER", _("Other")

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", _("Active")
        SUSPENDED = "SUSPENDED", _("Suspended")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    validator = models.CharField(_("account number check"), max_length=20, choices=VALIDATOR_CHOICES)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    min_amount_minor = models.BigIntegerField(_("minimum amount (minor units)"), default=1)
    max_amount_minor = models.BigIntegerField(_("maximum amount (minor units)"), default=5_000_000)
    ledger_account = models.OneToOneField(
        "payments.LedgerAccount", on_delete=models.PROTECT, related_name="biller", verbose_name=_("ledger account")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("biller")
        verbose_name_plural = _("billers")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BillPayment(models.Model):
    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    receipt_no = models.CharField(_("receipt number"), max_length=32, unique=True)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="bill_payments", verbose_name=_("customer")
    )
    biller = models.ForeignKey(Biller, on_delete=models.PROTECT, related_name="payments", verbose_name=_("biller"))
    account_number = models.CharField(_("account number"), max_length=40)
    wallet = models.ForeignKey(
        "payments.LedgerAccount", on_delete=models.PROTECT, related_name="+", verbose_name=_("wallet")
    )
    transfer = models.OneToOneField(
        "payments.Transfer", on_delete=models.PROTECT, related_name="bill_payment", verbose_name=_("transfer")
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    refunded_minor = models.BigIntegerField(_("refunded (minor units)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("bill payment")
        verbose_name_plural = _("bill payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="bill_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_minor__gte=0, refunded_minor__lte=F("amount_minor")),
                name="bill_payment_refund_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["customer", "created_at"], name="bill_payment_customer")]

    def __str__(self) -> str:
        return self.receipt_no
