"""Shared fixtures. Tests run on real PostgreSQL and Redis (see the README's `make test`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db.backends.postgresql.operations import DatabaseOperations
from rest_framework.test import APIClient

from tests.reference_data import reference_data_restore

_original_execute_sql_flush = DatabaseOperations.execute_sql_flush


def _flush_past_append_only_triggers(self: DatabaseOperations, sql_list: list[str]) -> None:
    """Transactional tests end with a TRUNCATE of every table, which the append-only triggers
    (ledger, audit log) refuse, as they must in production. The test flush alone runs with
    ``session_replication_role = replica`` (superuser only), under which triggers do not fire."""
    with self.connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        _original_execute_sql_flush(self, sql_list)
    finally:
        with self.connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
    # The flush also emptied what data migrations created (KYC tiers, role groups): put it back.
    if self.connection.alias == "default":
        reference_data_restore()


DatabaseOperations.execute_sql_flush = _flush_past_append_only_triggers  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Throttle counters and lockouts live in Redis: each test starts clean."""
    cache.clear()
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
