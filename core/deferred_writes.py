"""Bookkeeping writes that ride on the request's own statement instead of costing their own.

A customer token's last-used time is written at most once a minute (``accounts.authentication``).
Written on its own, that is one more statement and one more commit (a WAL flush) on about every
payment of a customer who pays once in a while, which is most of them at a shopping-festival
peak; at 16 clients the commits queue on PostgreSQL's WAL lock (docs/evidence.md, issue 11). So
authentication *defers* it here, and:

- the money step sends it in the same round trip and the same transaction as the payment
  (``payments.ledger.money_step.money_step_run``: ``SELECT payments_pay(...); UPDATE ...`` in one
  simple-protocol query, which PostgreSQL runs as one implicit transaction);
- ``core.middleware.DeferredWritesMiddleware`` writes whatever no statement took once the view has
  answered, and clears the slot before and after every request, so nothing leaks into the next
  request a worker thread serves.

Only idempotent bookkeeping belongs here (a later statement overwrites an earlier one): a write
that is lost when its carrier rolls back must not matter. Money never goes through this module.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

_pending: ContextVar[dict[str, list[Any]] | None] = ContextVar("tongbao_deferred_writes", default=None)


def defer(sql: str, params: Sequence[Any]) -> None:
    """Write ``sql`` later in this request (the latest parameters win for the same statement)."""
    writes = _pending.get()
    if writes is None:
        writes = {}
        _pending.set(writes)
    writes[sql] = list(params)


def take() -> list[tuple[str, list[Any]]]:
    """The pending writes, now owned by the caller (who sends them with its own statement)."""
    writes = _pending.get()
    if not writes:
        return []
    _pending.set(None)
    return list(writes.items())


def discard() -> None:
    _pending.set(None)


def flush() -> None:
    """Write what nobody took, each in autocommit (or the caller's transaction). A failure is
    logged, not raised: the request's own work is done and answered."""
    for sql, params in take():
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
        except DatabaseError as exc:
            logger.warning("Deferred bookkeeping write skipped (%s)", type(exc).__name__)
