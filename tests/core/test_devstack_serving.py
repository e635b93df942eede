"""`make run` serves the way production does (tools/devstack.py, issue 11): gunicorn with
deploy/gunicorn.conf.py, a bounded database pool per process, the admin's static files in
development; PGBOUNCER=1 writes a transaction-pooling PgBouncer for the application role."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tools import devstack, loadlib

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_serves_web_with_gunicorn_as_deployed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEVSTACK_RUN_PROCESSES", raising=False)
    monkeypatch.delenv("DEVSTACK_RELOAD", raising=False)

    web = devstack._run_processes("8123")["web"]

    assert web[1:5] == ["-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    assert web[-1] == "wallet_site.wsgi"
    assert "127.0.0.1:8123" in web
    assert "runserver" not in web and "--reload" not in web


def test_reload_is_only_for_a_developer_who_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEVSTACK_RUN_PROCESSES", raising=False)
    monkeypatch.setenv("DEVSTACK_RELOAD", "1")

    assert "--reload" in devstack._run_processes("8123")["web"]


def _settings_in_subprocess(**env: str) -> dict[str, Any]:
    code = (
        "import json; from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(json.dumps({'options': d['OPTIONS'], 'max_age': d['CONN_MAX_AGE'], 'checks': d['CONN_HEALTH_CHECKS'], "
        "'no_ssc': d.get('DISABLE_SERVER_SIDE_CURSORS', False)}))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_P")}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_ENV": "development", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_outside_tests_each_process_has_a_bounded_pool_and_no_per_request_health_check() -> None:
    database = _settings_in_subprocess()

    assert database["options"]["pool"]["max_size"] == 2
    assert database["options"]["pool"]["min_size"] == 1
    assert database["max_age"] == 0  # Django refuses persistent connections with its pool
    assert database["checks"] is False
    assert "statement_timeout=60000" in database["options"]["options"]
    assert database["options"]["prepare_threshold"] is None


def test_behind_pgbouncer_there_is_one_pooler_and_nothing_that_needs_a_session() -> None:
    database = _settings_in_subprocess(DATABASE_PGBOUNCER="1", DATABASE_POOL_MAX_SIZE="8")

    assert "pool" not in database["options"]  # PgBouncer is the pool
    assert database["max_age"] == 60  # one persistent client connection to PgBouncer per process
    assert database["no_ssc"] is True  # a WITH HOLD cursor outlives the transaction
    assert database["options"]["prepare_threshold"] is None  # PgBouncer 1.18 cannot route prepared statements
    assert "options" not in database["options"]  # PgBouncer refuses the startup parameter


def test_pgbouncer_pools_transactions_for_the_application_role_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ENV", "test")
    monkeypatch.delenv("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", raising=False)

    config = devstack.pgbouncer_config(pg_port=5555, port=6666)

    lines = {
        line.split("=", 1)[0].strip(): line.split("=", 1)[1].strip() for line in config.splitlines() if "=" in line
    }
    assert lines["pool_mode"] == "transaction"
    assert lines["listen_addr"] == "127.0.0.1" and lines["listen_port"] == "6666"
    assert lines["auth_type"] == "scram-sha-256"
    assert "host=127.0.0.1 port=5555" in lines["*"]
    assert "SET idle_in_transaction_session_timeout = 600000" in lines["*"]
    assert int(lines["max_db_connections"]) <= 200 // 2  # half of the embedded server's max_connections


@pytest.mark.slow
def test_gunicorn_from_the_shared_configuration_serves_the_admin_and_its_static_files() -> None:
    """The web process of `make run`, on the (migrated) test database, DEBUG on as `make run` sets it."""
    port = loadlib.free_port()
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "development", "DJANGO_DEBUG": "1", "WEB_CONCURRENCY": "2"}
    env["GUNICORN_ACCESS_LOG"] = ""
    web = subprocess.Popen(
        devstack._web_command(str(port)), cwd=ROOT, env=env, start_new_session=True, stderr=subprocess.PIPE, text=True
    )
    try:
        assert loadlib.wait_port(port, 60), "gunicorn did not listen"
        login = loadlib.http_call(port, "GET", "/admin/login/")
        css = loadlib.http_call(port, "GET", "/static/admin/css/base.css")
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        began = time.monotonic()
        _, errors = web.communicate(timeout=30)

    assert login[0] == 200
    assert css[0] == 200 and b"body" in css[2]
    assert web.returncode == 0, errors
    assert time.monotonic() - began < 15
