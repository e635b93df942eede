"""`make soak`: many concurrent clients against `make run` for minutes; no 5xx, connections bounded.

Issue 11's proof that `make run` holds a real load: it starts the stack exactly as `make run` does
(`tools/devstack.py run`: gunicorn with deploy/gunicorn.conf.py, Celery worker and beat, the
embedded PostgreSQL and Redis, PgBouncer too with PGBOUNCER=1) in its own data folder
(``.data/soak``, kept between runs), creates funded customers through the services
(``manage.py loadtest_customers``), then drives SOAK_CLIENTS client threads (default 50) for
SOAK_SECONDS (default 300) of mixed traffic: P2P transfers with an Idempotency-Key and the PIN
(half), wallet reads, history reads. Every second it counts the application role's connections
in ``pg_stat_activity``. The bound it checks against:

- Django's pool (default): every process that may connect (gunicorn workers, Celery processes,
  beat, anything else Python the stack started, counted from its process tree) x
  DATABASE_POOL_MAX_SIZE;
- PGBOUNCER=1: PgBouncer's server connections for the database (tools/devstack.py).

It prints requests, the status histogram, latencies, the most connections seen and the bound, and
exits 1 on any 5xx or connection error, a count above the bound, or a run that moved no money.
Nothing here imports Django: the stack is a separate set of processes, as for a real client.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from tools import devstack, loadlib

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("SOAK_SECONDS", "300"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "50"))
DATA_DIR = Path(os.environ.get("SOAK_DATA_DIR", str(ROOT / ".data" / "soak")))
POOL_MAX_SIZE = int(os.environ.get("DATABASE_POOL_MAX_SIZE", "2"))  # the settings' default outside tests
PIN = "246810"  # payments.management.commands.loadtest_customers.LOADTEST_PIN
STACK_ENV_DROP = {"DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_DIRECT_URL", "REDIS_URL", "CELERY_BROKER_URL"}


def log(message: str) -> None:
    print(f"[soak] {message}", flush=True)


# --- the stack, as `make run` starts it ------------------------------------------------------------
def stack_env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in STACK_ENV_DROP and k != "DJANGO_ENV"}
    env.update(TONGBAO_DATA_DIR=str(DATA_DIR), PORT=str(port), GUNICORN_ACCESS_LOG="", PYTHONUNBUFFERED="1")
    return env


def stack_start(port: int) -> tuple[subprocess.Popen[bytes], Path]:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    log_path = DATA_DIR / "stack.log"
    with open(log_path, "wb") as out:
        stack = subprocess.Popen(
            [sys.executable, str(ROOT / "tools" / "devstack.py"), "run"],
            env=stack_env(port),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, like `make run` in a terminal
        )
    deadline = time.monotonic() + 600  # a first run initialises PostgreSQL and migrates
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            sys.exit(f"[soak] the stack exited ({stack.returncode}): see {log_path}")
        try:
            status, _, _ = loadlib.http_call(port, "GET", "/health/", timeout=5)
        except OSError:
            status = 0
        if status == 200:
            return stack, log_path
        time.sleep(1)
    stack_stop(stack)
    sys.exit(f"[soak] /health/ did not answer 200 within 10 minutes: see {log_path}")


def stack_stop(stack: subprocess.Popen[bytes]) -> float:
    """Ctrl-C, as a developer stops `make run`; returns the seconds the shutdown took."""
    began = time.monotonic()
    os.killpg(stack.pid, signal.SIGINT)
    try:
        stack.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(stack.pid, signal.SIGKILL)
        stack.wait()
    return time.monotonic() - began


def _process_table() -> dict[int, tuple[int, str]]:
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except (OSError, IndexError, ValueError):
                continue
            table[int(entry.name)] = (ppid, cmdline)
    return table


def connecting_processes(root_pid: int) -> list[str]:
    """Python processes under the stack that may hold database connections (not the gunicorn
    master, which loads no application code, nor devstack itself)."""
    table = _process_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], list(children.get(root_pid, []))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        ppid, cmdline = table[pid]
        if "python" not in cmdline.split(" ")[0] and "gunicorn" not in cmdline and "celery" not in cmdline:
            continue
        if "gunicorn" in cmdline and "gunicorn" not in table.get(ppid, (0, ""))[1]:
            continue  # the master
        found.append(_label(cmdline))
    return found


def _label(cmdline: str) -> str:
    if "gunicorn" in cmdline:
        return "gunicorn worker"
    if "celery" in cmdline:
        return "celery beat" if " beat " in cmdline else "celery worker"
    return " ".join(part for part in cmdline.split(" ")[1:4] if part)  # e.g. manage.py outbox_relay


# --- customers and the connection sampler --------------------------------------------------------
def customers_create(port: int, count: int) -> list[dict[str, Any]]:
    command = [sys.executable, str(ROOT / "tools" / "devstack.py"), "exec", "--"]
    command += [sys.executable, "manage.py", "loadtest_customers", str(count), "--fund", "1000.00", "--json"]
    env = {**stack_env(port), "DJANGO_ENV": "development", "LOG_LEVEL": "WARNING"}
    out = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return list(json.loads(out[out.index("[") :]))


class ConnectionSampler(threading.Thread):
    """Once a second: the application role's backends in pg_stat_activity (as the superuser)."""

    def __init__(self, pg_port: int) -> None:
        super().__init__(daemon=True)
        self.dsn = f"host=127.0.0.1 port={pg_port} user=postgres dbname=postgres"
        self.samples: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            while not self.stop.is_set():
                row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s", [devstack.DB_APP])
                self.samples.append(int(row.fetchone()[0]))  # type: ignore[index]
                self.stop.wait(1.0)


# --- the clients ----------------------------------------------------------------------------------
@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)

    def add(self, kind: str, status: int | str, seconds: float) -> None:
        with self.lock:
            self.statuses[f"{kind} {status}"] += 1
            self.latencies.setdefault(kind, []).append(seconds)


def client(port: int, me: dict[str, Any], everyone: list[dict[str, Any]], tally: Tally, until: float) -> None:
    rng = random.Random()
    conn = loadlib.HttpClient(port, timeout=60)
    auth = {"Authorization": f"Bearer {me['token']}"}
    while time.monotonic() < until:
        roll = rng.random()
        if roll < 0.5:
            other = rng.choice([c for c in everyone if c is not me][:20] or everyone)
            body = {"to_wallet_id": other["wallet_id"], "amount": f"0.{rng.randint(1, 99):02d}", "pin": PIN}
            kind, method, path = "transfer", "POST", "/api/v1/transfers"
            headers = {**auth, "Idempotency-Key": str(uuid.uuid4())}
        elif roll < 0.75:
            kind, method, path, body, headers = "wallets", "GET", "/api/v1/wallets", None, auth
        else:
            kind, method, path, body, headers = "history", "GET", "/api/v1/transactions?page_size=20", None, auth
        began = time.monotonic()
        try:
            status: int | str = conn.request(method, path, body, headers)[0]
        except (OSError, http.client.HTTPException) as exc:
            status = f"connection error {type(exc).__name__}"
        tally.add(kind, status, time.monotonic() - began)
    conn.close()


def drive(port: int, customers: list[dict[str, Any]], pg_port: int) -> tuple[Tally, list[int], float]:
    tally = Tally()
    sampler = ConnectionSampler(pg_port)
    sampler.start()
    began = time.monotonic()
    until = began + SECONDS
    rng = random.Random(7)
    threads = []
    for i in range(CLIENTS):
        me = customers[i % len(customers)]
        peers = rng.sample(customers, min(len(customers), 21))
        threads.append(threading.Thread(target=client, args=(port, me, peers, tally, until), daemon=True))
    for thread in threads:
        thread.start()
    last = began
    while any(thread.is_alive() for thread in threads):
        time.sleep(1)
        if time.monotonic() - last >= 30:
            last = time.monotonic()
            with tally.lock:
                done = sum(tally.statuses.values())
            log(
                f"{last - began:.0f}s: {done} requests, connections now {sampler.samples[-1:]} max {max(sampler.samples)}"
            )
    elapsed = time.monotonic() - began
    sampler.stop.set()
    sampler.join(5)
    return tally, sampler.samples, elapsed


# --- report ---------------------------------------------------------------------------------------
def report(tally: Tally, samples: list[int], elapsed: float, bound: int, processes: list[str]) -> list[str]:
    """Print the figures; return the failed checks."""
    total = sum(tally.statuses.values())
    log(f"{CLIENTS} clients, {elapsed:.0f} s: {total} requests ({total / elapsed:.0f}/s)")
    for name, count in sorted(tally.statuses.items()):
        log(f"  {name:40} {count:8}")
    for kind, values in sorted(tally.latencies.items()):
        pct = loadlib.percentiles(values)
        log(
            f"  {kind:10} latency ms p50 {pct['p50'] * 1000:.0f}  p95 {pct['p95'] * 1000:.0f}  p99 {pct['p99'] * 1000:.0f}"
        )
    log(
        f"connections of {devstack.DB_APP}: max {max(samples)}, mean {sum(samples) / len(samples):.1f} "
        f"over {len(samples)} samples; bound {bound}"
    )
    log(
        f"processes that may connect ({len(processes)}): "
        + ", ".join(f"{name} x{n}" for name, n in sorted(Counter(processes).items()))
    )
    errors = sum(n for name, n in tally.statuses.items() if name.split(" ", 1)[1][:1] in {"5", "c"})
    moved = tally.statuses.get("transfer 201", 0)
    ok = sum(n for name, n in tally.statuses.items() if name.split(" ", 1)[1][:1] == "2")
    failed = []
    if errors:
        failed.append(f"{errors} answers 5xx or connection errors")
    if max(samples) > bound:
        failed.append(f"{max(samples)} connections > bound {bound}")
    if moved == 0 or ok < 0.9 * total:
        failed.append(f"too little succeeded ({moved} transfers, {ok}/{total} 2xx): the run proves nothing")
    return failed


def main() -> int:
    pgbouncer = devstack.pgbouncer_enabled()
    port = loadlib.free_port()
    log(f"starting the stack as `make run` does ({DATA_DIR}, port {port}); log: {DATA_DIR / 'stack.log'}")
    stack, _ = stack_start(port)
    failed: list[str] = []
    try:
        customers = customers_create(port, max(2, CLIENTS * 2))
        log(f"{len(customers)} funded customers created; {CLIENTS} clients for {SECONDS} s")
        processes = connecting_processes(stack.pid)
        if pgbouncer:
            bound = devstack.PGB_POOL_SIZE + devstack.PGB_RESERVE
        else:
            bound = len(processes) * POOL_MAX_SIZE if POOL_MAX_SIZE else 0
        pg_port = int((DATA_DIR / "pg" / "port").read_text())
        tally, samples, elapsed = drive(port, customers, pg_port)
        failed = report(tally, samples, elapsed, bound, processes)
    finally:
        stopping = stack_stop(stack)
        log(f"stack stopped (Ctrl-C) in {stopping:.1f} s, exit code {stack.returncode}")
    if stack.returncode != 0:
        failed.append(f"the stack exited {stack.returncode} on Ctrl-C")
    for problem in failed:
        log(f"FAIL: {problem}")
    log("PASS" if not failed else "FAILED")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
