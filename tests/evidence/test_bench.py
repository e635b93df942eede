"""The bench measures what it says: the raw baseline writes valid ledger rows on the real tables
(triggers fire, the content hash is the application's), the relay counts every round trip, and a
missed target is reported (``make bench`` exits 1 on it)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.db import connection

from core.db_roles import owner_settings
from payments.ledger.verify import ledger_verify
from payments.models import HotAccountDelta, Transfer
from tools import bench, bench_cost, bench_raw, bench_world, loadlib


def _dsn() -> str:
    """The baseline's connection: the schema owner, as ``make bench`` runs it (the application role
    writes the ledger only through the kernel's functions since payments 0010)."""
    s = {**connection.settings_dict, **{k: v for k, v in (owner_settings() or {}).items() if v}}
    return psycopg.conninfo.make_conninfo(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"], password=s["PASSWORD"]
    )


def _run(factory: Callable[[], tuple[Callable[[], str | None], Callable[[], None]]], times: int) -> list[str | None]:
    op, close = factory()
    try:
        return [op() for _ in range(times)]
    finally:
        close()


def _world_parties(
    world: bench_world.World,
) -> tuple[list[bench_raw.Party], list[bench_raw.Party], list[bench_raw.Party]]:
    customers = {c.wallet_id: (c.customer_id, c.public_id) for c in world.customers}
    dsn = _dsn()
    return (
        bench_raw.parties(dsn, list(customers), customers),
        bench_raw.parties(dsn, world.merchant_accounts),
        bench_raw.parties(dsn, [world.hot_merchant_account or 0]),
    )


@pytest.mark.django_db(transaction=True)
def test_baseline_writes_transfers_the_ledger_verifies() -> None:
    world = bench_world.build_world(4, fund="100.00", merchants=2)
    wallets, ordinary, hot = _world_parties(world)
    before = Transfer.objects.count()

    results = _run(lambda: bench_raw.transfer_op(_dsn(), wallets, seed=1), 10)
    results += _run(lambda: bench_raw.payment_op(_dsn(), wallets, ordinary, seed=2, mode="locked"), 5)
    results += _run(lambda: bench_raw.payment_op(_dsn(), wallets, hot, seed=3, mode="append"), 5)

    assert results == [None] * 20
    assert Transfer.objects.count() == before + 20  # the real table, not a copy
    assert HotAccountDelta.objects.filter(account_id=world.hot_merchant_account).count() == 5
    report = ledger_verify()
    assert report.ok, report.drifts


@pytest.mark.django_db(transaction=True)
def test_verify_catches_a_baseline_hash_that_is_not_the_applications(monkeypatch: pytest.MonkeyPatch) -> None:
    world = bench_world.build_world(2, fund="100.00", merchants=1)
    wallets, _, _ = _world_parties(world)
    monkeypatch.setattr(bench_raw, "_hash_fn", lambda: lambda **_: "0" * 64)

    _run(lambda: bench_raw.transfer_op(_dsn(), wallets, seed=1), 2)

    report = ledger_verify()
    assert not report.ok
    assert any("hash" in drift for drift in report.drifts)


@pytest.mark.django_db(transaction=True)
def test_ledger_triggers_guard_the_tables_the_baseline_writes() -> None:
    """An unbalanced transfer written like the baseline writes is refused at COMMIT."""
    world = bench_world.build_world(2, fund="100.00", merchants=1)
    wallets, _, _ = _world_parties(world)
    legs = [(wallets[0], -5, None), (wallets[1], 4, None)]
    with (
        psycopg.connect(_dsn()) as conn,
        pytest.raises(psycopg.errors.CheckViolation),
        conn.transaction(),
        conn.cursor() as cur,
    ):
        bench_raw._write_transfer(cur, "P2P", wallets[0], legs, bench_raw._hash_fn())


@pytest.mark.django_db(transaction=True)
def test_relay_counts_begin_commit_and_every_statement() -> None:
    direct = psycopg.conninfo.conninfo_to_dict(_dsn())  # the owner's server: PgBouncer knows only the app role
    relay = bench_cost.PgWireRelay(str(direct["host"]), int(direct["port"]))
    try:
        dsn = psycopg.conninfo.make_conninfo(_dsn(), host="127.0.0.1", port=relay.port)
        with psycopg.connect(dsn) as conn:
            relay.reset()
            with conn.transaction():
                conn.execute("SELECT 1")
                conn.execute("SELECT %s::int", (2,))
            trips, statements = relay.counts()
    finally:
        relay.close()
    assert trips == 4  # BEGIN, SELECT 1, SELECT $1, COMMIT
    assert statements == 4


def test_cpu_window_reads_this_process_and_reports_per_request() -> None:
    window = bench_cost.CpuWindow(web_pid=None, pg_pid=None)
    with window:  # burn until the kernel's tick-grained CPU counter (10 ms) has moved at least twice
        start, deadline = bench_cost.self_cpu_s(), time.monotonic() + 5
        while bench_cost.self_cpu_s() - start < 0.02 and time.monotonic() < deadline:
            sum(i * i for i in range(50_000))
    figures = window.per_request(10)
    assert figures["cpu_client_ms"] > 0
    assert figures["cpu_pg_ms"] is None and figures["cpu_total_ms"] is None  # unreadable is None, not 0


def _bench_rows() -> bench.Bench:
    return bench.Bench(world=bench_world.World(customers=[]), dsn="")


def test_a_row_below_its_target_and_a_target_with_nothing_measured_are_missed() -> None:
    state = _bench_rows()
    fast = loadlib.LoadResult(ok=100, elapsed=1.0)
    slow = loadlib.LoadResult(ok=10, elapsed=1.0)
    state.row(group="g", name="met", layer="-", clients=1, result=fast, baseline=100.0, target=0.5)
    state.row(group="g", name="slow", layer="-", clients=1, result=slow, baseline=100.0, target=0.5)
    state.row(group="g", name="missing", layer="-", clients=None, target=0.2, note="missing: endpoint")
    state.row(group="g", name="info", layer="-", clients=1, result=slow)
    state.rows.append({"group": "events", "name": "e", "clients": 16, "event_met": False, "note": ""})
    state.rows.append({"group": "x", "name": "boom", "clients": None, "note": "ERROR RuntimeError: x"})

    missed = bench.missed_targets(state.rows)

    assert [m.split(" [")[0] for m in missed] == ["g/slow", "g/missing", "events/e", "x/boom"]
    assert "ratio 0.1 < target 0.5" in missed[0]


def test_targets_are_the_issues() -> None:
    expected: dict[str, Any] = {
        "service_vs_baseline": 0.5,
        "api_vs_baseline": 0.2,
        "api_payment_vs_baseline": 0.2,
        "hot_vs_ordinary": 0.8,
        "event_p95_ms": 200.0,
        "history_p95_ms": 30.0,
    }
    assert {k: bench.TARGETS[k] for k in expected} == expected


def test_cpu_ratio_compares_cpu_per_request_with_the_row_named_in_vs() -> None:
    rows: list[dict[str, Any]] = [
        {"group": "t", "name": "baseline", "clients": 8, "cpu_total_ms": 2.0},
        {"group": "t", "name": "api", "clients": 8, "cpu_total_ms": 40.0, "vs": "baseline"},
        {"group": "t", "name": "api", "clients": 16, "cpu_total_ms": 40.0, "vs": "baseline"},  # no 16-client baseline
    ]
    bench.cpu_ratios(rows)
    assert [r["cpu_ratio"] for r in rows] == [None, 0.05, None]


def test_a_row_in_alternating_rounds_is_compared_with_its_own_baseline_cpu() -> None:
    rows: list[dict[str, Any]] = [
        {"group": "t", "name": "baseline", "clients": 8, "cpu_total_ms": 2.0},
        {"group": "t", "name": "api", "clients": 8, "cpu_total_ms": 40.0, "vs": "x", "baseline_cpu_total_ms": 4.0},
    ]
    bench.cpu_ratios(rows)
    assert rows[1]["cpu_ratio"] == 0.1


def test_paired_rounds_alternate_the_order_and_compare_the_merged_throughputs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The drift the rounds exist for: the machine halves its speed after the first round. The
    baseline measured once at full speed and the layer after it would read 0.15; in alternating
    rounds every round, and the merged figures, read the layer's true share (0.3)."""
    monkeypatch.setattr(bench_cost, "SETTLE_S", 0.0)
    monkeypatch.setattr(bench, "ROUNDS", 3)
    calls: list[str] = []

    def speed() -> float:
        return 1.0 if len(calls) <= 2 else 0.5

    def baseline(seconds: float) -> loadlib.LoadResult:
        calls.append("baseline")
        return loadlib.LoadResult(ok=int(1000 * speed() * seconds), elapsed=seconds)

    def layer(seconds: float, window: bench_cost.CpuWindow) -> loadlib.LoadResult:
        calls.append("layer")
        return bench.windowed(window, lambda: loadlib.LoadResult(ok=int(300 * speed() * seconds), elapsed=seconds))

    fake = bench.Bench(world=None, dsn="")  # type: ignore[arg-type]
    fake._pg_pid.append(None)
    paired = bench.paired_rounds(fake, baseline, layer)

    assert calls == ["baseline", "layer", "layer", "baseline", "baseline", "layer"]
    assert paired.ratios == [0.3, 0.3, 0.3]
    assert round(paired.result.throughput / paired.baseline.throughput, 2) == 0.3
    assert "ratio by round 0.30 0.30 0.30" in paired.note()


@pytest.mark.django_db
def test_earlier_events_are_settled_for_every_consumer_without_running_anything() -> None:
    """The events and risk-decision windows start from a clean outbox: nothing earlier is left for
    the relay to publish or for the redelivery sweep to re-send (seen failing with the published
    step left out)."""
    from core.models import ConsumedEvent, OutboxEvent
    from core.outbox import consumers_for
    from core.outbox_relay import _pending
    from tools import bench_events

    event = OutboxEvent.objects.create(topic="transfer.completed", key="earlier", payload={})
    assert _pending()
    skipped, published = bench_events.earlier_events_settled()
    names = {c.name for c in consumers_for("transfer.completed")}
    assert names and (skipped, published) == (len(names), 1)
    assert set(ConsumedEvent.objects.filter(event_id=event.pk).values_list("consumer", flat=True)) == names
    assert not _pending()


def test_broker_messages_counts_what_waits_in_a_queue() -> None:
    """``broker_idle`` waits on these counts (real Redis broker; a queue of this test's own)."""
    import uuid

    from celery import current_app

    from tools import bench_events

    queue = f"bench-test-{uuid.uuid4().hex}"
    with current_app.connection_for_write() as conn, conn.SimpleQueue(queue) as simple:
        try:
            assert bench_events.broker_messages((queue,))[queue] == 0
            simple.put({"n": 1})
            assert bench_events.broker_messages((queue,))[queue] == 1
            simple.clear()
            assert bench_events.broker_messages((queue,))[queue] == 0
        finally:
            conn.default_channel.queue_delete(queue)
