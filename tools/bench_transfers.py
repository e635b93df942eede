"""``make bench`` group ``transfers``: P2P transfers at three layers against the raw-SQL baseline.

Each scenario's docstring says what it compares and what makes it fail. Ratios are against the
baseline of the same run at the same client count. Beside each ratio: CPU ms per request by
process group (web = the gunicorn tree, pg = the postmaster and all its children, client = the
bench process) over the timed window, and PostgreSQL round trips / Redis commands per request
from a one-client sample through a counting relay (``tools.bench_cost``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from tools import bench_cost, bench_procs, bench_raw, bench_world, loadlib
from tools.bench import (
    CLIENTS,
    PROCS,
    SAMPLE_REQUESTS,
    SECONDS,
    TARGETS,
    Bench,
    api_transfer_op,
    measure,
    paired_rounds,
    round_trip_fields,
    run_django_load,
    sample_round_trips,
    scenario,
    service_transfer_op,
    windowed,
)


def wallet_parties(bench: Bench, dsn: str | None = None) -> list[bench_raw.Party]:
    customers = {c.wallet_id: (c.customer_id, c.public_id) for c in bench.world.customers}
    return bench_raw.parties(dsn or bench.dsn, list(customers), customers)


def raw_load(
    factory: Callable[[int], tuple[Callable[[], str | None], Callable[[], None]]], clients: int, **kwargs: Any
) -> loadlib.LoadResult:
    """``run_load`` of baseline ops, each client on its own psycopg connection (closed at the end),
    connected before the clock starts: the layers it is compared with keep warm connections (the
    gunicorn workers' pool), so connecting inside the timed window would count against the baseline
    (30-70 ms of a 4-s round at 8-16 clients: review finding)."""
    made: list[tuple[Callable[[], str | None], Callable[[], None]]] = []
    try:
        made.extend(factory(i) for i in range(clients))
        return loadlib.run_load(lambda i: made[i][0], clients=clients, **kwargs)
    finally:
        for _, close in made:
            close()


def baseline_run(bench: Bench, clients: int) -> Callable[[float], loadlib.LoadResult]:
    """The baseline at ``clients`` for ``seconds``: one side of ``paired_rounds``."""
    wallets = wallet_parties(bench)
    return lambda seconds: raw_load(
        lambda i: bench_raw.transfer_op(bench.dsn, wallets, seed=i), clients, seconds=seconds
    )


@scenario("baseline", group="transfers", order=10)
def transfers_baseline(bench: Bench) -> None:
    """The raw-SQL P2P transfer on the real ledger tables (triggers, constraints, content hash):
    the denominator of every transfers ratio. It has no target; it fails only by crashing (for
    example a trigger refusing its rows, which would mean it no longer writes a valid transfer)."""
    wallets = wallet_parties(bench)
    relay = bench_cost.relay_for(bench.dsn)
    try:
        trips = raw_round_trips(
            relay, lambda i: bench_raw.transfer_op(bench_cost.relayed_url(bench.dsn, relay), wallets, seed=900 + i)
        )
    finally:
        relay.close()
    for clients in CLIENTS:
        result, cost = measure(
            bench,
            lambda c=clients: raw_load(lambda i: bench_raw.transfer_op(bench.dsn, wallets, seed=i), c, seconds=SECONDS),
        )
        bench.row(
            group="transfers",
            name="baseline",
            layer="raw SQL (psycopg), real ledger tables",
            clients=clients,
            result=result,
            note="triggers + content hash, 7 round trips by design",
            **cost,
            **trips,
        )


def raw_round_trips(
    relay: bench_cost.PgWireRelay, factory: Callable[[int], tuple[Callable[[], str | None], Callable[[], None]]]
) -> dict[str, Any]:
    op, close = factory(0)
    try:
        for _ in range(10):
            op()
        relay.reset()
        before = bench_cost.redis_calls()
        for _ in range(SAMPLE_REQUESTS):
            op()
        return round_trip_fields(relay, SAMPLE_REQUESTS, before)
    finally:
        close()


# What the service rows run with (the test settings): the promotions quote on, the risk pre-check
# off (allow-all; the ``risk`` group measures it on against off). The API rows run everything on.
SERVICE_HOOKS = "promotions quote on, risk pre-check off (the risk group compares on/off)"


@scenario("service", group="transfers", order=20)
def transfers_service(bench: Bench) -> None:
    """``transfer_p2p_create`` in-process, one thread per client sharing one interpreter (GIL).
    Fails when throughput < TARGETS["service_vs_baseline"] x the baseline at the same client count,
    measured in alternating rounds with it (``paired_rounds``).
    Client CPU here is the whole application (it runs in the bench process)."""
    trips = _service_round_trips(bench)
    for clients in CLIENTS:
        paired = paired_rounds(
            bench,
            baseline_run(bench, clients),
            lambda seconds, window, c=clients: windowed(
                window, lambda: run_django_load(lambda i: service_transfer_op(bench, i), c, seconds)
            ),
        )
        bench.row(
            group="transfers",
            name="service (threads)",
            layer="Django service, 1 process",
            clients=clients,
            result=paired.result,
            baseline=paired.baseline.throughput,
            target=TARGETS["service_vs_baseline"],
            vs="baseline (alternating)",
            note=f"{SERVICE_HOOKS}; {paired.note()}",
            **paired.fields(),
            **trips,
        )


def _service_round_trips(bench: Bench) -> dict[str, Any]:
    relay = bench_cost.relay_for(bench.dsn)
    try:
        marks: dict[str, int | None] = {}

        def reset() -> None:
            relay.reset()
            marks["redis"] = bench_cost.redis_calls()

        result = bench_procs.run_service_procs(
            bench.world.customers,
            procs=1,
            threads=1,
            seconds=120,
            max_ops=SAMPLE_REQUESTS,
            db_url=bench_cost.relayed_url(os.environ["DATABASE_URL"], relay),
            on_ready=reset,
        )
        return round_trip_fields(relay, result.ok + result.failed, marks.get("redis"))
    finally:
        relay.close()


@scenario("service-procs", group="transfers", order=25)
def transfers_service_procs(bench: Bench) -> None:
    """The same service in ``BENCH_PROCS`` processes (default: one per core), each with its own
    Django and connections, clients split evenly (same total concurrency as the baseline): the
    service without the single-interpreter GIL. Fails like ``service`` (same target)."""
    for clients in CLIENTS:
        threads = max(1, clients // PROCS)
        paired = paired_rounds(
            bench,
            baseline_run(bench, PROCS * threads),
            lambda seconds, window, t=threads: bench_procs.run_service_procs(
                bench.world.customers, procs=PROCS, threads=t, seconds=seconds, window=window
            ),
        )
        bench.row(
            group="transfers",
            name=f"service ({PROCS} processes)",
            layer=f"Django service, {PROCS} processes x {threads} threads",
            clients=PROCS * threads,
            result=paired.result,
            baseline=paired.baseline.throughput,
            target=TARGETS["service_vs_baseline"],
            vs="baseline (alternating)",
            note=f"client CPU = the processes' own CPU in the window; {SERVICE_HOOKS}; {paired.note()}",
            **paired.fields(),
        )


@scenario("api", group="transfers", order=30)
def transfers_api(bench: Bench) -> None:
    """``POST /api/v1/transfers`` with everything on (Bearer token, Idempotency-Key, PIN, limits,
    risk and promotions hooks, outbox) through gunicorn started with deploy/gunicorn.conf.py.
    Fails when throughput < TARGETS["api_vs_baseline"] x baseline at the same client count, or
    when the endpoint is missing."""
    if not bench_world.api_has("/api/v1/transfers"):
        bench.row(
            group="transfers",
            name="api",
            layer="HTTP",
            clients=None,
            target=TARGETS["api_vs_baseline"],
            note="missing: POST /api/v1/transfers not in the URL conf",
        )
        return
    web = bench.web()
    sample, relay = bench.sample_web()
    trips = sample_round_trips(relay, lambda i: api_transfer_op(bench, 700 + i, sample.port or 0))
    for clients in CLIENTS:
        paired = paired_rounds(
            bench,
            baseline_run(bench, clients),
            lambda seconds, window, c=clients: windowed(
                window,
                lambda: loadlib.run_load(
                    lambda i: api_transfer_op(bench, i, web.port or 0), clients=c, seconds=seconds
                ),
            ),
            web=web,
        )
        bench.row(
            group="transfers",
            name="api",
            layer=f"HTTP, {web.label}",
            clients=clients,
            result=paired.result,
            baseline=paired.baseline.throughput,
            target=TARGETS["api_vs_baseline"],
            vs="baseline (alternating)",
            note=f"auth + idempotency + PIN + limits + risk + promotions + outbox; {paired.note()}",
            **paired.fields(),
            **trips,
        )
