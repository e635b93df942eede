"""``core.prepared``: hot reads are prepared once per connection and answer as the plain SQL does.

What makes these fail (seen): preparing on every call (two statements per read again), a
statement remembered for a connection whose session does not hold it ("prepared statement does
not exist"), or a second PREPARE of a name the session already holds ("already exists").
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from core import prepared
from core.prepared import PreparedQuery

pytestmark = pytest.mark.django_db
# Behind PgBouncer (PGBOUNCER=1 make test) nothing is prepared: only the last test applies there.
direct_only = pytest.mark.skipif(settings.DATABASE_PGBOUNCER, reason="the application connects through PgBouncer")

QUERY = PreparedQuery(
    "test_prepared_probe",
    "SELECT %(a)s::int + %(b)s::int AS total, %(a)s::int AS again, %(label)s::text AS label",
)


def _run(params: dict[str, object]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        prepared.execute(cursor, QUERY, params)
        return cursor.fetchall()


def test_placeholders_in_first_appearance_order() -> None:
    assert QUERY.order == ("a", "b", "label")
    assert "$1::int + $2::int" in QUERY.prepare_sql and "$1::int AS again" in QUERY.prepare_sql
    assert QUERY.execute_sql == f"EXECUTE {QUERY.name}(%(a)s, %(b)s, %(label)s)"
    assert QUERY.name.startswith("test_prepared_probe_")
    other = PreparedQuery("test_prepared_probe", QUERY.sql + " ")
    assert other.name != QUERY.name  # a changed statement never meets the older one


@direct_only
def test_answers_as_plain_sql_and_prepares_once_per_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute(QUERY.sql, {"a": 2, "b": 3, "label": "x'; DROP TABLE y; --"})
        plain = cursor.fetchall()
    with CaptureQueriesContext(connection) as first:
        assert _run({"a": 2, "b": 3, "label": "x'; DROP TABLE y; --"}) == plain
    with CaptureQueriesContext(connection) as second:
        assert _run({"a": 40, "b": 2, "label": "é"}) == [(42, 40, "é")]
    assert any(q["sql"].startswith("PREPARE") for q in first.captured_queries)
    assert [q["sql"][:7] for q in second.captured_queries] == ["EXECUTE"]


@direct_only
def test_a_session_that_already_holds_it_is_not_asked_twice() -> None:
    _run({"a": 1, "b": 1, "label": ""})
    delattr(connection.connection, prepared._SEEN_ATTR)  # as a new process meeting a pooled session
    assert _run({"a": 1, "b": 2, "label": ""}) == [(3, 1, "")]


@direct_only
def test_a_new_session_prepares_again() -> None:
    _run({"a": 1, "b": 1, "label": ""})
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a new server session looks like
    delattr(connection.connection, prepared._SEEN_ATTR)
    assert _run({"a": 5, "b": 5, "label": "n"}) == [(10, 5, "n")]


@override_settings(DATABASE_PGBOUNCER=True)
def test_behind_pgbouncer_the_plain_statement_is_sent() -> None:
    with CaptureQueriesContext(connection) as ctx:
        assert _run({"a": 1, "b": 2, "label": "p"}) == [(3, 1, "p")]
    assert len(ctx.captured_queries) == 1
    assert ctx.captured_queries[0]["sql"].startswith("SELECT")
