"""``make bench`` group ``risk``: what the risk pre-check costs a payment, and how long after a
payment's commit its risk decision is made.

``risk-precheck``: service P2P transfers (``tools.bench.service_transfer_op``, as the view calls
the service) with the pre-check OFF (``payments.hooks.risk_precheck_allow_all``) and ON
(``risk.precheck.risk_precheck``), in alternating rounds in the same run, same world, same client
count, one process per core (``tools.bench_procs``, as gunicorn runs the code). Fails when ON <
``TARGETS["risk_on_vs_off"]`` (0.9) x OFF. The same comparison with threads of one process is
printed without a target: there, every extra round trip also waits to get the GIL back from the
other clients, which a gunicorn worker (one thread) never does. Then one client runs OFF and ON
with every pre-check call timed (``perf_counter`` around the hook): the hook's p50/p95, and the
payment's p50/p95 ON minus OFF, are what it adds to a payment. The bench world's payments are small
and to payees seeded as known, so the pre-check allows (the path every ordinary payment takes): the
gate (``risk_precheck_gate``, risk 0006) runs inside the money statement, no round trip of its own.
CPU per payment ON vs OFF, steadier on a shared machine: ``python -m tools.bench_risk_cpu``.

``risk-decision``: the processes ``make run`` starts (worker with the ``risk`` queue, events,
relay, beat), payments offered at ``BENCH_RISK_RATE`` per second (default 50, open loop) from
one process per core; for every payment of the window: the risk evaluation's ``evaluated_at``
minus the event's ``created_at`` (the payment's own timestamp, before its commit: an upper bound
of commit -> decision). Fails when an event is left undecided after 60 s.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from tools import bench_world, loadlib
from tools.bench import CLIENTS, PROCS, SECONDS, TARGETS, Bench, measure, run_django_load, scenario, service_transfer_op

TARGETS.setdefault("risk_on_vs_off", 0.9)
OFF = "payments.hooks.risk_precheck_allow_all"
ON = "tools.bench_risk.timed_precheck"
RISK = "risk.precheck.risk_precheck"
ROUNDS = int(os.environ.get("BENCH_RISK_ROUNDS", "2"))
RATE = float(os.environ.get("BENCH_RISK_RATE", "50"))

_timings: list[float] = []
_timings_lock = threading.Lock()


def timed_precheck(ctx: Any) -> Any:
    """``risk.precheck.risk_precheck``, timed (the bench's hook while risk is ON)."""
    from risk.precheck import risk_precheck

    started = time.perf_counter()
    decision = risk_precheck(ctx)
    elapsed = time.perf_counter() - started
    with _timings_lock:
        _timings.append(elapsed)
    return decision


def known_payees_seed(bench: Bench) -> int:
    """``bench_world.known_payees_seed`` (the web server's payments need it too)."""
    return bench_world.known_payees_seed(bench.world)


def _threads(bench: Bench, hook: str, clients: int, seed: int) -> loadlib.LoadResult:
    """In this process, one thread per client (one interpreter's GIL shared by every client)."""
    from django.conf import settings

    settings.PAYMENTS_RISK_PRECHECK = hook
    try:
        return measure(
            bench, lambda: run_django_load(lambda i: service_transfer_op(bench, seed + i), clients, SECONDS)
        )[0]
    finally:
        settings.PAYMENTS_RISK_PRECHECK = OFF


def _procs(bench: Bench, hook: str, clients: int, seed: int) -> loadlib.LoadResult:
    """One process per core (as gunicorn runs the code), clients split between them."""
    from tools import bench_procs

    os.environ["PAYMENTS_RISK_PRECHECK"] = hook
    try:
        return bench_procs.run_service_procs(
            bench.world.customers, procs=PROCS, threads=max(1, clients // PROCS), seconds=SECONDS, seed=seed
        )
    finally:
        os.environ.pop("PAYMENTS_RISK_PRECHECK", None)


def _compare(bench: Bench, run: Any, clients: int, layer: str, target: float | None) -> None:
    off: list[loadlib.LoadResult] = []
    on: list[loadlib.LoadResult] = []
    for round_no in range(ROUNDS):  # alternate, so machine noise lands on both sides
        off.append(run(bench, OFF, clients, 5000 + round_no * 100))
        on.append(run(bench, RISK, clients, 5000 + round_no * 100))
    off_result, on_result = loadlib.LoadResult.merged(off), loadlib.LoadResult.merged(on)
    bench.row(group="risk", name="service P2P, risk off", layer=layer, clients=clients, result=off_result)
    bench.row(
        group="risk",
        name="service P2P, risk on",
        layer=f"{layer} + risk.precheck",
        clients=clients,
        result=on_result,
        baseline=off_result.summary().get("throughput_per_s"),
        target=target,
        vs="risk off",
        note=f"{ROUNDS} alternating rounds of {SECONDS:.0f} s each",
    )


def _added_latency(bench: Bench) -> None:
    """What the pre-check adds to one payment, one client (no other thread waiting on the GIL): the
    hook timed around its call (since risk 0006 / payments 0017 it only prepares the gate's input:
    the gate runs inside the money statement), and the whole payment's p50/p95 with the pre-check ON
    minus OFF (the gate's share of the statement included), OFF and ON run back to back."""
    from django.conf import settings

    _timings.clear()
    results: dict[str, loadlib.LoadResult] = {}
    for label, hook in (("off", OFF), ("on", ON)):
        settings.PAYMENTS_RISK_PRECHECK = hook
        try:
            results[label] = run_django_load(lambda i: service_transfer_op(bench, 7000 + i), 1, SECONDS)
        finally:
            settings.PAYMENTS_RISK_PRECHECK = OFF
    hook_ms = {k: round((v or 0) * 1000, 3) for k, v in loadlib.percentiles(list(_timings)).items()}
    off = loadlib.percentiles(results["off"].latencies)
    on = loadlib.percentiles(results["on"].latencies)
    delta = {k: round(((on[k] or 0) - (off[k] or 0)) * 1000, 3) for k in ("p50", "p95")}
    bench.row(
        group="risk",
        name="pre-check alone",
        layer="risk.precheck: the hook timed, and the payment ON minus OFF",
        clients=1,
        result=results["on"],
        precheck_calls=len(_timings),
        precheck_p50_ms=hook_ms["p50"],
        precheck_p95_ms=hook_ms["p95"],
        precheck_p99_ms=hook_ms["p99"],
        added_p50_ms=delta["p50"],
        added_p95_ms=delta["p95"],
        note=(
            f"the hook takes p50 {hook_ms['p50']} ms, p95 {hook_ms['p95']} ms ({len(_timings)} calls); "
            f"a payment with the pre-check on takes p50 {delta['p50']:+} ms, p95 {delta['p95']:+} ms against off"
        ),
    )


@scenario("risk-precheck", group="risk", order=70)
def risk_precheck_cost(bench: Bench) -> None:
    loadlib.log(f"risk: {known_payees_seed(bench)} known payees seeded")
    for clients in CLIENTS:
        _compare(bench, _procs, clients, f"Django service, {PROCS} processes", TARGETS["risk_on_vs_off"])
    _compare(bench, _threads, CLIENTS[0], "Django service, threads of 1 process (GIL shared)", None)
    _added_latency(bench)


def _decision_latencies(after: int) -> tuple[list[float], int, int]:
    """(commit->decision seconds, payments in the window, payments without a decision yet)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT EXTRACT(EPOCH FROM (v.evaluated_at - e.created_at))
              FROM core_outboxevent e
              LEFT JOIN risk_evaluation v ON v.event_id = e.id AND v.topic = e.topic
             WHERE e.id > %s AND e.topic = 'transfer.completed'
            """,
            [after],
        )
        rows = [r[0] for r in cursor.fetchall()]
    done = [float(r) for r in rows if r is not None]
    return done, len(rows), len(rows) - len(done)


@scenario("risk-decision", group="risk", order=75)
def risk_decision_latency(bench: Bench) -> None:
    from django.db.models import Max

    from core.models import OutboxEvent
    from risk.tasks import consumer_name
    from tools import bench_events, bench_procs

    # The earlier scenarios' events (tens of thousands in a full run) are settled for every consumer,
    # the risk ones included: timed behind that backlog, the figure measured the queue (p50 5.7 s in
    # stop 20's full run against 32 ms alone). The bench world is thrown away.
    bench_events.purge_queues()
    skipped, published = bench_events.earlier_events_settled()
    services = bench_events.start_processes()
    try:
        bench_events.wait_ready(services)
        drained = bench_events.drain_outbox(consumer_name("transfer.completed"))
        idle, idle_note = bench_events.broker_idle()
        bench.notes.append(
            f"risk: {skipped} deliveries of earlier events skipped, {published} set published (not timed); "
            f"{drained}; {idle_note}"
        )
        after = OutboxEvent.objects.aggregate(m=Max("id"))["m"] or 0
        procs = max(1, os.cpu_count() or 1)
        result = bench_procs.run_service_procs(
            bench.world.customers, procs=procs, threads=4, seconds=max(SECONDS, 10.0), seed=3000, rate_per_s=RATE
        )
        deadline = time.time() + 60
        while True:
            latencies, total, pending = _decision_latencies(after)
            if pending == 0 or time.time() > deadline:
                break
            time.sleep(1)
        pct = {k: None if v is None else round(v * 1000, 1) for k, v in loadlib.percentiles(latencies).items()}
        bench.row(
            group="risk",
            name="commit->risk decision",
            layer="relay + events + risk worker (make run's processes)",
            clients=procs * 4,
            result=result,
            decision_p50_ms=pct["p50"],
            decision_p95_ms=pct["p95"],
            decision_p99_ms=pct["p99"],
            decided=len(latencies),
            undecided=pending,
            decision_met=pending == 0 and total > 0 and idle,
            note=f"{RATE:.0f} payments/s offered; decision p50 {pct['p50']} ms, p95 {pct['p95']} ms; "
            f"{pending} of {total} undecided after 60 s"
            + ("" if idle else "; NOT met: timed after a broker that never went idle"),
        )
    finally:
        for service in services.values():
            service.stop()
