"""Health checks: database, Redis (cache and broker), pending migrations, worker heartbeat."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

HEARTBEAT_KEY = "core:worker-heartbeat"


def check_database() -> dict[str, Any]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def check_migrations() -> dict[str, Any]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"ok": not plan, "pending": len(plan)}


def check_redis() -> dict[str, Any]:
    from celery import current_app as app  # the site's app (wallet_site/__init__.py); core never imports the site

    cache.set("core:health-probe", "1", timeout=10)
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"ok": cache.get("core:health-probe") == "1"}


def check_worker() -> dict[str, Any]:
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None:
        return {"ok": False, "age_seconds": None}
    age = time.time() - float(beat)
    return {"ok": age <= settings.HEARTBEAT_MAX_AGE_SECONDS, "age_seconds": round(age, 1)}


CHECKS = {"database": check_database, "redis": check_redis, "migrations": check_migrations, "worker": check_worker}


def health_report() -> tuple[bool, dict[str, Any]]:
    report: dict[str, Any] = {}
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as exc:  # noqa: BLE001 - a health check reports any failure, it never raises
            report[name] = {"ok": False, "error": type(exc).__name__}
    return all(item["ok"] for item in report.values()), report
