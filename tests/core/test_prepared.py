"""``core.prepared``: hot reads are prepared once per connection and answer as the plain SQL does.

What makes these fail (seen): preparing on every call (two statements per read again), a
statement remembered for a connection whose session does not hold it ("prepared statement does
not exist"), or a second PREPARE of a name the session already holds ("already exists").

A session that loses its statements behind our back (a pooler's ``DISCARD ALL``, a
``DEALLOCATE ALL``) costs one failed statement, answered by the plain SQL in autocommit and raised
inside a transaction; the connection's next use prepares again. The tests of that were seen
failing against the code before it (every later read failed until the connection was recycled).
"""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.db import DataError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from core import prepared
from core.prepared import PreparedQuery
from tests.accounts.conftest import bearer_client
from tests.factories import CustomerFactory

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


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _starts(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"].split()[0] for q in ctx.captured_queries]


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


@direct_only
@pytest.mark.django_db(transaction=True)  # autocommit, as the API's reads run (DISCARD ALL needs it too)
@pytest.mark.parametrize("reset", ["DISCARD ALL", "DEALLOCATE ALL"])
def test_a_session_that_lost_its_statements_answers_and_heals(reset: str, caplog: pytest.LogCaptureFixture) -> None:
    assert _run({"a": 1, "b": 1, "label": ""}) == [(2, 1, "")]
    _sql(reset)  # a pooler's reset, or a server-side session reset, the client is not told about

    with CaptureQueriesContext(connection) as lost, caplog.at_level(logging.WARNING, logger="core.prepared"):
        assert _run({"a": 2, "b": 3, "label": "l"}) == [(5, 2, "l")]
    with CaptureQueriesContext(connection) as healed:
        assert _run({"a": 3, "b": 4, "label": "h"}) == [(7, 3, "h")]
    with CaptureQueriesContext(connection) as then:
        assert _run({"a": 4, "b": 5, "label": "t"}) == [(9, 4, "t")]

    assert _starts(lost) == ["EXECUTE", "SELECT"]  # the failed EXECUTE, then the plain statement
    assert _starts(healed) == ["SELECT", "PREPARE", "EXECUTE"]  # the session's list read again
    assert _starts(then) == ["EXECUTE"]
    assert [r.getMessage() for r in caplog.records if r.name == "core.prepared"] == [
        f"Prepared statement {QUERY.name} was missing from this connection's session: preparing again"
    ]


@direct_only
@pytest.mark.django_db(transaction=True)
def test_api_requests_after_the_session_was_reset_are_answered() -> None:
    client = bearer_client(CustomerFactory())
    assert client.get("/api/v1/me").status_code == 200
    _sql("DISCARD ALL")

    statuses = [client.get("/api/v1/me").status_code for _ in range(2)]

    assert statuses == [200, 200]  # the token read: answered by plain SQL, then prepared again


@direct_only
def test_inside_a_transaction_the_loss_is_raised_and_the_next_use_heals() -> None:
    _run({"a": 1, "b": 1, "label": ""})

    with pytest.raises(ProgrammingError) as raised, transaction.atomic():
        _sql("DEALLOCATE ALL")
        _run({"a": 2, "b": 2, "label": ""})  # the transaction is aborted: no retry can run in it
    with CaptureQueriesContext(connection) as healed:
        assert _run({"a": 2, "b": 3, "label": "h"}) == [(5, 2, "h")]

    assert getattr(raised.value.__cause__, "sqlstate", None) == "26000"
    assert _starts(healed) == ["SELECT", "PREPARE", "EXECUTE"]


@direct_only
@pytest.mark.django_db(transaction=True)
def test_a_statement_the_session_holds_unknown_to_us_is_used_in_autocommit() -> None:
    _run({"a": 1, "b": 1, "label": ""})
    setattr(connection.connection, prepared._SEEN_ATTR, set())  # we believe the session holds none

    with CaptureQueriesContext(connection) as ctx:
        assert _run({"a": 6, "b": 1, "label": "d"}) == [(7, 6, "d")]
    with CaptureQueriesContext(connection) as then:
        assert _run({"a": 6, "b": 2, "label": "d"}) == [(8, 6, "d")]

    assert _starts(ctx) == ["PREPARE", "EXECUTE"]  # "already exists": it is used as it is
    assert _starts(then) == ["EXECUTE"]


@direct_only
def test_a_statement_the_session_holds_unknown_to_us_inside_a_transaction_heals_next() -> None:
    _run({"a": 1, "b": 1, "label": ""})
    setattr(connection.connection, prepared._SEEN_ATTR, set())

    with pytest.raises(ProgrammingError) as raised, transaction.atomic():
        _run({"a": 6, "b": 1, "label": "d"})
    with CaptureQueriesContext(connection) as healed:
        assert _run({"a": 6, "b": 2, "label": "d"}) == [(8, 6, "d")]

    assert getattr(raised.value.__cause__, "sqlstate", None) == "42P05"
    assert _starts(healed) == ["SELECT", "EXECUTE"]  # the session's list read again: nothing to prepare


@direct_only
@pytest.mark.django_db(transaction=True)
def test_any_other_error_is_raised_as_it_is_and_nothing_is_forgotten() -> None:
    _run({"a": 1, "b": 1, "label": ""})

    with CaptureQueriesContext(connection) as failed, pytest.raises(DataError):
        _run({"a": "not a number", "b": 1, "label": ""})
    with CaptureQueriesContext(connection) as then:
        assert _run({"a": 1, "b": 2, "label": ""}) == [(3, 1, "")]

    assert _starts(failed) == ["EXECUTE"]  # no retry
    assert _starts(then) == ["EXECUTE"]


@override_settings(DATABASE_PGBOUNCER=True)
def test_behind_pgbouncer_the_plain_statement_is_sent() -> None:
    with CaptureQueriesContext(connection) as ctx:
        assert _run({"a": 1, "b": 2, "label": "p"}) == [(3, 1, "p")]
    assert len(ctx.captured_queries) == 1
    assert ctx.captured_queries[0]["sql"].startswith("SELECT")
