"""What the asynchronous rules ran on and what they found.

``RiskFact``: one row per (event, customer, kind): the customer's history that sliding windows are
counted over (a redelivered event adds nothing: unique per event). ``Evaluation``: one per (event,
customer), with the total per scenario, the thresholds used and the outcome. ``RuleResult``: one per
rule version run, with its inputs, result and duration: enough to replay and explain the decision.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from risk.models.rules import Outcome, RuleVersion

__all__ = ["Evaluation", "RiskFact", "RuleResult"]


class RiskFact(models.Model):
    class Kind(models.TextChoices):
        PAYMENT_OUT = "PAYMENT_OUT", _("Payment sent")
        PAYMENT_IN = "PAYMENT_IN", _("Payment received")
        TOPUP = "TOPUP", _("Top-up")
        WITHDRAWAL = "WITHDRAWAL", _("Withdrawal")
        LOGIN = "LOGIN", _("Sign-in")
        NEW_DEVICE = "NEW_DEVICE", _("New device")
        PASSWORD_RESET = "PASSWORD_RESET", _("Password reset")
        PASSWORD_CHANGE = "PASSWORD_CHANGE", _("Password changed")
        REWARD = "REWARD", _("Promotion reward")

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    amount_minor = models.BigIntegerField(default=0)  # CNY equivalent, minor units
    counterparty_key = models.CharField(max_length=140, blank=True)
    device_key = models.CharField(max_length=140, blank=True)
    event_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("risk fact")
        verbose_name_plural = _("risk facts")
        indexes = [models.Index(fields=["customer", "kind", "occurred_at"], name="risk_fact_window")]
        constraints = [
            models.UniqueConstraint(fields=["event_id", "customer", "kind"], name="risk_fact_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.customer_id} {self.occurred_at:%Y-%m-%d %H:%M}"


class Evaluation(models.Model):
    """The rules run on one event for one customer, once (unique per event and customer)."""

    event_id = models.BigIntegerField(_("event"))
    topic = models.CharField(_("topic"), max_length=100)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    transfer_public_id = models.UUIDField(_("transfer"), null=True, blank=True)
    event_at = models.DateTimeField(_("event time"))
    evaluated_at = models.DateTimeField(_("evaluated at"), auto_now_add=True)
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    shadow_outcome = models.CharField(_("decision of the shadow versions"), max_length=10, choices=Outcome.choices)
    scores = models.JSONField(_("scores per scenario"), default=dict)  # {scenario: {total, review, block, outcome}}
    features = models.JSONField(_("features"), default=dict)
    duration_us = models.PositiveIntegerField(_("duration (µs)"), default=0)

    class Meta:
        verbose_name = _("risk evaluation")
        verbose_name_plural = _("risk evaluations")
        constraints = [models.UniqueConstraint(fields=["event_id", "customer"], name="risk_evaluation_once_per_event")]
        indexes = [models.Index(fields=["customer", "-evaluated_at"], name="risk_evaluation_customer")]

    def __str__(self) -> str:
        return f"{self.topic} #{self.event_id}: {self.outcome}"


class RuleResult(models.Model):
    """One rule version on one evaluation: its inputs, whether it held, what it added, how long it took."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="results")
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, related_name="+")
    shadow = models.BooleanField(default=False)
    inputs = models.JSONField(default=dict)
    fired = models.BooleanField(default=False)
    score = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.ALLOW)
    error = models.CharField(max_length=300, blank=True)
    duration_us = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rule result")
        verbose_name_plural = _("rule results")
        constraints = [
            models.UniqueConstraint(fields=["rule_version", "evaluation"], name="risk_result_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.rule_version} fired={self.fired}"
