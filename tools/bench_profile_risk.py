"""What one risk evaluation costs: the risk worker's CPU and its PostgreSQL backend's CPU per
evaluated payment event, PostgreSQL round trips per event, and a cProfile of the batches.

    DJANGO_ENV=test .venv/bin/python tools/devstack.py exec -- .venv/bin/python -m tools.bench_profile_risk
    PROFILE_RISK_EVENTS=1000 PROFILE_RISK_BATCH=100 PROFILE_RISK_CUSTOMERS=2000 ...   # defaults

In-process, one thread, its own throw-away database (``bench_world``): ``transfer.completed``
events between the world's customers are written to the outbox as payments writes them (no
relay kick), then delivered to the risk consumer exactly as the Celery ``risk`` queue does
(``core.outbox.outbox_events_deliver`` with up to ``PROFILE_RISK_BATCH`` event ids per message,
one transaction per message). Three passes over fresh events: unprofiled CPU (this thread's
``thread_time`` and the backend's ``/proc/<pid>/schedstat``, as ``tools.bench_profile``),
round trips through ``bench_cost.PgWireRelay`` (BEGIN/COMMIT/SAVEPOINT included), then cProfile.
``PROFILE_RISK_ROUNDS`` (default 3) repeats the CPU pass and prints each round (the machine is
shared: take the lowest). The events are ordinary small payments to random payees: almost every
decision is ALLOW (the path every honest payment takes); what a REVIEW/BLOCK costs beyond that
(case, alert, hold, freeze) is not in this figure.

One core evaluates about ``1000 / (worker ms + backend ms)`` events per second: the figure
docs/risk.md gives for sizing the risk workers.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import random
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

from tools import bench_cost, bench_world, loadlib
from tools.bench_profile import backend_cpu_s

EVENTS = int(os.environ.get("PROFILE_RISK_EVENTS", "1000"))
BATCH = int(os.environ.get("PROFILE_RISK_BATCH", "100"))
CUSTOMERS = int(os.environ.get("PROFILE_RISK_CUSTOMERS", "2000"))
ROUNDS = int(os.environ.get("PROFILE_RISK_ROUNDS", "3"))


def _events(world: Any, rng: random.Random, count: int) -> list[int]:
    """``count`` transfer.completed events as payments writes them (committed; nobody kicked)."""
    from django.utils import timezone

    from core.models import OutboxEvent

    now = timezone.now()
    rows = []
    for i in range(count):
        payer, payee = rng.sample(world.customers, 2)
        at = now + timedelta(milliseconds=i)
        rows.append(
            OutboxEvent(
                topic="transfer.completed",
                key=str(uuid.uuid4()),
                payload={
                    "transfer_id": str(uuid.uuid4()),
                    "kind": "P2P",
                    "reference": "",
                    "initiated_by": payer.public_id,
                    "created_at": at.isoformat(),
                    "payer": payer.public_id,
                    "payee": payee.public_id,
                    "amount": {"amount": f"{rng.randint(1, 500)}.00", "currency": "CNY"},
                    "benefits": [],
                },
            )
        )
    return [e.pk for e in OutboxEvent.objects.bulk_create(rows)]


def _deliver(ids: list[int]) -> int:
    from core.outbox import outbox_events_deliver
    from risk.tasks import consumer_name

    done = 0
    for start in range(0, len(ids), BATCH):
        done += outbox_events_deliver(
            event_ids=ids[start : start + BATCH], consumer=consumer_name("transfer.completed")
        )
    return done


def main(argv: list[str]) -> int:
    db_name = bench_world.provision_database("profilerisk")
    relay = bench_cost.relay_for(os.environ["DATABASE_URL"])
    os.environ["DATABASE_URL"] = bench_cost.relayed_url(os.environ["DATABASE_URL"], relay)
    loadlib.setup_django()
    try:
        from django.db import connection
        from django.db.models import Count

        from risk.models import Evaluation

        world = bench_world.build_world(CUSTOMERS, merchants=1)
        rng = random.Random(13)
        print(f"risk profile: {CUSTOMERS} customers, batches of {BATCH} transfer.completed events")
        _deliver(_events(world, rng, BATCH * 2))  # warm: rules compiled, plans cached

        ids = _events(world, rng, BATCH)
        relay.reset()
        handled = _deliver(ids)
        trips, statements = relay.counts()
        print(
            f"=== round trips: {trips} for {handled} events in {len(range(0, len(ids), BATCH))} batch(es): "
            f"{trips / max(handled, 1):.2f} per event ({statements} statements on the wire)"
        )

        best: tuple[float, float] | None = None
        for round_no in range(ROUNDS):
            ids = _events(world, rng, EVENTS)
            backend_started = backend_cpu_s(connection)
            cpu_started = time.thread_time()
            wall_started = time.perf_counter()
            handled = _deliver(ids)
            wall = time.perf_counter() - wall_started
            cpu_ms = (time.thread_time() - cpu_started) / handled * 1000
            backend_ms = (backend_cpu_s(connection) - backend_started) / handled * 1000
            load = os.getloadavg()[0]
            print(
                f"=== round {round_no + 1}: {cpu_ms:.3f} ms worker CPU + {backend_ms:.3f} ms PostgreSQL backend CPU "
                f"= {cpu_ms + backend_ms:.3f} ms per event ({handled} events, {handled / wall:.0f} events/s on the "
                f"wall clock, load average {load:.2f})"
            )
            if best is None or cpu_ms + backend_ms < sum(best):
                best = (cpu_ms, backend_ms)
        if best is not None:
            total = sum(best)
            print(
                f"=== best round: {best[0]:.3f} + {best[1]:.3f} = {total:.3f} ms CPU per event: "
                f"one core evaluates about {1000 / total:.0f} events/s"
            )

        ids = _events(world, rng, EVENTS)
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        _deliver(ids)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "35")))
        stats.sort_stats("tottime").print_stats(20)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])
        outcomes = dict(Evaluation.objects.values_list("outcome").annotate(n=Count("id")).order_by())
        print(f"=== outcomes of every evaluation written: {outcomes}")
    finally:
        bench_world.drop_database(db_name)
        relay.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
