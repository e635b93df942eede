"""What the payment path's pre-check reads (``risk.precheck``): one row per customer, the blocked
counterparties, the payees a customer already paid, the thresholds, and step-up challenges."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["BlockedCounterparty", "CustomerRiskProfile", "KnownPayee", "PrecheckPolicy", "RiskLevel", "StepUpChallenge"]


class RiskLevel(models.TextChoices):
    NORMAL = "NORMAL", _("Normal")
    ELEVATED = "ELEVATED", _("Elevated: step-up above the lower amount")
    HIGH = "HIGH", _("High: step-up on every payment")
    BLOCKED = "BLOCKED", _("Blocked: outgoing payments refused")


class CustomerRiskProfile(models.Model):
    """The customer's current risk level and the "step-up on the next payment" flag.

    Keyed by the customer's id (one index probe on the payment path). No row = NORMAL."""

    customer = models.OneToOneField(
        "accounts.Customer", on_delete=models.PROTECT, primary_key=True, related_name="+", verbose_name=_("customer")
    )
    level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.NORMAL)
    step_up_next = models.BooleanField(_("step-up on the next payment"), default=False)
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer risk profile")
        verbose_name_plural = _("customer risk profiles")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.level}"


class BlockedCounterparty(models.Model):
    """A payee no customer may pay: ``key`` is ``customer:<public id>``, ``merchant:<public id>`` or
    ``account:<ledger account code>`` (``risk.precheck.counterparty_keys``)."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        MERCHANT = "merchant", _("Merchant")
        ACCOUNT = "account", _("Ledger account")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=120, help_text=_("Public id, or the ledger account code."))
    key = models.CharField(_("key"), max_length=140, editable=False)
    reason = models.TextField(_("reason"))
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("blocked counterparty")
        verbose_name_plural = _("blocked counterparties")
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=Q(active=True), name="risk_blocked_one_active_per_key")
        ]

    def __str__(self) -> str:
        return self.key


class KnownPayee(models.Model):
    """A payee the customer has paid before (written after the payment, by the risk consumer):
    the pre-check's "new payee" and the rules' "many new payees"."""

    # No index of its own: the unique (customer, payee_key) index leads with it (risk 0008).
    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="+", db_index=False)
    payee_key = models.CharField(max_length=140)
    first_paid_at = models.DateTimeField()
    last_paid_at = models.DateTimeField()
    payments = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("known payee")
        verbose_name_plural = _("known payees")
        constraints = [models.UniqueConstraint(fields=["customer", "payee_key"], name="risk_known_payee_unique")]

    def __str__(self) -> str:
        return self.payee_key


class PrecheckPolicy(models.Model):
    """The step-up thresholds (one row, id 1), edited by risk officers in the admin (audited).
    Amounts are CNY minor units; another currency is compared at its CNY equivalent."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    step_up_amount_minor = models.BigIntegerField(_("step-up above (minor units)"), default=5_000_00)
    elevated_step_up_amount_minor = models.BigIntegerField(
        _("step-up above, elevated customers (minor units)"), default=500_00
    )
    new_payee_amount_minor = models.BigIntegerField(_("step-up to a new payee above (minor units)"), default=1_000_00)
    new_device_hours = models.PositiveIntegerField(_("a device is new for (hours)"), default=72)
    new_device_amount_minor = models.BigIntegerField(_("step-up from a new device above (minor units)"), default=200_00)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("step-up policy")
        verbose_name_plural = _("step-up policy")
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="risk_precheck_policy_single_row"),
            models.CheckConstraint(
                condition=Q(step_up_amount_minor__gte=0)
                & Q(elevated_step_up_amount_minor__gte=0)
                & Q(new_payee_amount_minor__gte=0)
                & Q(new_device_amount_minor__gte=0),
                name="risk_precheck_policy_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class StepUpChallenge(models.Model):
    """A second factor for one payment: issued when the pre-check asks for step-up (an SMS OTP goes
    to the customer's phone), confirmed with that code, then consumed by the payment's money step,
    once: bound to the customer, the payment's fingerprint and its amount, and expiring."""

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    fingerprint = models.CharField(_("payment fingerprint"), max_length=128)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("step-up challenge")
        verbose_name_plural = _("step-up challenges")
        indexes = [models.Index(fields=["customer", "fingerprint"], name="risk_stepup_customer_fp")]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="risk_stepup_amount_positive")]

    def __str__(self) -> str:
        return str(self.public_id)
