"""With `PGBOUNCER=1 make test` the application's connection goes through PgBouncer in transaction
pooling mode (README "Using PgBouncer"); skipped otherwise."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(
    not settings.DATABASE_PGBOUNCER, reason="the application connects directly (run with PGBOUNCER=1)"
)


@pytest.mark.django_db
def test_the_application_connects_through_pgbouncer_in_transaction_mode() -> None:
    params = connection.get_connection_params()
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_server_port(), current_user, current_database()")
        server_port, user, database = cursor.fetchone()

    # PgBouncer's own console, reachable only on PgBouncer's port (the role is in stats_users).
    console = psycopg.connect(
        host=params["host"],
        port=params["port"],
        user=params["user"],
        password=params.get("password"),
        dbname="pgbouncer",
        autocommit=True,
    )
    with console:
        cursor = console.execute("SHOW POOLS")
        columns = [column.name for column in cursor.description or []]
        pools = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    assert server_port != int(params["port"])  # PostgreSQL answers on another port than the one we dialled
    assert {"database": database, "user": user, "pool_mode": "transaction"}.items() <= next(
        pool for pool in pools if pool["database"] == database and pool["user"] == user
    ).items()


def test_nothing_needs_a_session_behind_pgbouncer() -> None:
    options = settings.DATABASES["default"]["OPTIONS"]

    assert "pool" not in options
    assert options["prepare_threshold"] is None
    assert settings.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] is True
