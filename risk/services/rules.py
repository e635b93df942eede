"""Risk officers' edits to rules and thresholds. A rule version is never edited: a change is a
new DRAFT version (type-checked when written), switched to SHADOW (logged, never enforced) or LIVE
(the previous live version retires). Every change is audited; a refused change changes nothing."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import audit_record
from risk.engine import rule_compile
from risk.errors import RiskActionRefused, RuleInvalid, ThresholdsInvalid
from risk.models import Outcome, RiskRule, RiskScenario, RuleVersion

__all__ = ["rule_version_create", "rule_version_status_set", "scenario_thresholds_set"]


def _require(officer: Any, perm: str) -> None:
    if officer is not None and not officer.has_perm(perm):
        raise RiskActionRefused(gettext("You do not have permission to do this."), code="permission_denied")


def rule_version_create(
    *,
    officer: Any,
    rule: RiskRule,
    expression: str,
    score: int,
    outcome: str = Outcome.ALLOW,
    explanation_en: str,
    explanation_zh: str,
    request: Any = None,
) -> RuleVersion:
    """A new DRAFT version of ``rule``: the expression must parse, name known features only, be
    well typed and answer yes/no (``RuleInvalid`` otherwise, nothing written)."""
    _require(officer, "risk.add_ruleversion")
    rule_compile(expression)
    if not isinstance(score, int) or not 0 <= score <= 1000:
        raise RuleInvalid(gettext("The score is a whole number from 0 to 1000."), code="score_invalid")
    if outcome not in Outcome.values:
        raise RuleInvalid(gettext("Unknown outcome."), code="outcome_invalid")
    if not explanation_en.strip() or not explanation_zh.strip():
        raise RuleInvalid(gettext("Explain the rule in both languages."), code="explanation_required")
    with transaction.atomic():
        RiskRule.objects.select_for_update().get(pk=rule.pk)
        number = (RuleVersion.objects.filter(rule=rule).aggregate(n=Max("number"))["n"] or 0) + 1
        version = RuleVersion.objects.create(
            rule=rule,
            number=number,
            expression=expression.strip(),
            score=score,
            outcome=outcome,
            explanation_en=explanation_en.strip()[:300],
            explanation_zh=explanation_zh.strip()[:300],
            created_by=officer,
        )
        audit_record(
            action="risk.rule.version_create",
            actor=officer,
            obj=version,
            request=request,
            changes={"rule": rule.code, "number": number, "expression": version.expression, "score": score},
        )
    return version


def rule_version_status_set(*, officer: Any, version: RuleVersion, status: str, request: Any = None) -> RuleVersion:
    """Switch a version to SHADOW, LIVE or RETIRED. LIVE retires the rule's live version (and the
    version leaves shadow); SHADOW replaces the rule's shadow version. Audited."""
    _require(officer, "risk.change_ruleversion")
    if status not in (RuleVersion.Status.SHADOW, RuleVersion.Status.LIVE, RuleVersion.Status.RETIRED):
        raise RuleInvalid(gettext("Unknown status."), code="status_invalid")
    with transaction.atomic():
        RiskRule.objects.select_for_update().get(pk=version.rule_id)
        locked = RuleVersion.objects.get(pk=version.pk)
        rule_compile(locked.expression)
        now = timezone.now()
        before = locked.status
        if status in (RuleVersion.Status.LIVE, RuleVersion.Status.SHADOW):
            RuleVersion.objects.filter(rule_id=locked.rule_id, status=status).exclude(pk=locked.pk).update(
                status=RuleVersion.Status.RETIRED, status_changed_at=now
            )
        RuleVersion.objects.filter(pk=locked.pk).update(status=status, status_changed_at=now)
        locked.status = status
        audit_record(
            action="risk.rule.version_status",
            actor=officer,
            obj=locked,
            request=request,
            changes={"status": [before, status], "rule": locked.rule_id, "number": locked.number},
        )
    return locked


def scenario_thresholds_set(
    *, officer: Any, scenario: RiskScenario, review: int, block: int, request: Any = None
) -> RiskScenario:
    """New thresholds (review > 0, block > review; ``ThresholdsInvalid`` otherwise, nothing
    changed). Past evaluations keep the thresholds they used (stored with them). Audited."""
    _require(officer, "risk.change_riskscenario")
    if not (isinstance(review, int) and isinstance(block, int) and 0 < review < block):
        raise ThresholdsInvalid(details={"review": review, "block": block})
    with transaction.atomic():
        locked = RiskScenario.objects.select_for_update().get(pk=scenario.pk)
        before = [locked.review_threshold, locked.block_threshold]
        locked.review_threshold, locked.block_threshold = review, block
        locked.save(update_fields=["review_threshold", "block_threshold", "updated_at"])
        audit_record(
            action="risk.scenario.thresholds",
            actor=officer,
            obj=locked,
            request=request,
            changes={"thresholds": [before, [review, block]]},
        )
    return locked
