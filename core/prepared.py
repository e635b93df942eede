"""Hot reads planned once per database connection: SQL-level ``PREPARE`` / ``EXECUTE``.

Django's psycopg cursors bind parameters on the client (``prepare_threshold`` None, settings), so
PostgreSQL parses and plans every statement it receives. For the reads every API request makes
(the bearer token with its customer, tier and device; a payment's parties) planning cost more
than running: measured with ``EXPLAIN ANALYZE`` on this machine class, the token read planned in
0.36 ms and ran in 0.09 ms, the P2P parties read 0.31 ms and 0.16 ms. A PL/pgSQL function would
cache the plan too (the money step's functions do), but these reads return model columns built
from model metadata; a prepared statement keeps that SQL in Python, where the model is.

``execute(cursor, query, params)`` sends ``EXECUTE name(...)`` through Django's own cursor (so the
query log, execute wrappers and error translation see it as any statement), preparing it on the
connection first when this connection has not: once per connection, checked against
``pg_prepared_statements`` the first time a connection is seen. The statement's generic plan
is used from the start (``plan_cache_mode`` is set per session by nothing here: PostgreSQL picks
generic plans for these equality look-ups after its five custom ones anyway).

When a session loses its statements without the client knowing (an outside pooler's
``DISCARD ALL`` / ``DEALLOCATE ALL`` while ``DATABASE_PGBOUNCER`` is unset, a ``DISCARD ALL`` in
some code path, a server-side session reset), the ``EXECUTE`` fails with SQLSTATE 26000. That
failure costs one statement, not the connection: the connection's list is forgotten, so its next
use reads ``pg_prepared_statements`` again and prepares what the session lacks, and a warning is
logged (a pooler resetting sessions under us is a configuration to fix). The failed read itself:

- in autocommit (every prepared read of the API runs there: measured through the WSGI
  application for P2P by wallet and by phone, merchant payment and wallet list, token read
  included) it is answered by the plain SQL, which no session state can fail again: one more
  round trip on that request only (and Django's usability check after a database error, a
  ``SELECT 1`` when the request ends);
- inside a transaction the error is raised: the transaction is aborted, nothing can run in it,
  and its caller rolls back as for any database error. Guarding each ``EXECUTE`` with a savepoint
  would let it retry, at two more round trips per read: measured inside a transaction on this
  machine class (the token read, 2,000 reads x 3 interleaved rounds), ``SAVEPOINT`` + ``EXECUTE``
  + ``RELEASE`` took 0.13-0.16 ms of client CPU and 0.057-0.063 ms of backend CPU per read against
  0.09 and 0.04-0.05 ms for the ``EXECUTE`` alone (1.3-1.6x), on every read, to save one failed
  transaction per lost session. No prepared read runs in a transaction today.

The opposite drift, ``PREPARE`` of a name the session already holds (SQLSTATE 42P05), means the
session has this very statement (the name carries a digest of its text): in autocommit it is used
as it is; inside a transaction the error is raised and the list forgotten, as above. On the
normal path nothing of this costs a round trip: ``EXECUTE`` alone, as before.

Behind PgBouncer in transaction pooling mode (``DATABASE_PGBOUNCER``) a server connection is
not ours between transactions, so the statement is sent as plain SQL, as before.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError

__all__ = ["PreparedQuery", "execute"]

logger = logging.getLogger(__name__)

_NAMED = re.compile(r"%\((\w+)\)s")
_SEEN_ATTR = "_tongbao_prepared"  # on the psycopg connection: names prepared on its server session
_MISSING = "26000"  # invalid_sql_statement_name: EXECUTE of a name the session does not hold
_DUPLICATE = "42P05"  # duplicate_prepared_statement: PREPARE of a name the session holds


@dataclass(frozen=True)
class PreparedQuery:
    """A statement with named parameters (``%(name)s``), prepared as ``name`` plus a digest of its
    text (a changed statement never meets an older one prepared under the same name): ``$1..$n``
    in the order each parameter first appears; a parameter used twice is one ``$k``."""

    label: str
    sql: str
    name: str = field(init=False)
    order: tuple[str, ...] = field(init=False)
    prepare_sql: str = field(init=False)
    execute_sql: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", f"{self.label}_{hashlib.sha256(self.sql.encode()).hexdigest()[:12]}")
        order: list[str] = []
        for match in _NAMED.finditer(self.sql):
            if match.group(1) not in order:
                order.append(match.group(1))

        def placeholder(match: re.Match[str]) -> str:
            return f"${order.index(match.group(1)) + 1}"

        object.__setattr__(self, "order", tuple(order))
        object.__setattr__(self, "prepare_sql", f"PREPARE {self.name} AS {_NAMED.sub(placeholder, self.sql)}")
        arguments = f"({', '.join(f'%({n})s' for n in order)})" if order else ""
        object.__setattr__(self, "execute_sql", f"EXECUTE {self.name}{arguments}")


def _prepared_names(cursor: Any) -> set[str]:
    raw = cursor.db.connection  # the psycopg connection (the same object while the session lives)
    names: set[str] | None = getattr(raw, _SEEN_ATTR, None)
    if names is None:  # first time this connection is seen: what its session already holds
        cursor.execute("SELECT name FROM pg_prepared_statements")
        names = {row[0] for row in cursor.fetchall()}
        setattr(raw, _SEEN_ATTR, names)
    return names


def _forget(cursor: Any) -> None:
    """This connection's list is wrong: read the session's own list again on its next use."""
    if hasattr(cursor.db.connection, _SEEN_ATTR):
        delattr(cursor.db.connection, _SEEN_ATTR)


def _drift(error: DatabaseError, query: PreparedQuery, sqlstate: str) -> bool:
    """``error`` is PostgreSQL's ``sqlstate`` about ``query``'s statement (Django wraps the driver's
    error: psycopg 3 names the code ``sqlstate``, psycopg2 ``pgcode``). The name is looked for
    without its quotes, which differ with the server's ``lc_messages`` (German: »name«)."""
    cause = error.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code == sqlstate and query.name in str(cause)


def _prepare(cursor: Any, query: PreparedQuery, names: set[str]) -> None:
    try:
        cursor.execute(query.prepare_sql)
    except DatabaseError as error:
        if not _drift(error, query, _DUPLICATE):
            raise
        if not cursor.db.get_autocommit():  # the transaction is aborted: its caller sees the error
            _forget(cursor)
            logger.warning("Prepared statement %s was already on this connection's session", query.name)
            raise
        # In autocommit nothing is aborted, and the session holds this very text (the name
        # carries its digest): use it.
    names.add(query.name)


def execute(cursor: Any, query: PreparedQuery, params: Mapping[str, Any]) -> None:
    """Run ``query`` with ``params`` on Django's ``cursor`` (rows to fetch as after ``execute``).

    A session that lost the statement (SQLSTATE 26000) costs one failed statement: in autocommit
    (the API's reads) it is answered by the plain SQL; inside a transaction the error is raised (the
    transaction is aborted). Either way the connection's next use reads the session's list again
    and prepares what it lacks. See the module docstring."""
    if settings.DATABASE_PGBOUNCER:
        cursor.execute(query.sql, params)
        return
    cursor.db.ensure_connection()
    names = _prepared_names(cursor)
    if query.name not in names:
        _prepare(cursor, query, names)
    try:
        cursor.execute(query.execute_sql, params)
    except DatabaseError as error:
        if not _drift(error, query, _MISSING):
            raise
        _forget(cursor)  # its next use reads the session's list again and prepares what it lacks
        logger.warning("Prepared statement %s was missing from this connection's session: preparing again", query.name)
        if not cursor.db.get_autocommit():  # aborted: no statement runs until the caller rolls back
            raise
        cursor.execute(query.sql, params)  # once as plain SQL, which no session state can fail
