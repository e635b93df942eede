"""Read replica routing: history, statement and insight reads go to ``replica`` when one is configured.

Opt-in per read, never per model: a payment reads postings and wallets too, and must read them on
the primary (a replica lags). Selectors that may serve slightly stale data wrap themselves in
``@replica_reads`` (ORM queries inside are routed by ``ReplicaRouter``) or open their raw cursor on
``connections[read_alias()]``. Without ``DATABASE_REPLICA_URL`` (``settings.READ_REPLICA_ALIAS`` is
None) everything reads the primary, so the code path is the same with and without a replica.

Writes always go to ``default``; the replica is never migrated (it is a physical copy).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

__all__ = ["ReplicaRouter", "read_alias", "replica_reads"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_on_replica: ContextVar[bool] = ContextVar("replica_reads", default=False)


def _replica() -> str | None:
    return getattr(settings, "READ_REPLICA_ALIAS", None)


def read_alias() -> str:
    """The alias a replica-tolerant read uses now: the replica when configured, else ``default``."""
    return _replica() or DEFAULT_DB_ALIAS


@contextmanager
def _replica_scope() -> Iterator[None]:
    token = _on_replica.set(True)
    try:
        yield
    finally:
        _on_replica.reset(token)


def replica_reads(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Decorator for a selector whose ORM reads may be served by the replica (slightly stale)."""

    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with _replica_scope():
            return fn(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads inside ``@replica_reads`` go to the replica, if one is configured."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        replica = _replica()
        return replica if replica and _on_replica.get() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the same rows on either side

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == "replica" else None
