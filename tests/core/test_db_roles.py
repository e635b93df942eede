"""The database protects the money from the application (core.db_roles, tools/devstack.py).

The tests connect as the application role, like web, worker and beat. It may append to the
ledger and the audit log, nothing more; the owner role, which could, is refused by the triggers.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.utils import DatabaseError

from core.audit import audit_record
from core.db_roles import app_role_name
from tests.conftest import owner_db

pytestmark = [
    pytest.mark.django_db,
    # With the embedded PostgreSQL (`make test`) the roles always exist; a server of your own
    # given as DATABASE_URL alone has one role for everything, and nothing to prove.
    pytest.mark.skipif(
        not getattr(settings, "DATABASE_OWNER", None) and "TONGBAO_EMBEDDED_PG_BIN" not in os.environ,
        reason="DATABASE_OWNER_URL is not set: the application connects as the owner",
    ),
]

COLUMN = {"payments_transfer": "memo", "payments_posting": "amount_minor", "payments_ledgerseal": "hash"}
COLUMN["core_auditevent"] = "reason"
PROTECTED = list(COLUMN)


def _refused(sql: str) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(error.value)


def test_the_application_is_neither_superuser_nor_owner() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, usesuper FROM pg_user WHERE usename = current_user")
        user, superuser = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)"
        )
        owned = cursor.fetchone()[0]
    assert user == app_role_name()
    assert superuser is False
    assert owned == 0


@pytest.mark.parametrize("table", PROTECTED)
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET {column} = {column}", "DELETE FROM {table}", "TRUNCATE {table}"]
)
def test_update_delete_truncate_of_the_ledger_and_audit_log_are_refused(table: str, statement: str) -> None:
    assert "permission denied" in _refused(statement.format(table=table, column=COLUMN[table]))


@pytest.mark.parametrize("table", PROTECTED)
def test_switching_off_the_triggers_is_refused(table: str) -> None:
    assert "must be owner" in _refused(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    assert "must be owner" in _refused(f"DROP TRIGGER {table}_append_only ON {table}")


def test_session_replication_role_is_refused() -> None:
    assert "permission denied" in _refused("SET session_replication_role = replica")


def test_account_identity_columns_cannot_be_changed_nor_accounts_deleted() -> None:
    assert "permission denied" in _refused("UPDATE payments_ledgeraccount SET allow_negative = true")
    assert "permission denied" in _refused("UPDATE payments_ledgeraccount SET currency = 'USD'")
    assert "permission denied" in _refused("DELETE FROM payments_ledgeraccount")


def test_the_application_cannot_create_tables_nor_truncate_anything() -> None:
    assert "permission denied" in _refused("CREATE TABLE payments_sneaky (id int)")
    assert "permission denied" in _refused("TRUNCATE django_session")


def test_the_application_sessions_are_bounded_in_time() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        statement_timeout = cursor.fetchone()[0]
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        idle_timeout = cursor.fetchone()[0]
    assert statement_timeout not in ("0", "")
    assert idle_timeout not in ("0", "")


@pytest.mark.django_db(transaction=True)
def test_the_owner_is_refused_by_the_append_only_triggers() -> None:
    event = audit_record(action="core.test", reason="why")

    with owner_db().cursor() as cursor:
        for sql in (
            "UPDATE core_auditevent SET reason = 'x' WHERE id = %s",
            "DELETE FROM core_auditevent WHERE id = %s",
        ):
            with pytest.raises(Exception, match="append-only"):
                cursor.execute(sql, [event.pk])


@pytest.mark.parametrize("table", ["payments_transfer", "payments_posting", "payments_hotaccountdelta"])
def test_the_ledger_is_written_only_by_the_kernel_functions(table: str) -> None:
    """Payments 0010: transfers, postings and hot-account deltas are SELECT-only to the application
    role (the kernel's SECURITY DEFINER functions write them), so no posting can be appended to an
    old transfer and no delta invented."""
    assert "permission denied" in _refused(f"INSERT INTO {table} DEFAULT VALUES")


def test_posted_balances_move_only_in_the_kernel_functions() -> None:
    assert "permission denied" in _refused("UPDATE payments_ledgeraccount SET posted_minor = posted_minor + 1")
    refused = _refused(
        "INSERT INTO payments_ledgeraccount (public_id, code, kind, currency, name, allow_negative, is_hot, status,"
        " posted_minor, pending_debit_minor, created_at) VALUES (gen_random_uuid(), 'minted', 'SUSPENSE', 'CNY',"
        " '', false, false, 'ACTIVE', 100000000, 0, now())"
    )
    assert "must open with a zero balance" in refused
