"""The hot path's PL/pgSQL keeps ``plan_cache_mode = force_generic_plan`` (payments 0016): a later
``CREATE OR REPLACE`` without the SET clause would silently bring back a re-plan on every payment."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

HOT_FUNCTIONS = [
    "payments_pay",
    "payments_ledger_post",
    "payments_hot_account_fold",
    "risk_precheck_gate",  # risk 0006 (replaced risk_precheck_facts)
    "promotions_quote_read",
]


@pytest.mark.parametrize("name", HOT_FUNCTIONS)
def test_hot_function_is_planned_once_per_session(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = 'public' AND p.proname = %s",
            [name],
        )
        rows = cursor.fetchall()

    assert rows, f"{name} does not exist"
    for (config,) in rows:
        assert "plan_cache_mode=force_generic_plan" in (config or []), (name, config)
