"""Tests for the evidence tooling itself: percentile maths, the load runner, the load-test command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from payments.models import LedgerAccount
from tools import loadlib


def test_percentiles_use_nearest_rank() -> None:
    values = [i / 1000 for i in range(1, 101)]  # 1..100 ms

    assert loadlib.percentiles(values) == {"p50": 0.05, "p95": 0.095, "p99": 0.099}
    assert loadlib.percentiles([]) == {"p50": None, "p95": None, "p99": None}


def test_run_load_is_bounded_by_operation_count_and_tallies_errors() -> None:
    calls = {"n": 0}

    def make(_: int):  # type: ignore[no-untyped-def]
        def op() -> str | None:
            calls["n"] += 1
            return "boom" if calls["n"] % 4 == 0 else None

        return op

    result = loadlib.run_load(make, clients=3, seconds=30, max_ops=40)

    assert result.ok + result.failed == 40
    assert result.errors == {"boom": result.failed}
    assert result.summary()["p95_ms"] is not None


def test_table_renders_one_row_per_dict() -> None:
    text = loadlib.table([{"a": 1, "b": 1234.5}, {"a": None, "b": "x"}], ["a", "b"])

    assert text.splitlines()[0].split() == ["a", "b"]
    assert "1,234" in text and "-" in text.splitlines()[3]


@pytest.mark.django_db
def test_loadtest_customers_prints_working_tokens_and_funds_wallets() -> None:
    out = StringIO()

    call_command("loadtest_customers", "3", "--fund", "250.00", "--json", stdout=out)

    rows = json.loads(out.getvalue())
    assert len(rows) == 3
    assert {"phone", "password", "token", "pin", "wallet_id"} <= set(rows[0])
    wallets = LedgerAccount.objects.filter(public_id__in=[r["wallet_id"] for r in rows])
    assert sorted(w.posted_minor for w in wallets) == [25000, 25000, 25000]
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {rows[0]['token']}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_loadtest_customers_is_refused_in_production() -> None:
    with override_settings(IS_PRODUCTION=True), pytest.raises(CommandError):
        call_command("loadtest_customers", "1", stdout=StringIO())
