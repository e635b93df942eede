"""payments 0014 changes ``payments_pay`` by the step-up's lines only (the promotions work changes the
same function: the lead merges both by hand), and the step-up failure is never stored under the key."""

from __future__ import annotations

import difflib
from importlib import import_module


def _pay(migration: str) -> list[str]:
    return import_module(f"payments.migrations.{migration}").PAY.splitlines()


def test_payments_pay_differs_from_0013_by_the_step_up_lines_only() -> None:
    diff = list(difflib.ndiff(_pay("0013_money_step_resolves_accounts_by_code"), _pay("0014_step_up_in_money_step")))

    removed = [line for line in diff if line.startswith("- ")]
    added = [line[2:].strip() for line in diff if line.startswith("+ ")]

    assert removed == []
    assert added == [
        "IF failure IS NULL AND p ? 'step_up' THEN failure := payments_step_up_take(p, v_customer, v_now); END IF;",
        "ELSIF failure = 'step_up' THEN  -- not stored under the key: the client repeats it with a challenge",
        "RETURN jsonb_build_object('outcome', 'step_up');",
    ]


def test_payments_pay_of_0015_adds_the_instant_benefits_lines_only() -> None:
    diff = list(difflib.ndiff(_pay("0014_step_up_in_money_step"), _pay("0015_money_step_takes_instant_benefits")))

    removed = [line[2:].strip() for line in diff if line.startswith("- ")]
    added = [line[2:].strip() for line in diff if line.startswith("+ ")]

    assert removed == ["ELSIF v_key IS NULL THEN"]
    assert added == [
        "IF failure IS NULL AND p ? 'promotions' THEN  -- instant benefits: take what the quote read (promotions 0010)",
        "failure := payments_promotions_take(p, v_customer, v_now);",
        "END IF;",
        "ELSIF v_key IS NULL OR failure = 'promotion_changed' THEN  -- re-quoted and retried: never stored",
    ]


def test_payments_pay_of_0017_adds_the_risk_gate_lines_only() -> None:
    diff = list(difflib.ndiff(_pay("0015_money_step_takes_instant_benefits"), _pay("0017_money_step_decides_risk")))

    removed = [line for line in diff if line.startswith("- ")]
    added = [line[2:].strip() for line in diff if line.startswith("+ ")]

    assert removed == []
    assert added == [
        "IF failure IS NULL AND p ? 'risk' THEN failure := risk_precheck_gate(p->'risk', v_customer, v_now); END IF;",
        "ELSIF failure LIKE 'step_up:%' THEN  -- the risk gate's step-up (risk 0006), with its reason: not stored either",
        "RETURN jsonb_build_object('outcome', 'step_up', 'failure', failure);",
    ]
