"""Shared fixtures. Tests run on real PostgreSQL and Redis (see the README's `make test`).

Tests connect as the application role (``DATABASE_URL``), exactly like the product. The test
database is created and migrated as the owner role (``DATABASE_OWNER_URL``, core.db_roles), and
the flush that ends a transactional test goes through a separate owner connection: the
application role may neither TRUNCATE nor switch off the append-only triggers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.core.cache import cache
from django.db import connection as django_connection
from django.db.backends.postgresql.operations import DatabaseOperations
from rest_framework.test import APIClient

from core.db_roles import owner_connection, owner_settings
from tests.reference_data import reference_data_restore

_owner_setup = contextlib.ExitStack()
_owner_db: psycopg.Connection[Any] | None = None


def owner_db() -> psycopg.Connection[Any]:
    """An autocommit connection to the test database as the owner role (the test harness only;
    the application never has one). Falls back to the application's credentials when no owner
    role is configured (then the application role is the owner)."""
    global _owner_db
    params = django_connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    params["options"] = "-c statement_timeout=0 -c lock_timeout=60s"  # a leaked session fails the flush, not hangs it
    params.update({k.lower(): v for k, v in (owner_settings() or {}).items() if v})
    if _owner_db is None or _owner_db.closed or _owner_db.info.dbname != params["dbname"]:
        kwargs = {("dbname" if k == "database" else k): v for k, v in params.items()}
        _owner_db = psycopg.connect(autocommit=True, **kwargs)
    return _owner_db


@contextlib.contextmanager
def owner_triggers_disabled(*tables: str) -> Iterator[psycopg.Cursor[Any]]:
    """As the owner, in one transaction: the user triggers of ``tables`` are off for what the block
    runs (what an attacker with the owner's rights could do; tests and the test flush only)."""
    db = owner_db()
    with db.transaction(), db.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield cursor
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _tables_with_user_triggers() -> list[str]:
    with owner_db().cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def _flush_as_owner(self: DatabaseOperations, sql_list: list[str]) -> None:
    """Transactional tests end with a TRUNCATE of every table, which the append-only triggers
    (ledger, audit log) refuse, as they must in production, and which the application role may
    not run anyway. The owner runs it, with the user triggers off inside that one transaction."""
    with owner_triggers_disabled(*_tables_with_user_triggers()) as cursor:
        for sql in sql_list:
            cursor.execute(sql)
    # The flush also emptied what data migrations created (KYC tiers, role groups): put it back.
    if self.connection.alias == "default":
        reference_data_restore()


DatabaseOperations.execute_sql_flush = _flush_as_owner  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> Iterator[None]:
    """The test database is created and migrated by the owner role (and dropped by it)."""
    _owner_setup.enter_context(owner_connection())
    yield
    _owner_setup.close()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> Iterator[None]:
    """Once the test database exists, the tests connect as the application role."""
    _owner_setup.close()
    yield
    if _owner_db is not None:
        _owner_db.close()
    _owner_setup.enter_context(owner_connection())  # pytest-django's teardown drops the database


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    """Throttle counters and lockouts live in Redis: each test starts clean."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _ledger_anchor_dir(settings: Any, tmp_path: Any) -> None:
    """Seal chain anchors are files outside the database: each test has its own."""
    settings.LEDGER_ANCHOR_DIR = tmp_path / "ledger-anchors"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
