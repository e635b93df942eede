"""Profile one P2P transfer at the service layer and through the API view (in-process, one thread).

    python -m tools.bench_profile            # PROFILE_TRANSFERS=300, PROFILE_CUSTOMERS=1000 (make bench's world)
    PROFILE_PG_SET=plan_cache_mode=force_generic_plan python -m tools.bench_profile   # A/B a setting

Prints: PostgreSQL round trips per transfer (every Query/Sync on the wire, BEGIN, COMMIT and
SAVEPOINTs included: ``bench_cost.PgWireRelay``, through which this process connects), the SQL
statements Django saw (with their time), and the top functions by cumulative and own time
(cProfile, standard library: no extra dependency).
This is the "measure before optimising" step behind the figures of ``make bench``.

With ``pg_stat_statements`` loaded it also prints each statement's executor time per transfer,
nested ones included (the money step's own statements and the ledger's triggers), and every
sequential scan the transfers made (``pg_stat_user_tables``): how stop 24 found the balance UPDATE
and the Idempotency-Key look-up scanning whole tables (payments 0019)::

    DEVSTACK_PG_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" \
        DJANGO_ENV=test .venv/bin/python tools/devstack.py exec -- .venv/bin/python -m tools.bench_profile
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import random
import sys
import time
import uuid
from typing import Any

from tools import bench_cost, bench_world, loadlib

TRANSFERS = int(os.environ.get("PROFILE_TRANSFERS", "300"))


def backend_cpu_s(connection: Any) -> float:
    """CPU seconds the PostgreSQL backend serving ``connection`` has run (``/proc/<pid>/schedstat``:
    readable for another user's process, unlike its ``stat`` times on some kernels)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0]) / 1e9


def wsgi_transfer(application: Any, world: Any, rng: random.Random) -> int:
    """One ``POST /api/v1/transfers`` between two of ``world``'s customers, in-process through the
    WSGI ``application`` (the lanes gunicorn serves); its status code."""
    a, b = world.pair(rng)
    body = json.dumps(
        {"to_wallet_id": b.wallet_public_id, "amount": "0.05", "currency": "CNY", "pin": world.pin}
    ).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/transfers",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Bearer {a.token}",
        "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4()),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    status: list[str] = []
    b"".join(application(environ, lambda s, h, e=None: status.append(s)))
    return int(status[0].split()[0])


def _superuser() -> Any:
    """An autocommit connection to the profiled database as the dev stack's superuser (``postgres``,
    trust), straight to the server (not through the counting relay), or None."""
    import psycopg

    if not os.environ.get("DATABASE_OWNER_URL"):  # the dev stack's; DATABASE_URL goes through the relay here
        return None
    url = bench_world.libpq_dsn(os.environ["DATABASE_OWNER_URL"])
    params = psycopg.conninfo.conninfo_to_dict(url)
    params["user"] = "postgres"
    params.pop("password", None)
    try:
        return psycopg.connect(psycopg.conninfo.make_conninfo(**params), autocommit=True)
    except psycopg.Error:
        return None


class StatementReport:
    """Executor time per statement (``pg_stat_statements``, when loaded) and sequential scans per
    table over one loop of transfers."""

    def __init__(self, profiled: Any) -> None:
        self.profiled = profiled  # the Django connection the transfers run on
        self.conn = _superuser()
        self.statements = False
        if self.conn is not None:
            loaded = self.conn.execute("SHOW shared_preload_libraries").fetchone()[0]
            if "pg_stat_statements" in loaded:
                self.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                self.statements = True
        self._scans: dict[str, int] = {}

    def _seq_scans(self) -> dict[str, int]:
        """Per table, as the shared counters have them once the profiled backend has sent its own:
        an idle backend sends them only after about 10 s unless asked (the review of stop 24 read
        300 scans as 0 one second after them)."""
        assert self.conn is not None
        with self.profiled.cursor() as cursor:
            cursor.execute("SELECT pg_stat_force_next_flush()")  # sent as this backend goes idle
        time.sleep(0.5)
        return dict(self.conn.execute("SELECT relname, seq_scan FROM pg_stat_user_tables").fetchall())

    def start(self) -> None:
        if self.conn is None:
            return
        if self.statements:
            self.conn.execute("SELECT pg_stat_statements_reset()")
        self._scans = self._seq_scans()

    def print(self, label: str, count: int) -> None:
        if self.conn is None:
            print(f"=== {label}: no superuser connection: no statement report")
            return
        scans = {t: n - self._scans.get(t, 0) for t, n in self._seq_scans().items() if n - self._scans.get(t, 0)}
        print(
            f"=== {label}: sequential scans per transfer: "
            + (", ".join(f"{t} {n / count:.2f}" for t, n in sorted(scans.items(), key=lambda x: -x[1])) or "none")
        )
        if not self.statements:
            print(f"=== {label}: pg_stat_statements not loaded: no per-statement times")
            return
        rows = self.conn.execute(
            "SELECT calls, total_exec_time, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements"
            " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = %s) ORDER BY total_exec_time DESC LIMIT 25",
            [self.conn.info.dbname],
        ).fetchall()
        print(f"=== {label}: executor time per transfer by statement (nested included):")
        for calls, total_ms, query in rows:
            print(f"  {calls / count:5.2f} calls {total_ms * 1000 / count:7.1f} µs  {query}")


def _customers() -> int:
    return int(os.environ.get("PROFILE_CUSTOMERS", os.environ.get("BENCH_CUSTOMERS", "1000")))


def main(argv: list[str]) -> int:
    db_name = bench_world.provision_database("profile")
    relay = bench_cost.relay_for(os.environ["DATABASE_URL"])
    os.environ["DATABASE_URL"] = bench_cost.relayed_url(os.environ["DATABASE_URL"], relay)
    loadlib.setup_django()
    try:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from accounts.selectors import customers_for_payment
        from core.money import Money
        from payments.services.transfers import transfer_p2p_create

        # As many customers as make bench's world: analysed at 100 (a few pages a table), the deferred
        # foreign-key checks' plans scanned the accounts and transfers, which then grew (stop 24).
        world = bench_world.build_world(_customers(), merchants=1)
        if os.environ.get("PROFILE_GC"):  # e.g. "freeze" or "freeze,50000": an A/B of the collector
            import gc

            parts = os.environ["PROFILE_GC"].split(",")
            if "freeze" in parts:
                gc.collect()
                gc.freeze()
            for part in parts:
                if part.isdigit():
                    gc.set_threshold(int(part), 50, 100)
            print(f"gc: {parts}, frozen {gc.get_freeze_count()}, thresholds {gc.get_threshold()}")
        import gc as _gc

        gc_time = [0.0, 0.0, 0]

        def _gc_cb(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                gc_time[1] = time.thread_time()
            else:
                gc_time[0] += time.thread_time() - gc_time[1]
                gc_time[2] += 1

        _gc.callbacks.append(_gc_cb)
        for setting in filter(None, os.environ.get("PROFILE_PG_SET", "").split(",")):  # an A/B of a setting
            name, value = setting.split("=", 1)
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, false)", [name.strip(), value.strip()])
            print(f"session setting: {name.strip()} = {value.strip()}")
        rng = random.Random(1)

        def one_service() -> None:
            a, b = world.pair(rng)
            people = customers_for_payment([a.customer_id, b.customer_id])  # as token auth loads the payer
            transfer_p2p_create(  # autocommit, as the view: the money step is one statement
                sender=people[a.customer_id],
                recipient=people[b.customer_id],
                amount=Money(rng.randint(1, 100), "CNY"),
                memo="profile",
            )

        from wallet_site.wsgi import application  # what gunicorn serves: the API on its lean lane

        def one_api() -> int:
            return wsgi_transfer(application, world, rng)

        api_label = "api (in-process through wallet_site.wsgi, no gunicorn)"
        report = StatementReport(connection)
        for label, fn, count in [("service", one_service, TRANSFERS), (api_label, one_api, TRANSFERS)]:
            fn()  # warm
            relay.reset()
            with CaptureQueriesContext(connection) as ctx:
                fn()
            trips, statements = relay.counts()
            print(f"\n=== {label}: {trips} PostgreSQL round trips ({statements} statements on the wire),")
            print(f"    {len(ctx.captured_queries)} SQL statements logged by Django:")
            for q in ctx.captured_queries:
                print(f"  {float(q['time']) * 1000:6.2f} ms  {q['sql'][:150]}")
            report.start()
            backend_started = backend_cpu_s(connection)
            gc_time[0], gc_time[2] = 0.0, 0
            cpu_started = time.thread_time()
            for _ in range(count):
                fn()
            cpu_ms = (time.thread_time() - cpu_started) / count * 1000
            print(f"=== {label}: garbage collector {gc_time[0] / count * 1000:.3f} ms per transfer ({gc_time[2]} runs)")
            backend_ms = (backend_cpu_s(connection) - backend_started) / count * 1000
            print(
                f"=== {label}: {cpu_ms:.2f} ms of this thread's CPU and {backend_ms:.2f} ms of its PostgreSQL "
                f"backend's per transfer, unprofiled ({count} transfers)"
            )
            report.print(label, count)
            profiler = cProfile.Profile(time.thread_time)  # this thread's CPU, not waits nor the relay
            started = time.perf_counter()
            profiler.enable()
            for _ in range(count):
                fn()
            profiler.disable()
            per = (time.perf_counter() - started) / count * 1000
            print(f"=== {label}: {per:.1f} ms per transfer, single thread, profiled ({count} transfers)")
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "30")))
            stats.sort_stats("tottime").print_stats(15)
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:9000])
    finally:
        bench_world.drop_database(db_name)
        relay.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
