"""Staff-maintained FX rates and customer quotes (a quote is honoured until it expires)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["FxQuote", "FxRate"]


class FxRate(models.Model):
    """``1 base = mid_rate quote``. Rows are never edited in place for history: the current rate of
    a pair is the APPROVED row with the latest ``valid_from`` not in the future (``payments.fx``).

    A staff member proposes a rate (PENDING); it becomes effective only when a second, independent
    staff member approves it (``payments.services.fx.fx_rate_approve``)."""

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending approval")
        APPROVED = "APPROVED", _("Approved")
        REJECTED = "REJECTED", _("Rejected")

    base = models.CharField(_("base currency"), max_length=3)
    quote = models.CharField(_("quote currency"), max_length=3)
    mid_rate = models.DecimalField(_("mid rate"), max_digits=20, decimal_places=10)
    spread_bps = models.PositiveIntegerField(_("spread (basis points each side)"), default=50)
    valid_from = models.DateTimeField(_("valid from"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    override_reason = models.TextField(_("reason for a large move"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["base", "quote", "-valid_from"]
        verbose_name = _("FX rate")
        verbose_name_plural = _("FX rates")
        constraints = [
            models.CheckConstraint(condition=Q(mid_rate__gt=0), name="fx_rate_positive"),
            models.CheckConstraint(condition=Q(spread_bps__lt=5000), name="fx_spread_below_50_percent"),
            models.CheckConstraint(condition=~Q(base=models.F("quote")), name="fx_rate_distinct_currencies"),
            models.CheckConstraint(condition=~Q(approved_by=models.F("set_by")), name="fx_rate_approver_not_setter"),
        ]
        indexes = [models.Index(fields=["base", "quote", "-valid_from"], name="fx_rate_pair_current")]

    def __str__(self) -> str:
        return f"{self.base}/{self.quote} {self.mid_rate}"


class FxQuote(models.Model):
    """A priced offer to one customer: sell ``sell_minor`` of one currency, get ``buy_minor`` of another.

    Used at most once: the conversion claims it with ``UPDATE ... WHERE status='OPEN' AND expires_at > now``.
    """

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        USED = "USED", _("Used")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="fx_quotes", verbose_name=_("customer")
    )
    sell_currency = models.CharField(_("sell currency"), max_length=3)
    buy_currency = models.CharField(_("buy currency"), max_length=3)
    sell_minor = models.BigIntegerField(_("sell amount (minor units)"))
    buy_minor = models.BigIntegerField(_("buy amount (minor units)"))
    rate = models.DecimalField(_("customer rate (buy per 1 sell)"), max_digits=24, decimal_places=12)
    rate_source = models.ForeignKey(FxRate, on_delete=models.PROTECT, related_name="+", verbose_name=_("rate source"))
    expires_at = models.DateTimeField(_("expires at"))
    status = models.CharField(_("status"), max_length=6, choices=Status.choices, default=Status.OPEN)
    transfer = models.OneToOneField(
        "payments.Transfer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("transfer"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("FX quote")
        verbose_name_plural = _("FX quotes")
        constraints = [
            models.CheckConstraint(condition=Q(sell_minor__gt=0, buy_minor__gt=0), name="fx_quote_amounts_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.sell_currency}->{self.buy_currency} {self.public_id}"
