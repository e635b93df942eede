"""What one request costs: CPU milliseconds (web, PostgreSQL, client) and round trips (PostgreSQL, Redis).

``CpuWindow``: CPU seconds of process trees before and after a timed window (psutil; utime + stime
of every live process plus the ``children_*`` time of processes their parent has reaped, so a
backend or worker that exits inside the window is still counted; each snapshot waits ``SETTLE_S``
for exiting processes to be reaped, outside the wall time of the window). The PostgreSQL tree is the
postmaster and all its children (backends, WAL writer, checkpointer, autovacuum), found from
``pg_backend_pid()``; the embedded server runs as system user ``tongbao_pg``: reading its
processes needs root or the same user (else the figure is None and the note says so).

``PgWireRelay``: a TCP relay between a sampling client and PostgreSQL that counts the frontend
protocol messages that wait for an answer: a simple ``Query`` or a ``Sync`` closing an
extended-protocol batch (psycopg: Parse/Bind/Describe/Execute/Sync per statement). One of those
is one round trip, whatever it carries: BEGIN, COMMIT, SAVEPOINT and a health check ``SELECT 1``
count like any statement. ``Execute`` messages count statements. No server privilege is needed.

``redis_calls``: total ``INFO commandstats`` calls (minus INFO itself) for a before/after delta.

Throughput cross-check (issue 11): on a CPU-bound machine, requests/s = busy cores x 1000 / CPU ms
per request (web + PostgreSQL + client). ``ceiling_per_s`` uses every core of the machine.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psutil

SSL_REQUEST, GSSENC_REQUEST = 80877103, 80877104
# A process that exits while a snapshot is read is counted neither live nor as reaped: windows
# start and end on a quiet tree (connections closed by the load have exited and been reaped).
SETTLE_S = 0.5


# --- CPU -----------------------------------------------------------------------------------------
def tree_cpu_s(pid: int | None) -> float | None:
    """CPU seconds used so far by ``pid`` and its descendants, reaped ones included; None if unreadable."""
    if pid is None:
        return None
    try:
        procs = [psutil.Process(pid)]
        procs += procs[0].children(recursive=True)
    except psutil.Error:
        return None
    total, readable = 0.0, False
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
            readable = True
    return total if readable else None


def self_cpu_s() -> float:
    t = psutil.Process().cpu_times()
    return t.user + t.system


def machine_busy_s() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def postmaster_pid(dsn: str) -> int | None:
    import psycopg

    # The backend's parent, read while its connection is open: read after closing it, the backend
    # had sometimes exited already and the whole run printed no PostgreSQL CPU (stop 24).
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        try:
            return psutil.Process(int(row[0])).ppid() if row else None
        except psutil.Error:
            return None


@dataclass
class CpuWindow:
    """CPU of the web tree, the PostgreSQL tree and this process over one timed window."""

    web_pid: int | None
    pg_pid: int | None
    extra_client_s: float = 0.0  # CPU reported by client subprocesses (multi-process bench)
    _start: dict[str, float | None] = field(default_factory=dict)
    result: dict[str, float | None] = field(default_factory=dict)

    def _snap(self) -> dict[str, float | None]:
        return {
            "web": tree_cpu_s(self.web_pid) if self.web_pid else 0.0,
            "pg": tree_cpu_s(self.pg_pid),
            "client": self_cpu_s(),
        }

    def __enter__(self) -> CpuWindow:
        time.sleep(SETTLE_S)  # backends/processes closed just before have exited and been reaped
        self._start = {**self._snap(), "machine": machine_busy_s(), "wall": time.perf_counter()}
        return self

    def __exit__(self, *exc: object) -> None:
        ends = {"machine": machine_busy_s(), "wall": time.perf_counter()}
        time.sleep(SETTLE_S)  # connections closed at the end of the load: let them exit and be reaped
        end = {**self._snap(), **ends}
        delta: dict[str, float | None] = {}
        for key, before in self._start.items():
            after = end[key]
            delta[key] = None if before is None or after is None else after - before
        if delta["client"] is not None:
            delta["client"] += self.extra_client_s
        self.result = delta

    @classmethod
    def combined(cls, windows: list[CpuWindow]) -> CpuWindow:
        """The windows' CPU and wall time summed (rounds of one side of a comparison)."""
        total = cls(web_pid=None, pg_pid=None)
        for window in windows:
            for key, value in window.result.items():
                before = total.result.get(key, 0.0)
                total.result[key] = None if value is None or before is None else before + value
        return total

    def per_request(self, requests: int) -> dict[str, Any]:
        """``cpu_web_ms`` … ``cpu_total_ms``, busy cores (ours, whole machine) and the CPU-bound ceiling."""
        d = self.result
        if not d or requests <= 0:
            return {}
        wall = d["wall"] or 0.0

        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000 / requests, 2)

        parts = [d["web"], d["pg"], d["client"]]
        total = None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
        out: dict[str, Any] = {
            "cpu_web_ms": ms(d["web"]),
            "cpu_pg_ms": ms(d["pg"]),
            "cpu_client_ms": ms(d["client"]),
            "cpu_total_ms": ms(total),
            "busy_cores": round(total / wall, 2) if total is not None and wall else None,
            "machine_busy_cores": round((d["machine"] or 0.0) / wall, 2) if wall else None,
        }
        if out["cpu_total_ms"]:
            out["ceiling_per_s"] = round((os.cpu_count() or 1) * 1000 / out["cpu_total_ms"], 1)
        return out


# --- PostgreSQL round trips ----------------------------------------------------------------------
class PgWireRelay:
    """127.0.0.1:<port> -> PostgreSQL, counting the frontend's round trips and statements."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.lock = threading.Lock()
        self.round_trips = 0
        self.statements = 0
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        with self.lock:
            self.round_trips = self.statements = 0

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return self.round_trips, self.statements

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self.listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(server, client), daemon=True).start()
            threading.Thread(target=self._frontend, args=(client, server), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _frontend(self, client: socket.socket, server: socket.socket) -> None:
        buf, startup = bytearray(), True
        with contextlib.suppress(OSError):
            while data := client.recv(65536):
                buf += data
                out = bytearray()
                while True:
                    if startup:  # untyped: [length][code]; refuse TLS/GSS so the stream stays readable
                        if len(buf) < 8 or len(buf) < int.from_bytes(buf[:4], "big"):
                            break
                        size, code = int.from_bytes(buf[:4], "big"), int.from_bytes(buf[4:8], "big")
                        if code in (SSL_REQUEST, GSSENC_REQUEST):
                            client.sendall(b"N")
                        else:
                            out += buf[:size]
                            startup = False
                        del buf[:size]
                        continue
                    if len(buf) < 5 or len(buf) < 1 + int.from_bytes(buf[1:5], "big"):
                        break
                    size, kind = 1 + int.from_bytes(buf[1:5], "big"), buf[0:1]
                    self._count(kind)
                    out += buf[:size]
                    del buf[:size]
                if out:
                    server.sendall(out)
        for sock in (client, server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _count(self, kind: bytes) -> None:
        if kind in (b"Q", b"S", b"E"):
            with self.lock:
                if kind in (b"Q", b"S"):
                    self.round_trips += 1
                if kind in (b"Q", b"E"):
                    self.statements += 1


def relayed_url(url: str, relay: PgWireRelay) -> str:
    """``url`` with host:port replaced by the relay's (user, database and options kept)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@127.0.0.1:{relay.port}" if userinfo else f"127.0.0.1:{relay.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def relay_for(url: str) -> PgWireRelay:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return PgWireRelay(parts.hostname or "127.0.0.1", parts.port or 5432)


# --- Redis ---------------------------------------------------------------------------------------
_REDIS: list[Any] = []  # one persistent client: its connection handshake is not inside a window


def redis_calls() -> int | None:
    """Commands executed by the Redis at REDIS_URL so far (INFO commandstats, INFO itself excluded)."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    try:
        import redis

        if not _REDIS:
            _REDIS.append(redis.Redis.from_url(url))
        stats = _REDIS[0].info("commandstats")
    except Exception:
        return None
    return sum(int(v.get("calls", 0)) for k, v in stats.items() if k != "cmdstat_info")
