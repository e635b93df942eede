"""Shared helpers for ``make bench``, ``make drill`` and ``make fuzz``.

Processes: gunicorn and Celery worker subprocesses with their peak RSS sampled (psutil).
Load: a pool of client threads running a callable for a bounded time or count, latencies collected.
Output: percentiles, a plain text table, JSON.

Everything here talks to 127.0.0.1 only. Nothing here imports Django at module level, so the
tools can configure settings first (``setup_django``).
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


# --- Django --------------------------------------------------------------------------------------
def setup_django() -> None:
    """Configure Django in this process (test-like settings unless the caller chose otherwise)."""
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wallet_site.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_env(**extra: str) -> dict[str, str]:
    """Environment for web/worker subprocesses: the caller's URLs, DEBUG off, test-like settings."""
    env = dict(os.environ)
    env.setdefault("DJANGO_ENV", "test")
    env["DJANGO_DEBUG"] = "0"
    env.setdefault("LOG_LEVEL", "WARNING")
    # Load tests hammer the API from one address with few customers: lift the per-user throttle
    # so the figure measures the ledger, not the rate limiter (documented in docs/evidence.md).
    env.setdefault("THROTTLE_USER", "1000000/min")
    env.setdefault("THROTTLE_ANON", "1000000/min")
    env.update(extra)
    return env


def manage(
    *args: str, env: dict[str, str] | None = None, check: bool = True, capture: bool = False, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env or child_env(),
        cwd=ROOT,
        check=check,
        text=True,
        capture_output=capture,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 30.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.3)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


# --- memory sampling -----------------------------------------------------------------------------
class RssSampler:
    """Samples the RSS of a process tree every ``interval`` seconds; keeps the peak per child.

    ``peak_child_mb`` is the largest single process (a web worker / a Celery pool process), which is
    what capacity planning needs; ``peak_tree_mb`` is the whole tree at its peak.
    """

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_child_mb = 0.0
        self.peak_tree_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(self.pid)
                procs = [root, *root.children(recursive=True)]
                sizes = []
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        sizes.append(proc.memory_info().rss / 1_048_576)
                if sizes:
                    self.peak_child_mb = max(self.peak_child_mb, max(sizes))
                    self.peak_tree_mb = max(self.peak_tree_mb, sum(sizes))
            self._stop.wait(self.interval)


# --- subprocesses --------------------------------------------------------------------------------
_STARTED: list[Service] = []


def stop_all_started() -> None:
    """Stop every web/worker/beat this process started (atexit, and on SIGTERM via ``exit_on_sigterm``)."""
    for service in list(_STARTED):
        with contextlib.suppress(Exception):
            service.stop(timeout=5)


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so ``finally`` blocks and atexit stop our subprocesses."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


atexit.register(stop_all_started)


@dataclass
class Service:
    name: str
    proc: subprocess.Popen[bytes]
    sampler: RssSampler
    port: int | None = None
    log_path: Path | None = None
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``gunicorn deploy conf: 4 workers x 1 thread (gthread)`` for a deployed-config server."""
        c = self.config
        if not c:
            return self.name
        return f"gunicorn deploy conf: {c.get('live_workers')} workers x {c.get('threads')} thread(s) ({c.get('worker_class')})"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def children(self) -> list[psutil.Process]:
        with contextlib.suppress(psutil.Error):
            return psutil.Process(self.proc.pid).children(recursive=True)
        return []

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        self.sampler.stop()
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


def _log_file(name: str) -> Path:
    path = Path(os.environ.get("EVIDENCE_LOG_DIR", "/tmp/tongbao-evidence"))
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{name}.log"


def start_gunicorn(
    *,
    workers: int = 2,
    threads: int = 4,
    port: int | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 40,
) -> Service:
    """gunicorn wallet_site.wsgi on 127.0.0.1 (its own process group); waits until /health/ answers."""
    port = port or free_port()
    log = _log_file(f"gunicorn-{port}")
    cmd = [
        PYTHON,
        "-m",
        "gunicorn",
        "wallet_site.wsgi",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--keep-alive",
        "30",
        "--graceful-timeout",
        "5",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, env=env or child_env(), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    service = Service("web", proc, RssSampler(proc.pid).start(), port=port, log_path=log)
    _STARTED.append(service)
    if not wait_port(port, timeout):
        service.stop()
        raise RuntimeError(f"gunicorn did not start; see {log}")
    # Warm each worker (imports, URL resolver, first DB connection).
    for _ in range(workers * threads):
        with contextlib.suppress(Exception):
            http_call(port, "GET", "/health/", timeout=5)
    return service


GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


def gunicorn_settings(env: dict[str, str]) -> dict[str, Any]:
    """The effective settings of ``deploy/gunicorn.conf.py`` under ``env`` (it reads os.environ)."""
    import runpy

    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        conf = runpy.run_path(str(GUNICORN_CONF))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return {k: conf.get(k) for k in ("workers", "threads", "worker_class", "keepalive", "max_requests")}


def start_gunicorn_deployed(
    *, port: int | None = None, env: dict[str, str] | None = None, timeout: float = 60, name: str = "web"
) -> Service:
    """gunicorn as deployed (docker-compose, ``make run``): ``-c deploy/gunicorn.conf.py wallet_site.wsgi``.

    Only the bind address (``GUNICORN_BIND``) and the access log (off: ``GUNICORN_ACCESS_LOG=""``)
    differ; workers and threads are the file's defaults unless ``env`` sets WEB_CONCURRENCY /
    WEB_THREADS. ``service.config`` holds the effective settings and the live worker count.
    """
    port = port or free_port()
    log_path = _log_file(f"gunicorn-{name}-{port}")
    env = dict(env or child_env())
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_ACCESS_LOG="", GUNICORN_LOG_LEVEL="warning")
    config = gunicorn_settings(env)
    cmd = [PYTHON, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "wallet_site.wsgi"]
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    service = Service(name, proc, RssSampler(proc.pid).start(), port=port, log_path=log_path)
    _STARTED.append(service)
    if not wait_port(port, timeout):
        service.stop()
        raise RuntimeError(f"gunicorn did not start; see {log_path}")
    workers = int(config.get("workers") or 1)
    deadline = time.time() + timeout
    while len(service.children()) < workers and time.time() < deadline:
        time.sleep(0.1)
    for _ in range(4 * workers * int(config.get("threads") or 1)):  # warm: imports, URL resolver, pool
        with contextlib.suppress(Exception):
            http_call(port, "GET", "/health/", timeout=5)
    service.config = {**config, "live_workers": len(service.children())}
    return service


def start_celery(
    *,
    queues: str = "default,risk,promotions,notifications",
    concurrency: int = 2,
    env: dict[str, str] | None = None,
    name: str = "evidence",
    pool: str = "prefork",
    wait: float = 20,
) -> Service:
    """A real Celery worker subprocess (own process group so SIGKILL reaches the pool too)."""
    log = _log_file(f"celery-{name}-{int(time.time())}")
    cmd = [
        PYTHON,
        "-m",
        "celery",
        "-A",
        "wallet_site",
        "worker",
        "-l",
        "WARNING",
        "-Q",
        queues,
        "-c",
        str(concurrency),
        "-P",
        pool,
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, env=env or child_env(), cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    service = Service("worker", proc, RssSampler(proc.pid).start(), log_path=log)
    _STARTED.append(service)
    deadline = time.time() + wait
    while time.time() < deadline and proc.poll() is None:
        if pool != "prefork" or len(service.children()) >= concurrency:
            break
        time.sleep(0.2)
    time.sleep(1.0)  # connect to the broker
    return service


# --- HTTP ---------------------------------------------------------------------------------------
class HttpClient:
    """A keep-alive HTTP/1.1 connection to 127.0.0.1 (one per client thread); reconnects on error."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        payload = json.dumps(body).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json", "Accept": "application/json", **(headers or {})}
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=payload, headers=hdrs)
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt:
                    raise
            except Exception:
                self.close()
                raise
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):
                self.conn.close()
            self.conn = None


def http_call(
    port: int, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None, timeout: float = 30
) -> tuple[int, dict[str, str], bytes]:
    client = HttpClient(port, timeout)
    try:
        return client.request(method, path, body, headers)
    finally:
        client.close()


# --- load generation -----------------------------------------------------------------------------
@dataclass
class LoadResult:
    """Outcome of a bounded load run: ok/failed counts, latencies (seconds), elapsed wall time."""

    ok: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    samples: dict[str, str] = field(default_factory=dict)  # first message per error label

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    @classmethod
    def merged(cls, results: list[LoadResult]) -> LoadResult:
        """Rounds of one side of a comparison as one result: throughput = all successes over all
        the rounds' time, percentiles over every latency."""
        merged = cls()
        for result in results:
            merged.ok += result.ok
            merged.failed += result.failed
            merged.latencies.extend(result.latencies)
            merged.elapsed += result.elapsed
            for label, count in result.errors.items():
                merged.errors[label] = merged.errors.get(label, 0) + count
            for label, sample in result.samples.items():
                merged.samples.setdefault(label, sample)
        return merged

    def summary(self) -> dict[str, Any]:
        pct = percentiles(self.latencies)
        return {
            "ok": self.ok,
            "failed": self.failed,
            "elapsed_s": round(self.elapsed, 2),
            "throughput_per_s": round(self.throughput, 1),
            **{f"{k}_ms": _ms(v) for k, v in pct.items()},
            "errors": dict(sorted(self.errors.items(), key=lambda kv: -kv[1])[:5]),
            "error_samples": self.samples,
        }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


def percentiles(values: list[float], points: tuple[int, ...] = (50, 95, 99)) -> dict[str, float | None]:
    """Nearest-rank percentiles: ``{"p50": ..., "p95": ..., "p99": ...}`` (None when empty)."""
    if not values:
        return {f"p{p}": None for p in points}
    ordered = sorted(values)
    out: dict[str, float | None] = {}
    for p in points:
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        out[f"p{p}"] = ordered[rank - 1]
    return out


def run_load(
    make_worker: Callable[[int], Callable[[], str | None]],
    *,
    clients: int,
    seconds: float,
    max_ops: int | None = None,
    rate_per_s: float | None = None,
    on_exit: Callable[[], None] | None = None,
) -> LoadResult:
    """Run ``clients`` threads; each calls its own ``op()`` (from ``make_worker(i)``) until time/ops run out.

    ``op()`` returns None on success or a short error label. ``rate_per_s`` paces the whole pool
    (open loop: each thread is given a schedule, so a slow response does not reduce offered load
    until every thread is busy). Bounded by ``seconds`` and ``max_ops``.
    """
    result = LoadResult()
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds
    counter = iter(range(max_ops if max_ops is not None else 10**12))
    interval = clients / rate_per_s if rate_per_s else 0.0

    def body(index: int) -> None:
        try:
            loop(index)
        finally:
            if on_exit is not None:
                with contextlib.suppress(Exception):
                    on_exit()

    def loop(index: int) -> None:
        op = make_worker(index)
        next_at = time.perf_counter() + (index * interval / clients if interval else 0.0)
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                return
            with lock:
                if next(counter, None) is None:
                    return
            if interval:
                if next_at > now:
                    time.sleep(next_at - now)
                next_at += interval
            started = time.perf_counter()
            try:
                error = op()
            except Exception as exc:
                error = type(exc).__name__
                with lock:
                    result.samples.setdefault(error, f"{exc!r}"[:300])
            latency = time.perf_counter() - started
            with lock:
                if error is None:
                    result.ok += 1
                    result.latencies.append(latency)
                else:
                    result.failed += 1
                    result.errors[error] = result.errors.get(error, 0) + 1

    threads = [threading.Thread(target=body, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    result.elapsed = time.perf_counter() - started
    return result


# --- output --------------------------------------------------------------------------------------
def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain fixed-width table (no dependency): one header row, one row per dict."""
    cells = [[_fmt(row.get(col)) for col in columns] for row in rows]
    widths = [max(len(col), *(len(r[i]) for r in cells)) if cells else len(col) for i, col in enumerate(columns)]
    line = "  ".join(col.ljust(widths[i]) for i, col in enumerate(columns))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(r[i].ljust(widths[i]) for i in range(len(columns))) for r in cells]
    return "\n".join([line, sep, *body])


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def write_json(path: str | Path, data: Any) -> None:
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


@contextlib.contextmanager
def services(*items: Service) -> Iterator[None]:
    try:
        yield
    finally:
        for item in items:
            item.stop()
