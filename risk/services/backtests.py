"""Backtests: a rule version replayed over past evaluations, in a Celery job (``risk.backtest_run``)
with its progress stored as it goes. Each past evaluation stored every feature it saw, so the
candidate runs on exactly what the live rules saw then; the comparison is the rule's version that
ran on that evaluation (the live one of its time). Reported: hits (evaluations where it holds),
alerts (customers: one open alert per customer and rule), for whom, new and no longer flagged.
Safe to run twice: a run recomputes from scratch and overwrites its own row."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import audit_record
from risk.engine import rule_compile, rule_run
from risk.errors import RiskActionRefused
from risk.features import features_from_json
from risk.models import Backtest, Evaluation, RuleResult, RuleVersion

__all__ = ["backtest_run", "backtest_start"]

_BATCH = 500


def backtest_start(
    *, officer: Any, version: RuleVersion, since: datetime, until: datetime, request: Any = None
) -> Backtest:
    if officer is not None and not officer.has_perm("risk.add_ruleversion"):
        raise RiskActionRefused(gettext("You do not have permission to do this."), code="permission_denied")
    if since >= until:
        raise RiskActionRefused(gettext("The period must end after it starts."), code="period_invalid")
    rule_compile(version.expression)
    from risk.tasks import backtest_run_task

    with transaction.atomic():
        row = Backtest.objects.create(rule_version=version, since=since, until=until, started_by=officer)
        audit_record(
            action="risk.backtest.start",
            actor=officer,
            obj=row,
            request=request,
            changes={"version": version.pk, "since": since.isoformat(), "until": until.isoformat()},
        )
        transaction.on_commit(lambda: backtest_run_task.delay(backtest_id=row.pk))
    return row


def backtest_run(*, backtest_id: int) -> Backtest:
    """The job: replay in batches, storing progress after each; the result at the end."""
    row = Backtest.objects.select_related("rule_version__rule__scenario").get(pk=backtest_id)
    version = row.rule_version
    topics = set(version.rule.scenario.topics or [])
    evaluations = Evaluation.objects.filter(
        evaluated_at__gte=row.since, evaluated_at__lt=row.until, topic__in=topics
    ).order_by("id")
    total = evaluations.count()
    Backtest.objects.filter(pk=row.pk).update(status=Backtest.Status.RUNNING, total=total, done=0)
    candidate_hits: dict[int, int] = {}
    live_hits: dict[int, int] = {}
    done, last_id = 0, 0
    while True:
        batch = list(evaluations.filter(id__gt=last_id).values_list("id", "customer_id", "features")[:_BATCH])
        if not batch:
            break
        ran = dict(
            RuleResult.objects.filter(
                evaluation_id__in=[b[0] for b in batch], shadow=False, rule_version__rule_id=version.rule_id
            ).values_list("evaluation_id", "fired")
        )
        for evaluation_id, customer_id, features in batch:
            if rule_run(version.expression, features_from_json(features)).fired:
                candidate_hits[customer_id] = candidate_hits.get(customer_id, 0) + 1
            if ran.get(evaluation_id):
                live_hits[customer_id] = live_hits.get(customer_id, 0) + 1
        done += len(batch)
        last_id = batch[-1][0]
        Backtest.objects.filter(pk=row.pk).update(done=done)
    new = sorted(set(candidate_hits) - set(live_hits))
    gone = sorted(set(live_hits) - set(candidate_hits))
    result = {
        "candidate": {
            "hits": sum(candidate_hits.values()),
            "alerts": len(candidate_hits),
            "customers": sorted(candidate_hits)[:500],
        },
        "live": {"hits": sum(live_hits.values()), "alerts": len(live_hits), "customers": sorted(live_hits)[:500]},
        "newly_flagged": new[:500],
        "no_longer_flagged": gone[:500],
    }
    Backtest.objects.filter(pk=row.pk).update(
        status=Backtest.Status.DONE, done=done, result=result, finished_at=timezone.now()
    )
    row.refresh_from_db()
    return row
