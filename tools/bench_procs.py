"""The service layer in several processes: one Python process per core, each with its own Django
setup and database connections, the way gunicorn runs the code (no shared GIL between clients).

``run_service_procs`` spawns ``procs`` processes (``spawn``: no inherited connections or pool
threads), each runs ``threads`` client threads of ``tools.bench.service_transfer_op``; all start
together after a warm-up and stop after ``seconds`` (or ``max_ops`` each). Returns the combined
``LoadResult`` (throughput = all successes / the longest child's window). A ``window``
(``bench_cost.CpuWindow``) is entered when the children start and left when the last reports, and
the children's own CPU of the window is added as its client CPU (the in-process application).

With ``db_url`` (a ``bench_cost.PgWireRelay`` address) and ``on_ready`` (called between the
warm-up and the start, e.g. to reset the relay's counters) it is also how the bench counts the
service layer's round trips per transfer.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Callable
from typing import Any

from tools import bench_cost, loadlib


def _child(
    customers: list[Any],
    threads: int,
    seconds: float,
    max_ops: int | None,
    seed: int,
    env: dict[str, str],
    ready: Any,
    go: Any,
    out: Any,
    rate_per_s: float | None = None,
) -> None:
    os.environ.update(env)
    loadlib.setup_django()
    from tools import bench, bench_world

    state = bench.Bench(world=bench_world.World(customers=customers), dsn="")
    warm = bench.service_transfer_op(state, seed + 999)
    warm()
    from django.db import connection

    connection.close()
    ready.wait()
    go.wait()
    cpu0 = time.process_time()
    result = bench.run_django_load(
        lambda i: bench.service_transfer_op(state, seed + i), threads, seconds, max_ops=max_ops, rate_per_s=rate_per_s
    )
    cpu = time.process_time() - cpu0
    out.put((result.ok, result.failed, result.latencies, result.elapsed, result.errors, result.samples, cpu))


def run_service_procs(
    customers: list[Any],
    *,
    procs: int,
    threads: int,
    seconds: float,
    max_ops: int | None = None,
    db_url: str | None = None,
    on_ready: Callable[[], None] | None = None,
    window: bench_cost.CpuWindow | None = None,
    seed: int = 3000,
    rate_per_s: float | None = None,
) -> loadlib.LoadResult:
    """See the module docstring; ``rate_per_s`` (total, open loop) is split evenly between the processes."""
    ctx = multiprocessing.get_context("spawn")
    ready, go, out = ctx.Barrier(procs + 1), ctx.Barrier(procs + 1), ctx.Queue()
    env = {"DATABASE_URL": db_url or os.environ["DATABASE_URL"]}
    children = [
        ctx.Process(
            target=_child,
            args=(
                customers,
                threads,
                seconds,
                max_ops,
                seed + 100 * i,
                env,
                ready,
                go,
                out,
                rate_per_s / procs if rate_per_s else None,
            ),
            daemon=True,
        )
        for i in range(procs)
    ]
    for child in children:
        child.start()
    try:
        ready.wait(timeout=120)
        if on_ready is not None:
            on_ready()
        with window or contextlib.nullcontext():  # CPU of the timed window only, not of the start-up
            go.wait(timeout=30)
            parts = [out.get(timeout=seconds + 120) for _ in children]
            if window is not None:
                window.extra_client_s = sum(part[-1] for part in parts)
    finally:
        for child in children:
            child.join(timeout=10)
            if child.is_alive():
                child.terminate()
    result = loadlib.LoadResult()
    for ok, failed, latencies, elapsed, errors, samples, _cpu in parts:
        result.ok += ok
        result.failed += failed
        result.latencies.extend(latencies)
        result.elapsed = max(result.elapsed, elapsed)
        for label, n in errors.items():
            result.errors[label] = result.errors.get(label, 0) + n
        result.samples.update(samples)
    return result
