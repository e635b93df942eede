"""Bench scenario: time from a payment's commit to its event being handled by a Celery worker.

A real worker (``celery worker``, prefork, 2 processes) and beat (the relay ticks every second) run
as subprocesses; P2P transfers go through the service layer at a steady ``BENCH_EVENT_RATE``
(default 200/s, open loop: paced by the clock, not by responses). For every ``transfer.completed``
event of the window: ``ConsumedEvent.consumed_at`` (the consumer's transaction, ``now()``) minus
``OutboxEvent.created_at`` (written in the payment's transaction, a few ms before its commit).
Also reported: the payment rate actually achieved, events not handled within 30 s, the worker's peak RSS.
"""

from __future__ import annotations

import contextlib
import time

from tools import loadlib
from tools.bench import EVENT_RATE, SECONDS, TARGETS, Bench, run_django_load, scenario, service_transfer_op

CONSUMER = "payments.notify_customer"


def start_beat() -> loadlib.Service:
    log = loadlib._log_file(f"beat-{int(time.time())}")
    schedule = f"/tmp/tongbao-evidence/celerybeat-{int(time.time())}"
    cmd = [
        loadlib.PYTHON,
        "-m",
        "celery",
        "-A",
        "wallet_site",
        "beat",
        "-l",
        "WARNING",
        "-s",
        schedule,
        "--scheduler",
        "celery.beat:PersistentScheduler",
    ]
    import subprocess

    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, env=loadlib.child_env(), cwd=loadlib.ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    service = loadlib.Service("beat", proc, loadlib.RssSampler(proc.pid).start(), log_path=log)
    loadlib._STARTED.append(service)
    return service


def purge_queues() -> None:
    """Drop messages left in the broker by earlier runs (relay kicks published while no worker ran):
    a backlog of stale tasks would be measured as event latency. Only this run's broker queues."""
    from celery import current_app

    with current_app.connection_for_write() as conn:
        for queue in ("default", "notifications", "risk", "promotions"):
            with contextlib.suppress(Exception):
                dropped = conn.default_channel.queue_purge(queue)
                if dropped:
                    loadlib.log(f"events: purged {dropped} stale message(s) from queue {queue}")


def event_latencies(after_id: int, consumer: str) -> tuple[list[float], int, int]:
    """(latencies in s, events in window, events not yet handled) for events with id > after_id."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT EXTRACT(EPOCH FROM (c.consumed_at - e.created_at)) FROM core_outboxevent e"
            " JOIN core_consumedevent c ON c.event_id = e.id AND c.consumer = %s WHERE e.id > %s",
            [consumer, after_id],
        )
        latencies = [max(0.0, float(r[0])) for r in cur.fetchall()]
        cur.execute("SELECT count(*) FROM core_outboxevent WHERE id > %s AND topic = 'transfer.completed'", [after_id])
        total = int(cur.fetchone()[0])
    return latencies, total, total - len(latencies)


@scenario("event-latency", group="events", order=60)
def events(bench: Bench) -> None:
    from django.db.models import Max

    from core.models import OutboxEvent
    from core.outbox import consumer_get

    if consumer_get(CONSUMER) is None:
        bench.row(
            group="events",
            name="commit->handled",
            layer="-",
            clients=None,
            note=f"skipped: consumer {CONSUMER} not registered",
        )
        return
    purge_queues()
    worker = loadlib.start_celery(queues="default,notifications,risk,promotions", concurrency=2, name="bench")
    beat = start_beat()
    try:
        time.sleep(2)
        after = OutboxEvent.objects.aggregate(m=Max("id"))["m"] or 0
        seconds = max(SECONDS, 10.0)
        result = run_django_load(lambda i: service_transfer_op(bench, 1000 + i), 16, seconds, rate_per_s=EVENT_RATE)
        deadline = time.time() + 30
        while time.time() < deadline:
            latencies, total, pending = event_latencies(after, CONSUMER)
            if pending == 0:
                break
            time.sleep(1)
        pct = loadlib.percentiles(latencies)
        p95 = round((pct["p95"] or 0) * 1000, 1) if latencies else None
        bench.row(
            group="events",
            name="commit->handled",
            layer="service + outbox + relay + Celery",
            clients=16,
            result=result,
            note=f"offered {EVENT_RATE:.0f}/s, achieved {result.throughput:.0f}/s; "
            f"{total} events, {pending} unhandled after 30 s",
            event_p50_ms=round((pct["p50"] or 0) * 1000, 1) if latencies else None,
            event_p95_ms=p95,
            event_p99_ms=round((pct["p99"] or 0) * 1000, 1) if latencies else None,
            event_target_p95_ms=TARGETS["event_p95_ms"],
            event_met=(p95 is not None and p95 <= TARGETS["event_p95_ms"] and result.throughput >= 0.95 * EVENT_RATE),
            events_total=total,
            events_unhandled=pending,
        )
    finally:
        worker.stop()
        beat.stop()
        bench.memory["celery_worker_peak_rss_mb"] = round(worker.sampler.peak_child_mb, 1)
