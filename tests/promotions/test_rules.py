"""Campaign rules: typed documents validated against their schemas; wrong input is a clear 400."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from core.money import Money
from promotions.rules import CAMPAIGN_TZ, RulesInvalid, percent_of, rules_parse, segment_parse


def _parse(kind: str = "CASHBACK", **docs: object) -> object:
    base: dict[str, object] = {
        "conditions": {"min_amount": "20.00"},
        "benefit": {"percent": "10", "cap": "5.00"},
        "window": {},
        "segment": {},
    }
    base.update(docs)
    return rules_parse(kind=kind, **base)  # type: ignore[arg-type]


def _errors(exc: pytest.ExceptionInfo[RulesInvalid]) -> dict[str, str]:
    return {e["field"]: e["error"] for e in exc.value.details["errors"]}


def test_a_valid_cashback_parses_into_typed_values() -> None:
    rules = _parse(conditions={"min_amount": "20.00", "mcc_categories": ["DINING"]})

    assert rules.currency == "CNY"
    assert rules.conditions.min_amount == Money(20_00, "CNY")
    assert rules.conditions.mcc_categories == frozenset({"DINING"})
    assert rules.benefit.reward_for(Money(33_33, "CNY")) == Money(3_33, "CNY")
    assert rules.benefit.reward_for(Money(500_00, "CNY")) == Money(5_00, "CNY")  # capped


def test_an_amount_given_as_a_number_is_refused_with_its_field() -> None:
    with pytest.raises(RulesInvalid) as exc:
        _parse(conditions={"min_amount": 20})

    assert exc.value.status_code == 400
    assert exc.value.code == "campaign_rules_invalid"
    assert "conditions.min_amount" in _errors(exc)


def test_unknown_keys_wrong_types_and_out_of_range_values_are_all_reported_at_once() -> None:
    with pytest.raises(RulesInvalid) as exc:
        _parse(
            conditions={"min_amount": "20.00", "python": "__import__('os')"},
            benefit={"percent": "120", "cap": "5.00"},
            window={"weekdays": [0, 8]},
            segment={"kyc_tiers": "2"},
        )

    fields = set(_errors(exc))
    assert {"conditions", "benefit.percent", "window.weekdays.0", "window.weekdays.1", "segment.kyc_tiers"} <= fields


def test_kinds_without_a_schema_cannot_be_parsed() -> None:
    with pytest.raises(RulesInvalid) as exc:
        _parse(kind="RAFFLE")

    assert _errors(exc) == {"kind": "RAFFLE campaigns are not available yet"}


def test_a_zero_reward_and_decreasing_milestones_are_refused() -> None:
    with pytest.raises(RulesInvalid):
        _parse(benefit={"percent": "10", "cap": "0"})
    with pytest.raises(RulesInvalid) as exc:
        _parse(
            kind="CUMULATIVE_SPEND",
            benefit={
                "period": "MONTH",
                "milestones": [{"spend": "500.00", "reward": "10.00"}, {"spend": "100.00", "reward": "1.00"}],
            },
        )
    assert "benefit.milestones" in _errors(exc)


def test_points_campaigns_pay_points_with_the_largest_category_multiplier() -> None:
    rules = _parse(
        kind="POINTS",
        benefit={
            "points_per_yuan": 2,
            "multipliers": [
                {"mcc_categories": ["DINING"], "factor": 3},
                {"mcc_categories": ["DINING", "TRAVEL"], "factor": 2},
            ],
            "max_points": 500,
            "expire_after_days": 365,
        },
    )

    assert rules.currency == "PTS"
    assert rules.benefit.points_for(Money(12_99, "CNY"), "DINING") == Money(72, "PTS")  # 12 yuan x 2 x 3
    assert rules.benefit.points_for(Money(12_99, "CNY"), "SHOPPING") == Money(24, "PTS")
    assert rules.benefit.points_for(Money(1_000_00, "CNY"), "DINING") == Money(500, "PTS")  # capped


def test_percentages_round_down_to_the_minor_unit() -> None:
    assert percent_of(Money(9_99, "CNY"), Decimal("3.33")) == Money(33, "CNY")  # 33.2667 fen


@pytest.mark.parametrize(
    ("local", "inside"),
    [("2026-03-02 23:30", True), ("2026-03-03 01:59", True), ("2026-03-03 02:00", False), ("2026-03-07 23:30", False)],
)
def test_the_window_is_in_shanghai_time_and_may_wrap_midnight(local: str, inside: bool) -> None:
    rules = _parse(window={"weekdays": [1, 2, 3, 4, 5], "hours": {"from": "22:00", "to": "02:00"}})
    at = datetime.fromisoformat(local).replace(tzinfo=CAMPAIGN_TZ)

    assert rules.window.contains(at) is inside


def test_a_segment_document_alone_is_validated_too() -> None:
    assert segment_parse({"age_bands": ["post-90"], "card_linked": True}).card_linked is True
    with pytest.raises(RulesInvalid):
        segment_parse({"age_bands": ["post-85"]})
