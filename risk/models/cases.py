"""Alerts, cases, holds for review, freezes (unfrozen only with a second officer), the notices a
customer reads and the human reviews they ask for (PIPL art. 24)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.validators import reject_card_numbers
from risk.models.evaluations import Evaluation
from risk.models.rules import RiskRule

__all__ = [
    "Alert",
    "AlertHit",
    "Case",
    "CaseNote",
    "CustomerNotice",
    "ReviewRequest",
    "RiskFreeze",
    "RiskHold",
    "UnfreezeRequest",
]

_USER = settings.AUTH_USER_MODEL


class Case(models.Model):
    """A customer's open alerts, grouped, for one officer to work: assigned, noted, due by its SLA,
    closed with a resolution. At most one open case per customer."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        CLOSED = "CLOSED", _("Closed")

    class Resolution(models.TextChoices):
        NO_ACTION = "NO_ACTION", _("No action: legitimate activity")
        CUSTOMER_CONTACTED = "CUSTOMER_CONTACTED", _("Customer contacted and warned")
        FRAUD_CONFIRMED = "FRAUD_CONFIRMED", _("Fraud confirmed")
        REPORTED = "REPORTED", _("Reported to the authorities")

    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    assigned_to = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned to")
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    sla_due_at = models.DateTimeField(_("due by"))
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True, validators=[reject_card_numbers])
    closed_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("closed by")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk case")
        verbose_name_plural = _("risk cases")
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(status="OPEN"), name="risk_case_one_open")
        ]
        permissions = [
            ("work_case", _("Can work risk cases (assign, note, resolve, release, freeze)")),
            ("approve_risk_action", _("Can approve a reversal or an unfreeze asked by another officer")),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class Alert(models.Model):
    """One open alert per customer and rule; every later hit of that rule appends to it."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        CLOSED = "CLOSED", _("Closed")

    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    rule = models.ForeignKey(RiskRule, on_delete=models.PROTECT, related_name="+", verbose_name=_("rule"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("case"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    hits = models.PositiveIntegerField(_("hits"), default=0)
    first_hit_at = models.DateTimeField(_("first hit"))
    last_hit_at = models.DateTimeField(_("last hit"))

    class Meta:
        verbose_name = _("risk alert")
        verbose_name_plural = _("risk alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "rule"], condition=Q(status="OPEN"), name="risk_alert_one_open_per_rule"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.rule}"


class AlertHit(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="hit_rows")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alert hit")
        verbose_name_plural = _("alert hits")
        constraints = [models.UniqueConstraint(fields=["alert", "evaluation"], name="risk_alert_hit_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} <- {self.evaluation_id}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case"))
    author = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("author"))
    text = models.TextField(_("note"), validators=[reject_card_numbers])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class RiskHold(models.Model):
    """A payment held for review: a ledger hold on the credited wallet for the payment's amount,
    which never expires by itself. An officer releases it, or asks for a reversal that a second
    officer approves (the reversal posts and the hold goes in one transaction)."""

    class Status(models.TextChoices):
        HELD = "HELD", _("Held")
        REVERSAL_REQUESTED = "REVERSAL_REQUESTED", _("Reversal requested")
        RELEASED = "RELEASED", _("Released")
        REVERSED = "REVERSED", _("Reversed")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="holds", verbose_name=_("case"))
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="+", verbose_name=_("evaluation"))
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer (payer)")
    )
    transfer = models.ForeignKey(
        "payments.Transfer", on_delete=models.PROTECT, related_name="+", verbose_name=_("transfer")
    )
    ledger_holds = models.ManyToManyField("payments.Hold", related_name="+", verbose_name=_("ledger holds"))
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.HELD)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    requested_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("reversal asked by")
    )
    decided_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[reject_card_numbers])

    class Meta:
        verbose_name = _("held payment")
        verbose_name_plural = _("held payments")
        constraints = [models.UniqueConstraint(fields=["transfer"], name="risk_hold_once_per_transfer")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"


class RiskFreeze(models.Model):
    """A freeze placed by risk (an officer, or the engine on a BLOCK decision): in force at once
    through ``accounts``; lifted only by an approved ``UnfreezeRequest``."""

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", _("In force")
        LIFTED = "LIFTED", _("Lifted")

    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="freezes", verbose_name=_("case")
    )
    frozen_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("frozen by (empty: the rules)"),
    )
    reason = models.TextField(_("reason"), validators=[reject_card_numbers])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("frozen at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk freeze")
        verbose_name_plural = _("risk freezes")
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(status="ACTIVE"), name="risk_freeze_one_active")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.status}"


class UnfreezeRequest(models.Model):
    """Maker-checker for lifting a risk freeze: a second officer approves; never the maker, never
    the officer who froze."""

    class Status(models.TextChoices):
        PENDING = "PENDING", _("Pending")
        APPROVED = "APPROVED", _("Approved")
        REJECTED = "REJECTED", _("Rejected")

    freeze = models.ForeignKey(
        RiskFreeze, on_delete=models.PROTECT, related_name="unfreeze_requests", verbose_name=_("freeze")
    )
    maker = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked by"))
    reason = models.TextField(_("reason"), validators=[reject_card_numbers])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    checker = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("unfreeze request")
        verbose_name_plural = _("unfreeze requests")
        constraints = [
            models.UniqueConstraint(fields=["freeze"], condition=Q(status="PENDING"), name="risk_unfreeze_one_pending"),
            models.CheckConstraint(condition=~Q(checker=models.F("maker")), name="risk_unfreeze_checker_not_maker"),
        ]

    def __str__(self) -> str:
        return f"{self.freeze_id}: {self.status}"


class CustomerNotice(models.Model):
    """What the customer is told through the API when risk restricts them (a freeze, a held
    payment) and when it ends, with a reason they can understand (rendered in their language from
    ``kind`` and ``params``)."""

    class Kind(models.TextChoices):
        ACCOUNT_FROZEN = "ACCOUNT_FROZEN", _("Account frozen")
        ACCOUNT_UNFROZEN = "ACCOUNT_UNFROZEN", _("Account unfrozen")
        PAYMENT_HELD = "PAYMENT_HELD", _("Payment held for review")
        PAYMENT_RELEASED = "PAYMENT_RELEASED", _("Payment released")
        PAYMENT_REVERSED = "PAYMENT_REVERSED", _("Payment reversed")
        STEP_UP = "STEP_UP", _("Extra verification on the next payment")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason_code = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer notice")
        verbose_name_plural = _("customer notices")
        indexes = [models.Index(fields=["customer", "-created_at", "-id"], name="risk_notice_customer_page")]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_id}"


class ReviewRequest(models.Model):
    """A customer's request for a person to review an automated decision (PIPL art. 24): a task
    for an officer in the admin, answered in writing."""

    class Status(models.TextChoices):
        OPEN = "OPEN", _("Open")
        ANSWERED = "ANSWERED", _("Answered")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    notice = models.ForeignKey(
        CustomerNotice, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("notice")
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("case")
    )
    message = models.TextField(_("customer's message"), validators=[reject_card_numbers])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True, validators=[reject_card_numbers])
    answered_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("answered by")
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("human review request")
        verbose_name_plural = _("human review requests")
        constraints = [
            models.UniqueConstraint(
                fields=["notice"],
                condition=Q(status="OPEN", notice__isnull=False),
                name="risk_review_one_open_per_notice",
            )
        ]
        indexes = [models.Index(fields=["customer", "-created_at", "-id"], name="risk_review_customer_page")]

    def __str__(self) -> str:
        return f"{self.public_id}"
