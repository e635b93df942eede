"""``make bench``: throughput and latency of the hot paths, each next to its baseline, in one run.

    python -m tools.bench                      # everything (about 10 minutes on 2 cores)
    python -m tools.bench transfers hot        # only some scenario groups (or scenario names)
    python -m tools.bench --report-only        # print, but exit 0 even if a target is missed
    BENCH_SECONDS=5 BENCH_HISTORY_POSTINGS=1000000 python -m tools.bench

Prints a results table, a cost-per-request table (CPU ms by process group, round trips) and the
list of missed targets; writes ``bench-results.json`` (``BENCH_OUTPUT``). **Exits 1 when a
target is missed** (or a scenario with a target crashed), unless ``--report-only`` or
``BENCH_REPORT_ONLY=1``. ``BENCH_TARGETS="api_vs_baseline=0.9"`` overrides targets (e.g. to see
one fail). Every figure of a run comes from one dedicated database on the configured server
(``tools.bench_world``), so the baseline and the layers above it share tables, triggers, server
and machine noise; ratios are what to compare across runs. The targets against the baseline are
measured in alternating rounds with it (``paired_rounds``: BENCH_ROUNDS x BENCH_ROUND_SECONDS per
side), so a slow minute of the machine lands on both sides of the ratio.

Scenarios are a registry (``@scenario``) in ``tools/bench_*.py`` modules (``MODULES``, plus
BENCH_MODULES). A row misses its target when it carries ``met`` (or any ``*_met``) = False.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools import bench_cost, bench_world, loadlib

if __name__ == "__main__":  # scenario modules import ``tools.bench``: share this module, not a copy
    sys.modules.setdefault("tools.bench", sys.modules[__name__])

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = [int(c) for c in os.environ.get("BENCH_CLIENTS", "8,16").split(",")]
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "1000"))
HISTORY_POSTINGS = int(os.environ.get("BENCH_HISTORY_POSTINGS", "10000000"))
HISTORY_BUDGET_S = float(os.environ.get("BENCH_HISTORY_BUDGET_S", "180"))
EVENT_RATE = float(os.environ.get("BENCH_EVENT_RATE", "200"))
SAMPLE_REQUESTS = int(os.environ.get("BENCH_SAMPLE_REQUESTS", "60"))  # round-trip sampling window
PROCS = int(os.environ.get("BENCH_PROCS", str(os.cpu_count() or 1)))  # multi-process service bench
# A ratio against the baseline is measured in ROUNDS alternating rounds (baseline, layer; layer,
# baseline; ...) of ROUND_SECONDS each side: this machine's speed drifts by a quarter within
# minutes (the same baseline gave 600/s and 843/s in two quiet runs), and a layer measured minutes
# after its baseline carried that drift into its ratio.
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "5")))  # 3 until stop 24: see docs/evidence.md
ROUND_SECONDS = float(os.environ.get("BENCH_ROUND_SECONDS", str(max(2.0, SECONDS / 2))))
OUTPUT = os.environ.get("BENCH_OUTPUT", "bench-results.json")
MODULES = [
    "tools.bench_transfers",
    "tools.bench_hot",
    "tools.bench_events",
    "tools.bench_history",
    "tools.bench_promotions",
    "tools.bench_risk",
]
EXTRA_MODULES = [m for m in os.environ.get("BENCH_MODULES", "").split(",") if m]

# Ratios are against the raw-SQL baseline of the same run at the same concurrency, except
# hot_vs_ordinary (one hot merchant against fifty ordinary ones, at the same layer).
TARGETS = {
    "service_vs_baseline": 0.5,  # service-layer P2P, threaded and one process per core
    "api_vs_baseline": 0.2,  # POST /api/v1/transfers, everything on
    "api_payment_vs_baseline": 0.2,  # POST /api/v1/payments (static QR) vs the raw payment
    "hot_vs_ordinary": 0.8,
    "event_p95_ms": 200.0,  # tools/bench_events.py
    "history_p95_ms": 30.0,  # tools/bench_history.py
}
for _item in filter(None, os.environ.get("BENCH_TARGETS", "").split(",")):
    _key, _, _value = _item.partition("=")
    TARGETS[_key.strip()] = float(_value)


# --- registry ----------------------------------------------------------------------------------
@dataclass
class Scenario:
    name: str
    group: str
    fn: Callable[[Bench], None]
    order: int


REGISTRY: list[Scenario] = []


def scenario(
    name: str, *, group: str, order: int = 100
) -> Callable[[Callable[[Bench], None]], Callable[[Bench], None]]:
    """Register a bench scenario: ``fn(bench)`` appends rows with ``bench.row(...)``."""

    def decorator(fn: Callable[[Bench], None]) -> Callable[[Bench], None]:
        REGISTRY.append(Scenario(name, group, fn, order))
        return fn

    return decorator


@dataclass
class Bench:
    world: bench_world.World
    dsn: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    memory: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _web: loadlib.Service | None = None
    _sample: tuple[loadlib.Service, bench_cost.PgWireRelay] | None = None
    _pg_pid: list[int | None] = field(default_factory=list)

    def row(
        self,
        *,
        group: str,
        name: str,
        layer: str,
        clients: int | None,
        result: loadlib.LoadResult | None = None,
        baseline: float | None = None,
        target: float | None = None,
        note: str = "",
        **extra: Any,
    ) -> dict[str, Any]:
        """One result row; ``ratio`` = throughput / ``baseline``, ``met`` = ratio >= ``target``.

        Extra keys are kept (``vs``: what the ratio is against; ``cpu_*_ms``, round trips ...).
        A target with no ratio (nothing measured) is a miss, not a pass.
        """
        summary = result.summary() if result is not None else {}
        tput = summary.get("throughput_per_s")
        ratio = round(tput / baseline, 2) if tput and baseline else None
        met = None if target is None else (ratio is not None and ratio >= target)
        row = {
            "group": group,
            "name": name,
            "layer": layer,
            "clients": clients,
            **summary,
            "baseline_per_s": baseline,
            "ratio": ratio,
            "target_ratio": target,
            "met": met,
            "note": note,
            **extra,
        }
        self.rows.append(row)
        shown = {k: row.get(k) for k in ("throughput_per_s", "p50_ms", "p95_ms", "ratio", "target_ratio")}
        costs = {k: v for k, v in row.items() if k.startswith(("cpu_", "pg_", "redis_")) and v is not None}
        loadlib.log(f"{group}/{name} [{layer}, {clients} clients] {shown} {costs or ''} {note}")
        return row

    def web(self) -> loadlib.Service:
        """One gunicorn for the whole run, configured as deployed (its peak RSS is the figure reported)."""
        if self._web is None or self._web.proc.poll() is not None:
            bench_world.known_payees_seed(self.world)
            self._web = loadlib.start_gunicorn_deployed(env=loadlib.child_env(**bench_world.RISK_ON_ENV))
        return self._web

    def sample_web(self) -> tuple[loadlib.Service, bench_cost.PgWireRelay]:
        """A second gunicorn (deploy conf, one worker) whose PostgreSQL traffic goes through a
        counting relay: the round-trip sampling server (never used for throughput)."""
        if self._sample is None or self._sample[0].proc.poll() is not None:
            url = os.environ["DATABASE_URL"]
            relay = bench_cost.relay_for(url)
            env = loadlib.child_env(
                DATABASE_URL=bench_cost.relayed_url(url, relay), WEB_CONCURRENCY="1", **bench_world.RISK_ON_ENV
            )
            bench_world.known_payees_seed(self.world)
            self._sample = (loadlib.start_gunicorn_deployed(env=env, name="sample"), relay)
        return self._sample

    def pg_pid(self) -> int | None:
        """The postmaster, whose tree's CPU the rows print as ``cpu_pg_ms``. Not cached while
        unknown: one failed look-up would leave every row of the run without it."""
        if not self._pg_pid:
            pid = bench_cost.postmaster_pid(self.dsn)
            if pid is None or bench_cost.tree_cpu_s(pid) is None:
                loadlib.log("PostgreSQL's CPU is unreadable (postmaster not found): cpu_pg_ms left empty")
                return None
            self._pg_pid.append(pid)
        return self._pg_pid[0]

    def stop(self) -> None:
        if self._sample is not None:
            self._sample[0].stop()
            self._sample[1].close()
        if self._web is not None:
            self._web.stop()
            self.memory["web_worker_peak_rss_mb"] = round(self._web.sampler.peak_child_mb, 1)


def find(bench: Bench, group: str, name: str, clients: int | None) -> float | None:
    for row in bench.rows:
        if row["group"] == group and row["name"] == name and row["clients"] == clients:
            return row.get("throughput_per_s")
    return None


# --- operations at each layer ------------------------------------------------------------------
def service_transfer_op(bench: Bench, seed: int) -> Callable[[], str | None]:
    """A P2P transfer through the public service (no HTTP), as the view calls it: both customers
    loaded (one raw statement, as token auth loads the payer), then ``transfer_p2p_create`` in
    autocommit, where its money step (one statement, ``payments_pay``) is the transaction: the
    view opens none (it did before the money step moved into the database, hence BEGIN/COMMIT)."""
    from accounts.selectors import customers_for_payment
    from core.errors import DomainError
    from core.money import Money

    rng = random.Random(seed)
    service = bench_world.p2p_service()
    if service is None:
        raise RuntimeError("no P2P service found (bench_world.P2P_SERVICE_CANDIDATES)")

    def op() -> str | None:
        a, b = bench.world.pair(rng)
        amount = Money(rng.randint(1, 100), "CNY")
        try:
            people = customers_for_payment([a.customer_id, b.customer_id])  # as token auth loads the payer
            bench_world.call_with_supported(
                service,
                customer=people[a.customer_id],
                sender=people[a.customer_id],
                recipient=people[b.customer_id],
                amount=amount,
                memo="bench",
            )
        except DomainError as exc:
            return exc.code
        return None

    return op


def service_payment_op(bench: Bench, seed: int, codes: list[str]) -> Callable[[], str | None]:
    """A static-QR merchant payment through ``merchant_payment_create`` (one of ``codes``), as the view
    calls it: the payer loaded, then the service in autocommit (its money step is the transaction)."""
    from accounts.selectors import customers_for_payment
    from core.errors import DomainError
    from core.money import Money
    from payments.services.merchant_payments import merchant_payment_create

    rng = random.Random(seed)

    def op() -> str | None:
        payer = rng.choice(bench.world.customers)
        try:
            customer = customers_for_payment([payer.customer_id])[payer.customer_id]  # as token auth loads it
            merchant_payment_create(customer=customer, qr=rng.choice(codes), amount=Money(rng.randint(1, 99), "CNY"))
        except DomainError as exc:
            return exc.code
        return None

    return op


def api_transfer_op(bench: Bench, seed: int, port: int) -> Callable[[], str | None]:
    rng = random.Random(seed)
    client = loadlib.HttpClient(port)

    def op() -> str | None:
        a, b = bench.world.pair(rng)
        status, _, body = client.request(
            "POST",
            "/api/v1/transfers",
            {
                "to_wallet_id": b.wallet_public_id,
                "amount": f"0.{rng.randint(1, 99):02d}",
                "currency": "CNY",
                "pin": bench.world.pin,
                "memo": "bench",
            },
            {"Authorization": f"Bearer {a.token}", "Idempotency-Key": str(uuid.uuid4())},
        )
        return None if status in (200, 201) else bench_world.error_label(status, body)

    return op


def api_payment_op(bench: Bench, seed: int, port: int, codes: list[str]) -> Callable[[], str | None]:
    rng = random.Random(seed)
    client = loadlib.HttpClient(port)

    def op() -> str | None:
        payer = rng.choice(bench.world.customers)
        status, _, body = client.request(
            "POST",
            "/api/v1/payments",
            {
                "qr": rng.choice(codes),
                "amount": f"0.{rng.randint(1, 99):02d}",
                "currency": "CNY",
                "pin": bench.world.pin,
            },
            {"Authorization": f"Bearer {payer.token}", "Idempotency-Key": str(uuid.uuid4())},
        )
        return None if status in (200, 201) else bench_world.error_label(status, body)

    return op


def run_django_load(
    make: Callable[[int], Callable[[], str | None]], clients: int, seconds: float, **kwargs: Any
) -> loadlib.LoadResult:
    """``run_load`` for workers using the Django ORM: each thread closes its own connection at the end."""
    return loadlib.run_load(make, clients=clients, seconds=seconds, on_exit=_close_connection, **kwargs)


def _close_connection() -> None:
    from django.db import connection

    connection.close()


# --- cost per request --------------------------------------------------------------------------
def measure(
    bench: Bench,
    run: Callable[[], loadlib.LoadResult],
    *,
    web: loadlib.Service | None = None,
) -> tuple[loadlib.LoadResult, dict[str, Any]]:
    """Run ``run()`` inside a CPU window (web tree, PostgreSQL tree, this process); returns the
    result and the CPU ms per request (requests = successes + failures)."""
    window = bench_cost.CpuWindow(web_pid=web.pid if web else None, pg_pid=bench.pg_pid())
    with window:
        result = run()
    return result, window.per_request(result.ok + result.failed)


def windowed(window: bench_cost.CpuWindow, run: Callable[[], loadlib.LoadResult]) -> loadlib.LoadResult:
    with window:
        return run()


@dataclass
class Paired:
    """A layer and its baseline measured in alternating rounds (``paired_rounds``)."""

    result: loadlib.LoadResult  # the layer's rounds as one result
    baseline: loadlib.LoadResult  # the baseline's rounds as one result
    cost: dict[str, Any]  # the layer's CPU per request over all its rounds
    baseline_cost: dict[str, Any]  # the baseline's, over all of theirs
    ratios: list[float]  # layer / baseline throughput, round by round

    def fields(self) -> dict[str, Any]:
        """The row's cost columns, and the baseline's CPU per request its ``cpu_ratio`` is against."""
        return {**self.cost, "baseline_cpu_total_ms": self.baseline_cost.get("cpu_total_ms")}

    def note(self) -> str:
        return f"{len(self.ratios)} alternating rounds of {ROUND_SECONDS:g} s, ratio by round " + " ".join(
            f"{r:.2f}" for r in self.ratios
        )


def paired_rounds(
    bench: Bench,
    baseline: Callable[[float], loadlib.LoadResult],
    layer: Callable[[float, bench_cost.CpuWindow], loadlib.LoadResult],
    *,
    web: loadlib.Service | None = None,
    baseline_web: loadlib.Service | None = None,
) -> Paired:
    """``baseline(seconds)`` and ``layer(seconds, window)`` in ``ROUNDS`` alternating rounds, the
    order swapped each round (neither side always runs first); ``layer`` runs its timed part inside
    ``window`` (``windowed``). The ratio is the layer's throughput over all its rounds against the
    baseline's over all of theirs: a slow minute of the machine lands on both sides."""
    base: list[loadlib.LoadResult] = []
    runs: list[loadlib.LoadResult] = []
    windows: list[bench_cost.CpuWindow] = []
    base_windows: list[bench_cost.CpuWindow] = []
    ratios: list[float] = []
    for round_no in range(ROUNDS):
        for side in ("baseline", "layer") if round_no % 2 == 0 else ("layer", "baseline"):
            if side == "baseline":
                base_windows.append(
                    bench_cost.CpuWindow(web_pid=baseline_web.pid if baseline_web else None, pg_pid=bench.pg_pid())
                )
                base.append(windowed(base_windows[-1], lambda: baseline(ROUND_SECONDS)))
            else:
                window = bench_cost.CpuWindow(web_pid=web.pid if web else None, pg_pid=bench.pg_pid())
                runs.append(layer(ROUND_SECONDS, window))
                windows.append(window)
        ratios.append(round(runs[-1].throughput / base[-1].throughput, 2) if base[-1].throughput else 0.0)
    result, base_result = loadlib.LoadResult.merged(runs), loadlib.LoadResult.merged(base)
    cost = bench_cost.CpuWindow.combined(windows).per_request(result.ok + result.failed)
    base_cost = bench_cost.CpuWindow.combined(base_windows).per_request(base_result.ok + base_result.failed)
    return Paired(result, base_result, cost, base_cost, ratios)


def sample_round_trips(
    relay: bench_cost.PgWireRelay, make: Callable[[int], Callable[[], str | None]], *, on_exit: Any = None
) -> dict[str, Any]:
    """PostgreSQL round trips / statements and Redis commands per operation: one client, warmed
    up by 10 operations, then ``SAMPLE_REQUESTS`` counted (BEGIN, COMMIT, SELECT 1 included)."""
    loadlib.run_load(make, clients=1, seconds=60, max_ops=10, on_exit=on_exit)
    relay.reset()
    redis_before = bench_cost.redis_calls()
    result = loadlib.run_load(make, clients=1, seconds=120, max_ops=SAMPLE_REQUESTS, on_exit=on_exit)
    return round_trip_fields(relay, result.ok + result.failed, redis_before)


def round_trip_fields(relay: bench_cost.PgWireRelay, requests: int, redis_before: int | None) -> dict[str, Any]:
    redis_after = bench_cost.redis_calls()
    trips, statements = relay.counts()
    n = max(1, requests)
    return {
        "pg_round_trips": round(trips / n, 1),
        "pg_statements": round(statements / n, 1),
        "redis_cmds": round((redis_after - redis_before) / n, 1)
        if redis_after is not None and redis_before is not None
        else None,
    }


# --- run ---------------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    loadlib.exit_on_sigterm()
    report_only = "--report-only" in argv or os.environ.get("BENCH_REPORT_ONLY") == "1"
    groups = {a for a in argv if not a.startswith("--")}
    for module in [*MODULES, *EXTRA_MODULES]:
        with contextlib.suppress(ModuleNotFoundError):
            importlib.import_module(module)
    selected = sorted(
        (s for s in REGISTRY if not groups or s.group in groups or s.name in groups), key=lambda s: s.order
    )
    started = time.time()
    db_name = bench_world.provision_database("bench")
    loadlib.setup_django()
    bench: Bench | None = None
    try:
        loadlib.log(f"building the world: {CUSTOMERS} funded customers, 50 ordinary merchants + 1 hot")
        world = bench_world.build_world(CUSTOMERS)
        # The baseline writes the ledger tables with plain SQL: as the schema owner, since the
        # application role writes them only through the kernel's functions (payments 0010); the
        # owner is held by the same triggers and constraints.
        bench = Bench(world=world, dsn=bench_world.libpq_dsn(os.environ.get("DATABASE_OWNER_URL")))
        for item in selected:
            loadlib.log(f"--- {item.group}/{item.name}")
            try:
                item.fn(bench)
            except Exception as exc:  # one broken scenario must not hide the others' figures
                bench.row(
                    group=item.group,
                    name=item.name,
                    layer="-",
                    clients=None,
                    note=f"ERROR {type(exc).__name__}: {str(exc)[:200]}",
                )
    finally:
        if bench is not None:
            bench.stop()
        bench_world.drop_database(db_name)
    if bench is None:
        return 2
    missed = report(bench, time.time() - started)
    if missed and report_only:
        print(f"{len(missed)} target(s) missed; exit 0 (report only)")
        return 0
    return 1 if missed else 0


def missed_targets(rows: list[dict[str, Any]]) -> list[str]:
    """Rows whose ``met`` / ``*_met`` is False, and crashed scenarios (nothing measured)."""
    missed = []
    for row in rows:
        flags = [k for k, v in row.items() if (k == "met" or k.endswith("_met")) and v is False]
        crashed = str(row.get("note", "")).startswith("ERROR")
        if flags or crashed:
            what = "crashed" if crashed else ", ".join(_miss_text(row, k) for k in flags)
            missed.append(f"{row['group']}/{row['name']} [{row.get('clients')} clients]: {what}")
    return missed


def _miss_text(row: dict[str, Any], flag: str) -> str:
    if flag == "met":
        return f"ratio {row.get('ratio')} < target {row.get('target_ratio')} (vs {row.get('vs') or 'baseline'})"
    return f"{flag} is False ({row.get('note', '')})"


COLUMNS = ["group", "name", "layer", "clients", "throughput_per_s", "p50_ms", "p95_ms", "p99_ms"]
COLUMNS += ["vs", "baseline_per_s", "ratio", "target_ratio", "met", "note"]
COST_COLUMNS = [
    "group",
    "name",
    "clients",
    "throughput_per_s",
    "ratio",
    "cpu_ratio",
    "cpu_web_ms",
    "cpu_pg_ms",
    "cpu_client_ms",
    "cpu_total_ms",
    "baseline_cpu_total_ms",
]
COST_COLUMNS += ["busy_cores", "machine_busy_cores", "ceiling_per_s", "pg_round_trips", "pg_statements", "redis_cmds"]


COST_LEGEND = """\
  web = gunicorn master + workers, pg = postmaster + all its children, client = the bench process
  (for in-process service rows: the whole application). throughput ~= busy_cores x 1000 / cpu_total_ms;
  ceiling_per_s = every core of the machine / cpu_total_ms (what a dedicated, CPU-bound machine would
  reach); cpu_ratio = the compared row's cpu_total_ms (for a row measured in alternating rounds: the
  baseline's over those rounds) / this row's (the ratio such a machine would show);
  machine_busy_cores - busy_cores = CPU other processes on the machine took in the window.
  pg_round_trips = Query + Sync messages (BEGIN, COMMIT, SELECT 1 count); redis_cmds = INFO commandstats delta."""


def cpu_ratios(rows: list[dict[str, Any]]) -> None:
    """``cpu_ratio`` = CPU ms per request of the row it is compared with (``vs``) / its own: the
    ratio a dedicated CPU-bound machine would show, far less sensitive to other load on the box."""
    for row in rows:
        vs, own = row.get("vs"), row.get("cpu_total_ms")
        base = row.get("baseline_cpu_total_ms") or next(
            (
                r.get("cpu_total_ms")
                for r in rows
                if r["group"] == row["group"] and r["name"] == vs and r.get("clients") == row.get("clients")
            ),
            None,
        )
        row["cpu_ratio"] = round(base / own, 2) if vs and own and base else None


def report(bench: Bench, elapsed: float) -> list[str]:
    """Print the tables and the missed targets, write the JSON; returns the missed targets."""
    print()
    print(loadlib.table(bench.rows, COLUMNS))
    cpu_ratios(bench.rows)
    costed = [r for r in bench.rows if r.get("cpu_total_ms") is not None or r.get("pg_round_trips") is not None]
    if costed:
        print(
            "\ncost per request (CPU ms by process group over the timed window; round trips from a one-client sample)"
        )
        print(loadlib.table(costed, COST_COLUMNS))
    print()
    for key, value in bench.memory.items():
        print(f"{key}: {value} MB")
    for note in bench.notes:
        print(f"note: {note}")
    missed = missed_targets(bench.rows)
    print(f"elapsed: {elapsed:.0f} s")
    loadlib.write_json(
        OUTPUT,
        {
            "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "seconds_per_point": SECONDS,
            "clients": CLIENTS,
            "customers": CUSTOMERS,
            "targets": TARGETS,
            "rows": bench.rows,
            "missed": missed,
            "memory_mb": bench.memory,
            "notes": bench.notes,
            "elapsed_s": round(elapsed, 1),
            "machine": {"cpus": os.cpu_count()},
        },
    )
    print(f"wrote {OUTPUT}")
    if missed:
        print(f"\nTARGETS MISSED ({len(missed)}):")
        for line in missed:
            print(f"  - {line}")
    else:
        print("\nall targets met")
    return missed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
