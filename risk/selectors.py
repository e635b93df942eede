"""Reads of the risk app (no writes)."""

from __future__ import annotations

from typing import Any

from accounts.models import Customer
from core.pagination import Page, queryset_page
from risk.errors import ChallengeNotFound
from risk.models import StepUpChallenge

__all__ = [
    "evaluation_explain",
    "evaluation_replay",
    "notice_message",
    "notices_page_for_customer",
    "reviews_page_for_customer",
    "rule_name",
    "step_up_challenge_get",
]


def step_up_challenge_get(*, customer: Customer, challenge_id: Any) -> StepUpChallenge:
    """The customer's own challenge; ``ChallengeNotFound`` (404) for an unknown id or another customer's."""
    try:
        challenge = StepUpChallenge.objects.filter(public_id=challenge_id, customer=customer).first()
    except (ValueError, TypeError):
        challenge = None
    if challenge is None:
        raise ChallengeNotFound()
    return challenge


def _lang_zh() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").lower().startswith("zh")


def rule_name(rule: Any) -> str:
    return str(rule.name_zh if _lang_zh() else rule.name_en)


def evaluation_explain(evaluation: Any) -> list[dict[str, Any]]:
    """Why the decision was made, in the current language: each live rule that fired, with its
    explanation filled from the values the evaluation saw, its score and duration."""
    from risk.engine import explanation_render

    lines = []
    for result in evaluation.results.select_related("rule_version__rule").order_by("id"):
        if not result.fired:
            continue
        version = result.rule_version
        template = version.explanation_zh if _lang_zh() else version.explanation_en
        lines.append(
            {
                "rule": rule_name(version.rule),
                "version": version.number,
                "shadow": result.shadow,
                "score": result.score,
                "outcome": result.outcome,
                "text": explanation_render(template, {**evaluation.features, **result.inputs}),
                "duration_us": result.duration_us,
            }
        )
    return lines


def evaluation_replay(evaluation: Any) -> dict[str, Any]:
    """Run again the versions this evaluation ran, on the inputs it stored, with the thresholds it
    used: the same outcome comes back (a later rule change changes nothing here)."""
    from risk.engine import rule_run
    from risk.features import features_from_json
    from risk.models import Outcome
    from risk.services.evaluation import outcome_most_severe, scenario_outcome

    features = features_from_json(evaluation.features)
    per_scenario: dict[str, list[Any]] = {}
    for result in evaluation.results.select_related("rule_version__rule__scenario"):
        if result.shadow:
            continue
        run = rule_run(result.rule_version.expression, features)
        per_scenario.setdefault(result.rule_version.rule.scenario.code, []).append((result.rule_version, run))
    outcomes = []
    for code, runs in per_scenario.items():
        stored = evaluation.scores.get(code, {})
        total = sum(v.score for v, run in runs if run.fired)
        forced = [v.outcome for v, run in runs if run.fired]
        outcomes.append(
            outcome_most_severe([scenario_outcome(total, stored.get("review", 50), stored.get("block", 100)), *forced])
        )
    return {"outcome": outcome_most_severe(outcomes) if outcomes else Outcome.ALLOW}


def notice_message(notice: Any) -> str:
    """What the customer reads, in the request's language (a reason they can understand)."""
    from django.utils.translation import gettext as _

    from core.money import Money

    amount = (notice.params or {}).get("amount") or {}
    shown = ""
    if amount:
        money = Money.parse(str(amount.get("amount", "0")), str(amount.get("currency", "CNY")))
        shown = f"{money.amount_str()} {money.currency}"
    messages = {
        "ACCOUNT_FROZEN": _(
            "Your account is frozen while our fraud team reviews recent activity: payments are paused. "
            "You can ask for a person to review this decision."
        ),
        "ACCOUNT_UNFROZEN": _("Your account is active again. Thank you for your patience."),
        "PAYMENT_HELD": _(
            "A payment of %(amount)s is held while our fraud team checks it. The money stays in your account's "
            "held balance until the review ends. You can ask for a person to review this decision."
        )
        % {"amount": shown},
        "PAYMENT_RELEASED": _("The held payment of %(amount)s was checked and released.") % {"amount": shown},
        "PAYMENT_REVERSED": _("The held payment of %(amount)s was reversed after review.") % {"amount": shown},
        "STEP_UP": _("We noticed unusual activity: your next payment will ask for a code sent to your phone."),
    }
    return str(messages.get(notice.kind, ""))


def notices_page_for_customer(*, customer: Customer, token: str | None, size: int) -> Page[Any]:
    """One page of the customer's notices, newest first: a keyset on ``(created_at, id)`` (index
    ``risk_notice_customer_page``, core.pagination), no OFFSET, no COUNT."""
    from risk.models import CustomerNotice

    notices = CustomerNotice.objects.filter(customer=customer)
    return queryset_page(notices, ordering=("-created_at", "-id"), token=token, size=size)


def reviews_page_for_customer(*, customer: Customer, token: str | None, size: int) -> Page[Any]:
    """One page of the customer's review requests, newest first, with their notices: a keyset on
    ``(created_at, id)`` (index ``risk_review_customer_page``), no OFFSET, no COUNT."""
    from risk.models import ReviewRequest

    reviews = ReviewRequest.objects.filter(customer=customer).select_related("notice")
    return queryset_page(reviews, ordering=("-created_at", "-id"), token=token, size=size)
