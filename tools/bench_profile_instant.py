"""CPU per merchant payment with the promotions quote on and off (1,000 campaigns, as ``make bench
instant``), in one thread, interleaved A/B rounds; then the quote alone and a profile.

    python -m tools.bench_profile_instant        # PROFILE_PAYMENTS=400 PROFILE_ROUNDS=4

CPU per payment = this thread's CPU (``time.thread_time``) + the PostgreSQL backend's
(``/proc/<pid>/schedstat``, as ``tools.bench_profile``): figures that hold on a busy machine where
throughput does not. The world is ``tools.bench_promotions.instant_campaigns`` on 50 merchants.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import time
from typing import Any

from tools import bench_world, loadlib
from tools.bench_profile import backend_cpu_s

PAYMENTS = int(os.environ.get("PROFILE_PAYMENTS", "400"))
ROUNDS = int(os.environ.get("PROFILE_ROUNDS", "4"))
CAMPAIGNS = int(os.environ.get("BENCH_INSTANT_CAMPAIGNS", "1000"))
OFF = "payments.hooks.promotions_quote_none"
ON = "promotions.selectors_instant.promotions_quote"


def main(argv: list[str]) -> int:
    db_name = bench_world.provision_database("profinst")
    loadlib.setup_django()
    try:
        from django.conf import settings
        from django.db import connection

        from accounts.models import Consent
        from accounts.selectors import customers_for_payment
        from core.money import Money
        from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
        from tools.bench_promotions import instant_campaigns

        world = bench_world.build_world(200)
        Consent.objects.bulk_create(
            [Consent(customer_id=c.customer_id, purpose="MARKETING", version="1") for c in world.customers]
        )
        codes = [merchant_static_qr(m) for m in world.merchants]
        shape = instant_campaigns(CAMPAIGNS)
        print(f"{CAMPAIGNS} campaigns: {shape}")
        rng = random.Random(1)

        def one() -> None:
            payer = rng.choice(world.customers)
            customer = customers_for_payment([payer.customer_id])[payer.customer_id]
            merchant_payment_create(customer=customer, qr=rng.choice(codes), amount=Money(rng.randint(1, 99), "CNY"))

        def cpu(hook: str, count: int) -> tuple[float, float]:
            settings.PAYMENTS_PROMOTIONS_QUOTE = hook
            for _ in range(20):
                one()
            backend = backend_cpu_s(connection)
            thread = time.thread_time()
            for _ in range(count):
                one()
            return (time.thread_time() - thread) / count * 1000, (backend_cpu_s(connection) - backend) / count * 1000

        results: dict[str, list[tuple[float, float]]] = {OFF: [], ON: []}
        for round_ in range(ROUNDS):
            for hook in (OFF, ON) if round_ % 2 == 0 else (ON, OFF):
                results[hook].append(cpu(hook, PAYMENTS))
        for hook, label in ((OFF, "off"), (ON, "on")):
            app = statistics.median(r[0] for r in results[hook])
            pg = statistics.median(r[1] for r in results[hook])
            rounds = ", ".join(f"{a:.2f}+{p:.2f}" for a, p in results[hook])
            print(f"payment, quote {label:3}: app {app:.2f} ms + pg {pg:.2f} ms = {app + pg:.2f} ms  ({rounds})")
        off = sum(statistics.median(r[i] for r in results[OFF]) for i in (0, 1))
        on = sum(statistics.median(r[i] for r in results[ON]) for i in (0, 1))
        print(f"CPU ratio off/on (the throughput ratio a CPU-bound run approaches): {off / on:.3f}")

        _quote_alone(world, Money, customers_for_payment)
        settings.PAYMENTS_PROMOTIONS_QUOTE = ON
        profiler = cProfile.Profile(time.thread_time)
        profiler.enable()
        for _ in range(PAYMENTS):
            one()
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(int(os.environ.get("PROFILE_LINES", "35")))
        stats.sort_stats("tottime").print_stats(15)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])
    finally:
        bench_world.drop_database(db_name)
    return 0


def _quote_alone(world: Any, money: Any, customers_for_payment: Any) -> None:
    """The hook by itself (no payment): CPU per quote, app and PostgreSQL."""
    from django.db import connection

    from payments.interfaces import PaymentContext
    from payments.models import LedgerAccount
    from promotions.selectors_instant import promotions_quote

    rng = random.Random(2)
    merchant = world.merchants[0]
    account = LedgerAccount.objects.get(code=merchant.ledger_account_code("CNY"))
    people = customers_for_payment([c.customer_id for c in world.customers])

    def ctx() -> PaymentContext:
        return PaymentContext(
            customer=people[rng.choice(world.customers).customer_id],
            kind="MERCHANT_PAYMENT",
            amount=money(rng.randint(1, 99), "CNY"),
            counterparty_account=account,
            merchant_id=str(merchant.public_id),
            metadata={"mcc": merchant.mcc, "merchant_pk": merchant.pk, "coupon": None, "order": None},
        )

    for _ in range(50):
        promotions_quote(ctx())
    contexts = [ctx() for _ in range(PAYMENTS)]
    backend = backend_cpu_s(connection)
    thread = time.thread_time()
    for c in contexts:
        promotions_quote(c)
    app = (time.thread_time() - thread) / len(contexts) * 1000
    pg = (backend_cpu_s(connection) - backend) / len(contexts) * 1000
    print(f"quote alone: app {app:.3f} ms + pg {pg:.3f} ms per quote ({len(contexts)} quotes)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
