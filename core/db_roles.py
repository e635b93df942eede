"""Two database roles: the owner runs migrations, the application owns nothing.

The application role (``DATABASE_URL``) may read and write ordinary tables, but the ledger it
writes only through the kernel's functions (transfers, postings, posted balances and hot-account
deltas are SELECT-only to it), seals and audit events it may only append, and of a ledger account
it may change the held amount, the status and the name. It owns no table, so it can neither
``ALTER TABLE ... DISABLE TRIGGER`` nor drop the append-only triggers, and, not being a superuser,
it cannot ``SET session_replication_role``.

The owner role (``DATABASE_OWNER_URL``, falling back to ``DATABASE_URL``) creates and alters the
schema. ``manage.py migrate`` connects as the owner (``owner_connection``) and then applies
``app_role_grant``: the per-table privileges below, re-applied after every migration, so a table
added by a later migration gets its grants too (and ``ALTER DEFAULT PRIVILEGES`` covers anything
created outside ``migrate``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections

__all__ = [
    "APPEND_ONLY_TABLES",
    "COLUMN_UPDATE_TABLES",
    "KERNEL_WRITTEN_TABLES",
    "NO_DELETE_TABLES",
    "app_role_grant",
    "app_role_name",
    "owner_connection",
    "owner_settings",
]

# SELECT only: written by the ledger kernel's SECURITY DEFINER functions (payments 0009/0010,
# ``payments_ledger_post``, ``payments_hot_account_fold``), never by the application role itself.
KERNEL_WRITTEN_TABLES = frozenset({"payments_transfer", "payments_posting", "payments_hotaccountdelta"})
# INSERT and SELECT only (the append-only triggers refuse the rest even to the owner).
APPEND_ONLY_TABLES = frozenset(
    {"payments_ledgerseal", "core_auditevent", "promotions_campaignversion", "promotions_campaignapproval"}
)
# UPDATE limited to these columns; no DELETE. ``posted_minor`` moves only in the kernel's functions.
COLUMN_UPDATE_TABLES = {
    "payments_ledgeraccount": ("pending_debit_minor", "status", "name"),
}
# Everything else: SELECT, INSERT, UPDATE, DELETE, but DELETE is refused on these money records.
NO_DELETE_TABLES = frozenset({"payments_hold"})

# Session bounds of the owner's migration connection: migrations may take long.
_OWNER_OPTIONS = "-c statement_timeout=0 -c idle_in_transaction_session_timeout=0"


def owner_settings() -> dict[str, Any] | None:
    """Connection settings of the owner role, or None when migrations use ``DATABASE_URL``."""
    owner = getattr(settings, "DATABASE_OWNER", None)
    if not owner:
        return None
    return {key: owner.get(key) for key in ("USER", "PASSWORD", "HOST", "PORT")}


def app_role_name() -> str | None:
    """The application role, when it differs from the owner (else there is nothing to grant)."""
    owner = owner_settings()
    app_user = getattr(settings, "DATABASE_APP_USER", None)
    if owner is None or not app_user or owner["USER"] == app_user:
        return None
    return str(app_user)


@contextlib.contextmanager
def owner_connection(alias: str = "default") -> Iterator[None]:
    """Point connection ``alias`` at the owner role for the duration (migrations, test setup).

    Not thread-safe: only for single-threaded commands and the test harness's session setup."""
    owner = owner_settings()
    if owner is None:
        yield
        return
    connection = connections[alias]
    saved = {key: connection.settings_dict.get(key) for key in (*owner, "OPTIONS")}
    connection.close()
    connection.settings_dict.update(owner)
    # Direct and unpooled: a short single-threaded command must not take the application's pool.
    options = {key: value for key, value in (saved["OPTIONS"] or {}).items() if key != "pool"}
    connection.settings_dict["OPTIONS"] = {**options, "options": _OWNER_OPTIONS}
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def app_role_grant(app_role: str, alias: str = "default") -> int:
    """Apply the application role's privileges to every table of the schema; return how many tables.

    Run as the owner, after migrating. Idempotent: revokes, then grants per table."""
    role = _quote(app_role)
    connection = connections[alias]
    model_tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        tables = [row[0] for row in cursor.fetchall()]
        statements = [
            f"REVOKE CREATE ON SCHEMA public FROM {role}",
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
            # The ledger kernel's SECURITY DEFINER functions are revoked from PUBLIC (payments 0010):
            # the application role calls them by this grant.
            f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
        ]
        # No temporary tables for anyone but the owner, where the owner may say so (it owns the
        # database: the test database, a database it created); defence in depth beside the
        # functions' search_path ending with pg_temp.
        cursor.execute(
            "SELECT datname, pg_catalog.pg_get_userbyid(datdba) = current_user FROM pg_catalog.pg_database"
            " WHERE datname = current_database()"
        )
        database, owned = cursor.fetchone()
        if owned:
            statements.append(f"REVOKE TEMPORARY ON DATABASE {_quote(database)} FROM PUBLIC")
        for table in tables:
            quoted = _quote(table)
            statements.append(f"REVOKE ALL ON TABLE {quoted} FROM {role}")
            if table in KERNEL_WRITTEN_TABLES:
                statements.append(f"GRANT SELECT ON TABLE {quoted} TO {role}")
            elif table in APPEND_ONLY_TABLES:
                statements.append(f"GRANT SELECT, INSERT ON TABLE {quoted} TO {role}")
            elif table in COLUMN_UPDATE_TABLES:
                columns = ", ".join(_quote(c) for c in COLUMN_UPDATE_TABLES[table])
                statements.append(f"GRANT SELECT, INSERT, UPDATE ({columns}) ON TABLE {quoted} TO {role}")
            elif table in NO_DELETE_TABLES:
                statements.append(f"GRANT SELECT, INSERT, UPDATE ON TABLE {quoted} TO {role}")
            elif table in model_tables or table == "django_migrations":
                grant = "SELECT" if table == "django_migrations" else "SELECT, INSERT, UPDATE, DELETE"
                statements.append(f"GRANT {grant} ON TABLE {quoted} TO {role}")
        for statement in statements:
            cursor.execute(statement)
    return len(tables)
