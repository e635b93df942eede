"""``make drill`` can fail: small, fast runs of the drills' own logic against deliberately broken builds.

* A consumer made non-idempotent (``DRILL_BREAK_IDEMPOTENCY``): redelivered events leave a second
  row in ``drill_effect`` (no unique key), the drill counts them although ``ConsumedEvent`` shows
  nothing wrong, and the exit status is 1.
* A risk hook that refuses everything (``DRILL_REFUSE_ALL``): nothing is lost or duplicated, yet the
  bank workload (real HTTP, the drill's own client code) and the worker-kill producer fail their
  success-share threshold.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from core import outbox
from core.outbox import consumers_for, event_publish, outbox_event_deliver
from tools import bench_world, drill
from tools.drill_app import apps as drill_apps
from tools.drill_app import tasks as drill_tasks

REFUSE_ALL = "tools.drill_app.hooks.risk_refuse_all"


@pytest.fixture
def drill_consumers(db: None) -> Iterator[None]:
    """The drill app's consumers and effect table, as under ``tools/drill_settings.py``; removed after."""
    drill_tasks.effect_table_create()
    drill_tasks.register()
    yield
    for consumer in drill_tasks.CONSUMERS:
        outbox._registry.pop(consumer.name, None)
    drill_tasks.effect_table_clear()


def _deliver_drill_consumers(after: int) -> int:
    """What the worker does for each delivery (``core.outbox_deliver``), for the drill consumers."""
    from core.models import OutboxEvent

    sent = 0
    for pk, topic in OutboxEvent.objects.filter(pk__gt=after).values_list("pk", "topic"):
        for consumer in consumers_for(topic):
            if consumer.name.startswith(drill_tasks.CONSUMER_PREFIX):
                outbox_event_deliver(event_id=pk, consumer=consumer.name)
                sent += 1
    return sent


def _events_then_deliver_twice() -> int:
    from core.models import OutboxEvent

    after = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for i in range(5):
        event_publish(topic="transfer.completed", payload={"transfer_id": f"t{i}"})
    for i in range(2):
        event_publish(topic="topup.completed", payload={"topup_id": f"u{i}"})
    assert _deliver_drill_consumers(after) == 7
    assert _deliver_drill_consumers(after) == 7  # the broker delivers each one again
    return after


@pytest.mark.django_db
def test_effects_counted_once_per_delivery_when_consumers_are_idempotent(drill_consumers: None) -> None:
    after = _events_then_deliver_twice()

    tally = drill.effect_tally(after)
    result = drill.DrillResult("worker-kill (small)")
    drill.effect_checks(result, tally)

    assert (tally.deliveries, tally.with_effect, tally.missing, tally.extra) == (7, 7, 0, 0)
    assert result.conclude().ok
    assert drill.exit_status([result]) == 0


@pytest.mark.django_db
def test_broken_idempotency_is_reported_as_duplicates_and_fails_the_drill(
    drill_consumers: None, monkeypatch: pytest.MonkeyPatch, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.DRILL_BREAK_IDEMPOTENCY = True
    monkeypatch.setattr(outbox, "consume", outbox.consume)  # restored after the test
    drill_apps.DrillAppConfig("tools.drill_app", importlib.import_module("tools.drill_app")).ready()
    assert outbox.consume is drill_tasks.consume_without_idempotency

    after = _events_then_deliver_twice()

    _, _, consumed_twice = drill.events_unhandled(after)
    assert consumed_twice == 0  # ConsumedEvent's unique key hides the second handling...
    tally = drill.effect_tally(after)
    assert (tally.extra, tally.deliveries_twice) == (7, 7)  # ...the effect table does not
    result = drill.DrillResult("worker-kill (small)")
    drill.effect_checks(result, tally)
    result.conclude()
    drill.print_result(result)

    assert not result.ok
    assert drill.exit_status([result]) == 1
    printed = capsys.readouterr().out
    assert (
        "[FAIL] no effect applied twice (drill_effect rows, no unique key): 7 extra row(s) on 7 deliveries" in printed
    )


def test_a_drill_without_checks_or_with_a_failed_check_exits_1() -> None:
    passed = drill.DrillResult("a")
    passed.check("x", True, 1)
    failed = drill.DrillResult("b")
    failed.check("x", False, 0)

    assert drill.exit_status([passed.conclude()]) == 0
    assert drill.exit_status([passed, failed.conclude()]) == 1
    assert drill.exit_status([drill.DrillResult("no checks").conclude()]) == 1
    assert drill.exit_status([]) == 1


def test_drill_settings_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRILL_REFUSE_ALL", "1")
    monkeypatch.setenv("DRILL_BREAK_IDEMPOTENCY", "1")
    broken = importlib.reload(importlib.import_module("tools.drill_settings"))
    assert broken.PAYMENTS_RISK_PRECHECK == REFUSE_ALL
    assert broken.DRILL_BREAK_IDEMPOTENCY is True
    assert "tools.drill_app.apps.DrillAppConfig" in broken.INSTALLED_APPS

    monkeypatch.delenv("DRILL_REFUSE_ALL")
    monkeypatch.delenv("DRILL_BREAK_IDEMPOTENCY")
    normal = importlib.reload(broken)
    assert normal.PAYMENTS_RISK_PRECHECK == "payments.hooks.risk_precheck_allow_all"
    assert normal.DRILL_BREAK_IDEMPOTENCY is False


@pytest.fixture
def world(transactional_db: None) -> bench_world.World:
    return bench_world.build_world(4, fund="10000.00", merchants=1)


def _bank(live_server: Any, world: bench_world.World) -> tuple[drill.DrillResult, drill.Ledgerbook]:
    result = drill.DrillResult("bank workload (small)")
    since = drill.max_transfer_id()
    book, elapsed = drill.bank_run(live_server.thread.port, world, transfers=12, clients=2, max_seconds=60)
    drill.bank_settle(result, book, since, elapsed)
    return drill.bank_checks(result, book), book


def test_bank_workload_fails_when_every_transfer_is_refused_and_passes_otherwise(
    live_server: Any, world: bench_world.World, settings: Any
) -> None:
    settings.PAYMENTS_RISK_PRECHECK = REFUSE_ALL

    refused, book = _bank(live_server, world)

    assert (refused.attempted, len(book.refused), refused.lost, refused.duplicated) == (12, 12, 0, 0)
    assert set(book.refused.values()) == {"risk_refused"}
    assert not refused.ok
    assert [c.what for c in refused.checks if not c.ok] == ["success share >= 90%"]
    assert drill.exit_status([refused]) == 1

    settings.PAYMENTS_RISK_PRECHECK = "payments.hooks.risk_precheck_allow_all"

    passed, book = _bank(live_server, world)

    assert passed.attempted == 12 and len(book.confirmed) >= 11
    assert passed.ok, [c for c in passed.checks if not c.ok]


def test_worker_kill_counts_refused_transfers_and_topup_credits(world: bench_world.World, settings: Any) -> None:
    from payments.integrations import GatewayStatus
    from payments.models import TopUp
    from payments.services.funding import topup_apply_outcome

    settings.PAYMENTS_RISK_PRECHECK = REFUSE_ALL
    refused: dict[str, int] = {}

    done = drill.service_transfers(world, 5, 1000, threading.Event(), "drill-kill", refused)
    result = drill.DrillResult("worker-kill (small)")
    drill.success_share_check(result, len(done), len(done) + sum(refused.values()))

    assert done == [] and refused == {"risk_refused": 5}
    assert not result.conclude().ok

    settings.PAYMENTS_RISK_PRECHECK = "payments.hooks.risk_precheck_allow_all"
    refused = {}
    ids = drill.make_topups(world, 3, refused)
    assert refused == {} and len(ids) == 3
    assert drill.topups_open(ids) == 3
    for ref in TopUp.objects.filter(pk__in=ids[:2]).values_list("reference", flat=True):
        assert topup_apply_outcome(reference=ref, status=GatewayStatus.SUCCEEDED, gateway_ref="g")
        assert not topup_apply_outcome(reference=ref, status=GatewayStatus.SUCCEEDED, gateway_ref="g")

    tally = drill.topup_tally(ids)

    assert (tally.created, tally.completed, tally.transfers_missing, tally.transfers_extra) == (3, 2, 0, 0)
    assert tally.credited_minor == sum(TopUp.objects.filter(pk__in=ids[:2]).values_list("amount_minor", flat=True))
    assert drill.topups_open(ids) == 1
