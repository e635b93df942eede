"""``make bench`` group ``hot``: ONE hot merchant against FIFTY ORDINARY merchants, at each layer.

The ordinary merchants' ledger accounts are plain (``is_hot=False``): every payment locks and
updates the merchant's row, but spread over fifty rows the locks rarely meet. The hot merchant's
account takes credits as appended postings plus a ``HotAccountDelta`` row, with no lock on it. The
hot-account design holds when paying one merchant costs about as much as paying fifty:
``hot / ordinary >= TARGETS["hot_vs_ordinary"]`` at each layer (raw SQL, service, API). The
merchant API also carries the API target against the raw ordinary payment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools import bench_cost, bench_raw, bench_world, loadlib
from tools.bench import (
    CLIENTS,
    SECONDS,
    TARGETS,
    Bench,
    api_payment_op,
    measure,
    paired_rounds,
    run_django_load,
    sample_round_trips,
    scenario,
    service_payment_op,
    windowed,
)
from tools.bench_transfers import raw_load, raw_round_trips, wallet_parties


def _raw(bench: Bench, clients: int) -> dict[str, float | None]:
    """Raw SQL: ordinary (50, locked) is the denominator; hot (1, append) must hold the target;
    hot row-locked is printed for contrast (what the design avoids), without a target."""
    wallets = wallet_parties(bench)
    ordinary = bench_raw.parties(bench.dsn, bench.world.merchant_accounts)
    hot = bench_raw.parties(bench.dsn, [bench.world.hot_merchant_account or 0])
    tput: dict[str, float | None] = {}
    cases = [
        ("raw ordinary", ordinary, "locked", None, "", "50 merchants, row lock + UPDATE each"),
        ("raw hot", hot, "append", "raw ordinary", "hot_vs_ordinary", "1 merchant, appended delta, no merchant lock"),
        ("raw hot, row-locked", hot, "locked", "raw ordinary", "", "contrast only: 1 merchant row-locked"),
    ]
    for name, merchants, mode, vs, target_key, note in cases:
        relay = bench_cost.relay_for(bench.dsn)
        url = bench_cost.relayed_url(bench.dsn, relay)
        try:
            trips = raw_round_trips(
                relay,
                lambda i, m=merchants, mode=mode, url=url: bench_raw.payment_op(url, wallets, m, 950 + i, mode=mode),
            )
        finally:
            relay.close()
        result, cost = measure(
            bench,
            lambda m=merchants, mode=mode: raw_load(
                lambda i: bench_raw.payment_op(bench.dsn, wallets, m, seed=i, mode=mode), clients, seconds=SECONDS
            ),
        )
        row = bench.row(
            group="hot",
            name=name,
            layer="raw SQL (psycopg), real ledger tables",
            clients=clients,
            result=result,
            baseline=tput.get(vs) if vs else None,
            target=TARGETS[target_key] if target_key else None,
            vs=vs or "",
            note=note,
            **cost,
            **trips,
        )
        tput[name] = row.get("throughput_per_s")
    return tput


def _raw_ordinary_run(bench: Bench, clients: int) -> Callable[[float], loadlib.LoadResult]:
    """The raw payment to the fifty ordinary merchants for ``seconds``: one side of ``paired_rounds``."""
    wallets = wallet_parties(bench)
    ordinary = bench_raw.parties(bench.dsn, bench.world.merchant_accounts)
    return lambda seconds: raw_load(
        lambda i: bench_raw.payment_op(bench.dsn, wallets, ordinary, seed=i, mode="locked"), clients, seconds=seconds
    )


def _codes(bench: Bench) -> tuple[list[str], list[str]]:
    from payments.services.merchant_payments import merchant_static_qr

    return [merchant_static_qr(m) for m in bench.world.merchants], [merchant_static_qr(bench.world.hot_merchant)]


@scenario("hot-merchant", group="hot", order=40)
def hot_merchant(bench: Bench) -> None:
    """Fails when, at any layer, hot / ordinary < TARGETS["hot_vs_ordinary"]; the API ordinary row
    also fails when < TARGETS["api_payment_vs_baseline"] x the raw ordinary payment, or when
    ``POST /api/v1/payments`` is missing."""
    clients = max(CLIENTS)
    raw = _raw(bench, clients)
    ordinary_codes, hot_codes = _codes(bench)
    service: dict[str, float | None] = {}
    for label, codes in [("ordinary", ordinary_codes), ("hot", hot_codes)]:
        result, cost = measure(
            bench,
            lambda codes=codes: run_django_load(lambda i: service_payment_op(bench, 300 + i, codes), clients, SECONDS),
        )
        vs = "service ordinary" if label == "hot" else "raw ordinary"
        row = bench.row(
            group="hot",
            name=f"service {label}",
            layer="merchant_payment_create, 1 process",
            clients=clients,
            result=result,
            baseline=service.get("ordinary") if label == "hot" else raw.get("raw ordinary"),
            target=TARGETS["hot_vs_ordinary"] if label == "hot" else None,
            vs=vs,
            **cost,
        )
        service[label] = row.get("throughput_per_s")
    _api(bench, clients, raw, ordinary_codes, hot_codes)


def _api(
    bench: Bench, clients: int, raw: dict[str, float | None], ordinary_codes: list[str], hot_codes: list[str]
) -> None:
    if not bench_world.api_has("/api/v1/payments"):
        bench.row(
            group="hot",
            name="api ordinary",
            layer="HTTP",
            clients=None,
            target=TARGETS["api_payment_vs_baseline"],
            note="missing: POST /api/v1/payments not in the URL conf",
        )
        return
    web = bench.web()
    sample, relay = bench.sample_web()
    api: dict[str, float | None] = {}
    for label, codes in [("ordinary", ordinary_codes), ("hot", hot_codes)]:
        trips = sample_round_trips(
            relay, lambda i, codes=codes: api_payment_op(bench, 800 + i, sample.port or 0, codes)
        )

        def run(seconds: float, codes: list[str] = codes) -> loadlib.LoadResult:
            return loadlib.run_load(
                lambda i: api_payment_op(bench, 500 + i, web.port or 0, codes), clients=clients, seconds=seconds
            )

        extra: dict[str, Any] = {}
        if label == "ordinary":  # the API target: against the raw ordinary payment, in alternating rounds
            paired = paired_rounds(
                bench,
                _raw_ordinary_run(bench, clients),
                lambda seconds, window: windowed(window, lambda: run(seconds)),
                web=web,
            )
            result, cost = paired.result, paired.fields()
            base, target = paired.baseline.throughput, TARGETS["api_payment_vs_baseline"]
            vs, extra["note"] = "raw ordinary (alternating)", paired.note()
        else:  # hot against ordinary at the same layer, in alternating rounds too
            paired = paired_rounds(
                bench,
                lambda seconds: run(seconds, ordinary_codes),
                lambda seconds, window: windowed(window, lambda: run(seconds)),
                web=web,
                baseline_web=web,
            )
            result, cost = paired.result, paired.fields()
            base, target = paired.baseline.throughput, TARGETS["hot_vs_ordinary"]
            vs, hot_raw = "api ordinary (alternating)", raw.get("raw hot")
            extra["note"] = paired.note() + (f"; vs raw hot: {result.throughput / hot_raw:.2f}" if hot_raw else "")
        row = bench.row(
            group="hot",
            name=f"api {label}",
            layer=f"HTTP static QR, {web.label}",
            clients=clients,
            result=result,
            baseline=base,
            target=target,
            vs=vs,
            **extra,
            **cost,
            **trips,
        )
        api[label] = row.get("throughput_per_s")
