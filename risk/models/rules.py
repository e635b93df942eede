"""Scenarios (thresholds that turn a score into allow / review / block) and versioned rules.

A rule's text never changes once written: an edit is a new ``RuleVersion`` (DRAFT), which a risk
officer switches to SHADOW (evaluated and logged, never enforced) or LIVE (enforced; the previous
live version retires). Evaluations name the version they ran, so a rule change never changes a
past decision (``risk.services.rules``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Backtest", "Outcome", "RiskRule", "RiskScenario", "RuleSetStamp", "RuleVersion"]


class Outcome(models.TextChoices):
    """Ordered from the least to the most severe (``OUTCOME_SEVERITY``): the most severe wins."""

    ALLOW = "ALLOW", _("Allow")
    STEP_UP = "STEP_UP", _("Step-up on the next payment")
    REVIEW = "REVIEW", _("Review (money held)")
    BLOCK = "BLOCK", _("Block (account frozen)")


class RiskScenario(models.Model):
    """A family of rules run on some event topics; its thresholds turn the rules' total score into
    an outcome: ``total >= block_threshold`` blocks, ``>= review_threshold`` holds for review."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    topics = models.JSONField(_("event topics"), default=list)
    review_threshold = models.PositiveIntegerField(_("review from score"), default=50)
    block_threshold = models.PositiveIntegerField(_("block from score"), default=100)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("risk scenario")
        verbose_name_plural = _("risk scenarios")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_threshold__gt=0) & Q(block_threshold__gt=models.F("review_threshold")),
                name="risk_scenario_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.code


class RiskRule(models.Model):
    """A named rule of a scenario; what it tests is in its versions."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    scenario = models.ForeignKey(
        RiskScenario, on_delete=models.PROTECT, related_name="rules", verbose_name=_("scenario")
    )
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")

    def __str__(self) -> str:
        from django.utils.translation import get_language

        name = self.name_zh if (get_language() or "").lower().startswith("zh") else self.name_en
        return f"{name} ({self.code})"


class RuleVersion(models.Model):
    """One immutable version of a rule: a typed boolean expression over the event's features
    (``risk.features.FEATURES``; rule-engine syntax, never Python), the score it adds when it
    holds, an outcome it forces (``ALLOW`` = none), and the explanation shown to officers in both
    languages (``{feature}`` placeholders are filled with the values the evaluation saw)."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        SHADOW = "SHADOW", _("Shadow (logged, not enforced)")
        LIVE = "LIVE", _("Live")
        RETIRED = "RETIRED", _("Retired")

    rule = models.ForeignKey(RiskRule, on_delete=models.PROTECT, related_name="versions", verbose_name=_("rule"))
    number = models.PositiveIntegerField(_("version"))
    expression = models.TextField(_("expression"))
    score = models.PositiveIntegerField(_("score"), default=0)
    outcome = models.CharField(_("forced outcome"), max_length=10, choices=Outcome.choices, default=Outcome.ALLOW)
    explanation_en = models.CharField(_("explanation (English)"), max_length=300)
    explanation_zh = models.CharField(_("explanation (Chinese)"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        ordering = ["rule_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "number"], name="risk_rule_version_number_unique"),
            models.UniqueConstraint(fields=["rule"], condition=Q(status="LIVE"), name="risk_rule_one_live_version"),
            models.UniqueConstraint(fields=["rule"], condition=Q(status="SHADOW"), name="risk_rule_one_shadow_version"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.number}"


class Backtest(models.Model):
    """A rule version run over past evaluations (their stored inputs) in a Celery job, with its
    progress, and what it would have raised against the version that was live then."""

    class Status(models.TextChoices):
        QUEUED = "QUEUED", _("Queued")
        RUNNING = "RUNNING", _("Running")
        DONE = "DONE", _("Done")
        FAILED = "FAILED", _("Failed")

    rule_version = models.ForeignKey(
        RuleVersion, on_delete=models.PROTECT, related_name="backtests", verbose_name=_("rule version")
    )
    since = models.DateTimeField(_("from"))
    until = models.DateTimeField(_("to"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("evaluations to replay"), default=0)
    done = models.PositiveIntegerField(_("replayed"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backtest")
        verbose_name_plural = _("backtests")

    def __str__(self) -> str:
        return f"{self.rule_version} {self.status}"


class RuleSetStamp(models.Model):
    """One row (id 1): a number that every change to a rule version, a rule or a scenario bumps,
    in the changing transaction (statement triggers, risk 0007). The risk workers cache the
    compiled rule set per process under it (``risk.services.evaluation.ruleset_for``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    stamp = models.BigIntegerField()

    class Meta:
        verbose_name = _("rule set stamp")
        verbose_name_plural = _("rule set stamps")

    def __str__(self) -> str:
        return str(self.stamp)
