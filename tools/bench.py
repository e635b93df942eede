"""``make bench``: throughput and latency of the hot paths, each next to its baseline, in one run.

    python -m tools.bench                      # everything (about 10 minutes on 2 cores)
    python -m tools.bench transfers hot        # only some scenario groups
    BENCH_SECONDS=5 BENCH_HISTORY_POSTINGS=1000000 python -m tools.bench

Prints a table and writes ``bench-results.json`` (``BENCH_OUTPUT``). Every figure of a run comes
from one dedicated database on the configured server (``tools.bench_world``), so the baseline and
the layers above it share tables, server and machine noise; ratios are what to compare across runs.

Scenarios are a registry (``@scenario``): promotions and risk add theirs in ``tools/bench_*.py``
modules listed in ``EXTRA_MODULES`` (or BENCH_MODULES), without editing this file's logic.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tools import bench_world, loadlib

if __name__ == "__main__":  # scenario modules import ``tools.bench``: share this module, not a copy
    sys.modules.setdefault("tools.bench", sys.modules[__name__])

SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = [int(c) for c in os.environ.get("BENCH_CLIENTS", "8,16").split(",")]
CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "1000"))
HISTORY_POSTINGS = int(os.environ.get("BENCH_HISTORY_POSTINGS", "10000000"))
HISTORY_BUDGET_S = float(os.environ.get("BENCH_HISTORY_BUDGET_S", "180"))
EVENT_RATE = float(os.environ.get("BENCH_EVENT_RATE", "200"))
OUTPUT = os.environ.get("BENCH_OUTPUT", "bench-results.json")
EXTRA_MODULES = [m for m in os.environ.get("BENCH_MODULES", "").split(",") if m]

TARGETS = {
    "service_vs_baseline": 0.5,
    "api_vs_baseline": 0.35,
    "hot_vs_uniform": 0.8,
    "event_p95_ms": 200.0,
    "history_p95_ms": 30.0,
}


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
        summary = result.summary() if result is not None else {}
        tput = summary.get("throughput_per_s")
        ratio = round(tput / baseline, 2) if tput and baseline else None
        row = {
            "group": group,
            "name": name,
            "layer": layer,
            "clients": clients,
            **summary,
            "baseline_per_s": baseline,
            "ratio": ratio,
            "target_ratio": target,
            "met": (ratio >= target) if (ratio is not None and target is not None) else None,
            "note": note,
            **extra,
        }
        self.rows.append(row)
        shown = {k: row.get(k) for k in ("throughput_per_s", "p50_ms", "p95_ms", "p99_ms", "ratio", "target_ratio")}
        loadlib.log(f"{group}/{name} [{layer}, {clients} clients] {shown} {note}")
        return row

    def web(self) -> loadlib.Service:
        """One gunicorn for the whole run (its peak RSS is the figure reported)."""
        if self._web is None or self._web.proc.poll() is not None:
            self._web = loadlib.start_gunicorn(workers=2, threads=4)
        return self._web

    def stop(self) -> None:
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
    """A P2P transfer through the Python service (no HTTP); falls back to the ledger API itself."""
    from django.db import transaction

    from core.errors import DomainError
    from core.money import Money
    from payments import ledger
    from payments.models import LedgerAccount, Transfer

    rng = random.Random(seed)
    service = bench_world.p2p_service()
    from accounts.models import Customer as CustomerModel

    def op() -> str | None:
        a, b = bench.world.pair(rng)
        amount = Money(rng.randint(1, 100), "CNY")
        try:
            if service is not None:
                # What the view does around the service: load both customers, one durable transaction.
                people = CustomerModel.objects.select_related("kyc_tier").in_bulk([a.customer_id, b.customer_id])
                with transaction.atomic(durable=True):
                    bench_world.call_with_supported(
                        service,
                        customer=people[a.customer_id],
                        sender=people[a.customer_id],
                        recipient=people[b.customer_id],
                        amount=amount,
                        memo="bench",
                    )
            else:
                with transaction.atomic(durable=True):
                    accounts = LedgerAccount.objects.in_bulk([a.wallet_id, b.wallet_id])
                    ledger.transfer_post(
                        kind=Transfer.Kind.P2P,
                        legs=[ledger.Leg(accounts[a.wallet_id], -amount), ledger.Leg(accounts[b.wallet_id], amount)],
                    )
        except DomainError as exc:
            return exc.code
        return None

    return op


def service_payment_op(bench: Bench, seed: int, merchants: list[int]) -> Callable[[], str | None]:
    from django.db import transaction

    from core.errors import DomainError
    from core.money import Money
    from payments import ledger
    from payments.models import LedgerAccount, Transfer

    rng = random.Random(seed)

    def op() -> str | None:
        payer = rng.choice(bench.world.customers)
        merchant = rng.choice(merchants)
        amount = Money(rng.randint(1, 100), "CNY")
        try:
            with transaction.atomic(durable=True):
                accounts = LedgerAccount.objects.in_bulk([payer.wallet_id, merchant])
                ledger.transfer_post(
                    kind=Transfer.Kind.MERCHANT_PAYMENT,
                    legs=[ledger.Leg(accounts[payer.wallet_id], -amount), ledger.Leg(accounts[merchant], amount)],
                )
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
            "/api/v1/transfers/",
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


def run_django_load(
    make: Callable[[int], Callable[[], str | None]], clients: int, seconds: float, **kwargs: Any
) -> loadlib.LoadResult:
    """``run_load`` for workers using the Django ORM: each thread closes its own connection at the end."""
    from django.db import connection

    def make_worker(i: int) -> Callable[[], str | None]:
        op = make(i)
        count = {"n": 0}

        def wrapped() -> str | None:
            count["n"] += 1
            return op()

        threading.current_thread().__dict__["_evidence_close"] = connection.close
        return wrapped

    return loadlib.run_load(make_worker, clients=clients, seconds=seconds, on_exit=_close_connection, **kwargs)


def _close_connection() -> None:
    from django.db import connection

    connection.close()


# --- scenarios ---------------------------------------------------------------------------------
@scenario("baseline", group="transfers", order=10)
def transfers_baseline(bench: Bench) -> None:
    from tools import bench_raw

    wallets = [c.wallet_id for c in bench.world.customers]
    for clients in CLIENTS:
        closers: list[Callable[[], None]] = []

        def make(i: int, closers: list[Callable[[], None]] = closers) -> Callable[[], str | None]:
            op, close = bench_raw.transfer_op(bench.dsn, wallets, seed=i)
            closers.append(close)
            return op

        result = loadlib.run_load(make, clients=clients, seconds=SECONDS)
        for close in closers:
            close()
        bench.row(group="transfers", name="baseline", layer="raw SQL (psycopg)", clients=clients, result=result)


@scenario("service", group="transfers", order=20)
def transfers_service(bench: Bench) -> None:
    service = bench_world.p2p_service()
    note = "" if service else "P2P service not found: ledger.transfer_post in atomic(durable=True)"
    for clients in CLIENTS:
        result = run_django_load(lambda i: service_transfer_op(bench, i), clients, SECONDS)
        base = find(bench, "transfers", "baseline", clients)
        bench.row(
            group="transfers",
            name="service",
            layer="Django service",
            clients=clients,
            result=result,
            baseline=base,
            target=TARGETS["service_vs_baseline"],
            note=note,
        )


@scenario("api", group="transfers", order=30)
def transfers_api(bench: Bench) -> None:
    if not bench_world.api_has("/api/v1/transfers/"):
        bench.row(
            group="transfers",
            name="api",
            layer="HTTP gunicorn",
            clients=None,
            note="skipped: POST /api/v1/transfers/ not in the URL conf yet",
        )
        return
    web = bench.web()
    for clients in CLIENTS:
        result = loadlib.run_load(lambda i: api_transfer_op(bench, i, web.port or 0), clients=clients, seconds=SECONDS)
        base = find(bench, "transfers", "baseline", clients)
        bench.row(
            group="transfers",
            name="api",
            layer="HTTP gunicorn -w2 --threads4",
            clients=clients,
            result=result,
            baseline=base,
            target=TARGETS["api_vs_baseline"],
            note="auth + idempotency + risk pre-check + promotions quote + PIN",
        )


@scenario("api-cheap-pin", group="transfers", order=35)
def transfers_api_cheap_pin(bench: Bench) -> None:
    """Diagnostic: the same API run with the PIN hashed by a cheap hasher, to attribute the API's cost.

    Not a production configuration: it shows how much of the gap to the baseline is the argon2 PIN
    check (Django's default argon2 parameters: 100 MiB, parallelism 8) versus everything else.
    """
    if not bench_world.api_has("/api/v1/transfers/"):
        return
    from django.contrib.auth.hashers import MD5PasswordHasher

    from accounts.models import Customer as CustomerModel

    ids = [c.customer_id for c in bench.world.customers]
    original = dict(CustomerModel.objects.filter(pk__in=ids).values_list("pk", "payment_pin"))
    CustomerModel.objects.filter(pk__in=ids).update(
        payment_pin=MD5PasswordHasher().encode(bench.world.pin, "benchsalt")
    )
    web = loadlib.start_gunicorn(
        workers=2, threads=4, env=loadlib.child_env(DJANGO_SETTINGS_MODULE="tools.drill_settings")
    )
    try:
        for clients in CLIENTS:
            result = loadlib.run_load(
                lambda i: api_transfer_op(bench, i, web.port or 0), clients=clients, seconds=SECONDS
            )
            base = find(bench, "transfers", "baseline", clients)
            bench.row(
                group="transfers",
                name="api, cheap PIN hash (diagnostic)",
                layer="HTTP gunicorn -w2 --threads4",
                clients=clients,
                result=result,
                baseline=base,
                target=TARGETS["api_vs_baseline"],
                note="PIN hasher swapped for MD5: NOT production; attributes the argon2 cost",
            )
    finally:
        web.stop()
        for pk, pin_hash in original.items():
            CustomerModel.objects.filter(pk=pk).update(payment_pin=pin_hash)


@scenario("hot-merchant", group="hot", order=40)
def hot_merchant(bench: Bench) -> None:
    from tools import bench_raw

    wallets = [c.wallet_id for c in bench.world.customers]
    uniform, hot = bench.world.merchant_accounts, [bench.world.hot_merchant_account or 0]
    clients = max(CLIENTS)
    raw: dict[str, float | None] = {}
    for label, merchants, mode in [
        ("uniform", uniform, "locked"),
        ("hot-locked", hot, "locked"),
        ("hot-append", hot, "append"),
    ]:
        closers: list[Callable[[], None]] = []

        def make(
            i: int, merchants: list[int] = merchants, mode: str = mode, closers: list[Callable[[], None]] = closers
        ) -> Callable[[], str | None]:
            op, close = bench_raw.payment_op(bench.dsn, wallets, merchants, seed=i, mode=mode)
            closers.append(close)
            return op

        result = loadlib.run_load(make, clients=clients, seconds=SECONDS)
        for close in closers:
            close()
        row = bench.row(
            group="hot",
            name=f"raw {label}",
            layer="raw SQL (psycopg)",
            clients=clients,
            result=result,
            baseline=raw.get("uniform"),
            target=TARGETS["hot_vs_uniform"] if label != "uniform" else None,
            note="row lock on the merchant (what not to do)" if label == "hot-locked" else "",
        )
        raw[label] = row.get("throughput_per_s")
    svc: dict[str, float | None] = {}
    for label, merchants in [("uniform", uniform), ("hot", hot)]:
        result = run_django_load(lambda i, m=merchants: service_payment_op(bench, i, m), clients, SECONDS)
        row = bench.row(
            group="hot",
            name=f"service {label}",
            layer="Django ledger",
            clients=clients,
            result=result,
            baseline=svc.get("uniform"),
            target=TARGETS["hot_vs_uniform"] if label == "hot" else None,
        )
        svc[label] = row.get("throughput_per_s")
    if not bench_world.api_has("/api/v1/payments/") or not bench.world.merchants:
        bench.row(
            group="hot",
            name="api hot",
            layer="HTTP gunicorn",
            clients=None,
            note="skipped: POST /api/v1/payments/ (or the Merchant table) not there yet",
        )
        return
    from payments.qr import QrPayload, qr_sign

    codes = {m.pk: qr_sign(QrPayload(merchant_public_id=m.public_id, currency="CNY")) for m in bench.world.merchants}
    web = bench.web()
    api: dict[str, float | None] = {}
    for label, merchant_codes in [("uniform", list(codes.values())), ("hot", [codes[bench.world.hot_merchant.pk]])]:

        def make(i: int, merchant_codes: list[str] = merchant_codes) -> Callable[[], str | None]:
            rng = random.Random(500 + i)
            client = loadlib.HttpClient(web.port or 0)

            def op() -> str | None:
                payer = rng.choice(bench.world.customers)
                status, _, body = client.request(
                    "POST",
                    "/api/v1/payments/",
                    {
                        "qr": rng.choice(merchant_codes),
                        "amount": f"0.{rng.randint(1, 99):02d}",
                        "currency": "CNY",
                        "pin": bench.world.pin,
                    },
                    {"Authorization": f"Bearer {payer.token}", "Idempotency-Key": str(uuid.uuid4())},
                )
                return None if status in (200, 201) else bench_world.error_label(status, body)

            return op

        result = loadlib.run_load(make, clients=clients, seconds=SECONDS)
        row = bench.row(
            group="hot",
            name=f"api {label}",
            layer="HTTP gunicorn (static QR)",
            clients=clients,
            result=result,
            baseline=api.get("uniform"),
            target=TARGETS["hot_vs_uniform"] if label == "hot" else None,
        )
        api[label] = row.get("throughput_per_s")


def main(argv: list[str]) -> int:
    loadlib.exit_on_sigterm()
    groups = set(argv)
    for module in ["tools.bench_events", "tools.bench_history", *EXTRA_MODULES]:
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
        from tools import bench_raw

        loadlib.log(f"building the world: {CUSTOMERS} funded customers, 50 merchants")
        world = bench_world.build_world(CUSTOMERS)
        dsn = bench_world.libpq_dsn()
        bench_raw.create_schema(dsn)
        bench = Bench(world=world, dsn=dsn)
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
    report(bench, time.time() - started)
    return 0


def report(bench: Bench | None, elapsed: float) -> None:
    if bench is None:
        return
    columns = [
        "group",
        "name",
        "layer",
        "clients",
        "throughput_per_s",
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "ratio",
        "target_ratio",
        "met",
        "note",
    ]
    print()
    print(loadlib.table(bench.rows, columns))
    print()
    for key, value in bench.memory.items():
        print(f"{key}: {value} MB")
    for note in bench.notes:
        print(f"note: {note}")
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
            "memory_mb": bench.memory,
            "notes": bench.notes,
            "elapsed_s": round(elapsed, 1),
            "machine": {"cpus": os.cpu_count()},
        },
    )
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
