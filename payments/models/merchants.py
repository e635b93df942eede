"""Merchants, their dynamic-QR orders, and the record of each merchant payment.

A merchant's money sits in one HOT ledger account per currency (``LedgerAccount.Kind.MERCHANT``,
code ``MERCHANT:<public_id>:<currency>``), opened on first use by ``payments.services.merchant_payments``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

__all__ = ["MCC_CATEGORIES", "Merchant", "MerchantOrder", "MerchantPayment", "mcc_category"]

# ISO 18245 merchant category code -> spending category shown to customers (selectors_insight).
MCC_CATEGORIES: dict[str, str] = {
    "5411": "GROCERIES",
    "5412": "GROCERIES",
    "5499": "GROCERIES",
    "5812": "DINING",
    "5813": "DINING",
    "5814": "DINING",
    "5541": "TRANSPORT",
    "4111": "TRANSPORT",
    "4121": "TRANSPORT",
    "4789": "TRANSPORT",
    "5311": "SHOPPING",
    "5651": "SHOPPING",
    "5732": "SHOPPING",
    "5999": "SHOPPING",
    "5912": "HEALTH",
    "8062": "HEALTH",
    "7832": "ENTERTAINMENT",
    "7996": "ENTERTAINMENT",
    "8220": "EDUCATION",
    "8299": "EDUCATION",
    "7011": "TRAVEL",
    "4511": "TRAVEL",
}


def mcc_category(mcc: str) -> str:
    return MCC_CATEGORIES.get(mcc, "OTHER")


class Merchant(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", _("Active")
        SUSPENDED = "SUSPENDED", _("Suspended")
        CLOSED = "CLOSED", _("Closed")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    mcc = models.CharField(_("merchant category code"), max_length=4, help_text=_("ISO 18245, four digits"))
    signing_branch = models.ForeignKey(
        "accounts.Branch", on_delete=models.PROTECT, related_name="merchants", verbose_name=_("signing branch")
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signed by"),
    )
    currencies = models.JSONField(_("accepted currencies"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        constraints = [models.CheckConstraint(condition=Q(mcc__regex=r"^[0-9]{4}$"), name="merchant_mcc_4_digits")]

    def __str__(self) -> str:
        return self.name

    def accepts(self, currency: str) -> bool:
        return currency in (self.currencies or ["CNY"])

    def ledger_account_code(self, currency: str) -> str:
        return f"MERCHANT:{self.public_id}:{currency}"

    @property
    def category(self) -> str:
        return mcc_category(self.mcc)


class MerchantOrder(models.Model):
    """A dynamic QR: a fixed amount that expires. Paid at most once (conditional UPDATE on ``status``)."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        PAID = "PAID", _("Paid")
        CANCELLED = "CANCELLED", _("Cancelled")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="orders", verbose_name=_("merchant"))
    merchant_reference = models.CharField(_("merchant's order number"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    expires_at = models.DateTimeField(_("expires at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("merchant order")
        verbose_name_plural = _("merchant orders")
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="merchant_order_amount_positive")]

    def __str__(self) -> str:
        return f"{self.merchant_id}/{self.public_id}"


class MerchantPayment(models.Model):
    """A customer's payment to a merchant. ``amount_minor`` is what the merchant receives;
    the customer paid ``amount_minor - discount_minor`` and a campaign budget paid the discount.

    ``refunded_minor`` only grows, under this row's lock (``payments.services.refunds``), and a
    constraint keeps it within the amount paid.
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="merchant_payments", verbose_name=_("customer")
    )
    merchant = models.ForeignKey(
        Merchant, on_delete=models.PROTECT, related_name="payments", verbose_name=_("merchant")
    )
    order = models.OneToOneField(
        MerchantOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="payment", verbose_name=_("order")
    )
    wallet = models.ForeignKey(
        "payments.LedgerAccount", on_delete=models.PROTECT, related_name="+", verbose_name=_("wallet")
    )
    transfer = models.OneToOneField(
        "payments.Transfer", on_delete=models.PROTECT, related_name="merchant_payment", verbose_name=_("transfer")
    )
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    discount_minor = models.BigIntegerField(_("instant discount (minor units)"), default=0)
    discount_account = models.ForeignKey(
        "payments.LedgerAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("discount account"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    refunded_minor = models.BigIntegerField(_("refunded (minor units)"), default=0)
    customer_refunded_minor = models.BigIntegerField(_("refunded to the customer (minor units)"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("merchant payment")
        verbose_name_plural = _("merchant payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="merchant_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(discount_minor__gte=0, discount_minor__lt=F("amount_minor")),
                name="merchant_payment_discount_in_range",
            ),
            models.CheckConstraint(
                condition=Q(refunded_minor__gte=0, refunded_minor__lte=F("amount_minor")),
                name="merchant_payment_refund_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["customer", "created_at"], name="merchant_payment_customer")]

    def __str__(self) -> str:
        from payments.display import money_display

        return f"{self.merchant} {money_display(self.amount_minor, self.currency)}"

    @property
    def customer_paid_minor(self) -> int:
        return self.amount_minor - self.discount_minor
