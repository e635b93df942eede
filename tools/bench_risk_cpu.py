"""CPU per service P2P payment with the risk pre-check ON and OFF (issue 13, "risk on ≥ 0.9x off").

    python -m tools.bench_risk_cpu          # RISK_CPU_TRANSFERS=600 per side, RISK_CPU_ROUNDS=6

Throughput on a shared 2-core machine is noisy; CPU per operation is not (issue 11: throughput is
busy cores / CPU ms per request). In one thread, interleaved rounds of OFF
(``payments.hooks.risk_precheck_allow_all``) and ON (``risk.precheck.risk_precheck``): this thread's
CPU (``time.thread_time``) plus the PostgreSQL backend's CPU (``/proc/<pid>/schedstat``, as
``tools.bench_profile``) per transfer, and the round trips of one transfer each way. The world's
payees are seeded as known (as ``tools.bench_risk``), so the pre-check allows: the path of every
ordinary payment. Prints the ratio OFF/ON of CPU per payment: the throughput ratio it predicts.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

from tools import bench_world, loadlib
from tools.bench_profile import backend_cpu_s

TRANSFERS = int(os.environ.get("RISK_CPU_TRANSFERS", "600"))
ROUNDS = int(os.environ.get("RISK_CPU_ROUNDS", "6"))
OFF = "payments.hooks.risk_precheck_allow_all"
ON = "risk.precheck.risk_precheck"


def main(argv: list[str]) -> int:
    db_name = bench_world.provision_database("riskcpu")
    loadlib.setup_django()
    try:
        from django.conf import settings
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from accounts.selectors import customers_for_payment
        from core.money import Money
        from payments.services.transfers import transfer_p2p_create

        world = bench_world.build_world(100, merchants=1)
        now = timezone.now()
        with connection.cursor() as cursor:  # every payee known: the pre-check allows
            cursor.executemany(
                "INSERT INTO risk_knownpayee (customer_id, payee_key, first_paid_at, last_paid_at, payments) "
                "VALUES (%s, %s, %s, %s, 1) ON CONFLICT DO NOTHING",
                [
                    (a.customer_id, f"customer:{b.public_id}", now, now)
                    for a in world.customers
                    for b in world.customers
                    if a is not b
                ],
            )
        rng = random.Random(1)

        def one() -> None:
            a, b = world.pair(rng)
            people = customers_for_payment([a.customer_id, b.customer_id])
            transfer_p2p_create(
                sender=people[a.customer_id],
                recipient=people[b.customer_id],
                amount=Money(rng.randint(1, 100), "CNY"),
                memo="riskcpu",
            )

        per_round = max(1, TRANSFERS // ROUNDS)
        cpu: dict[str, list[float]] = {"off": [], "on": []}
        pg: dict[str, list[float]] = {"off": [], "on": []}
        for label, hook in (("off", OFF), ("on", ON)):
            settings.PAYMENTS_RISK_PRECHECK = hook
            for _ in range(20):
                one()  # warm: plans, imports
            with CaptureQueriesContext(connection) as queries:
                one()
            print(f"risk {label}: {len(queries)} statement(s) per service P2P: {[q['sql'][:60] for q in queries]}")
        for round_no in range(ROUNDS):  # interleaved, the order swapped every round
            sides = (("off", OFF), ("on", ON)) if round_no % 2 == 0 else (("on", ON), ("off", OFF))
            for label, hook in sides:
                settings.PAYMENTS_RISK_PRECHECK = hook
                backend = backend_cpu_s(connection)
                started = time.thread_time()
                for _ in range(per_round):
                    one()
                cpu[label].append((time.thread_time() - started) / per_round * 1000)
                pg[label].append((backend_cpu_s(connection) - backend) / per_round * 1000)
        for label in ("off", "on"):
            total = [c + p for c, p in zip(cpu[label], pg[label], strict=True)]
            print(
                f"risk {label}: {statistics.median(cpu[label]):.3f} ms Python + {statistics.median(pg[label]):.3f} ms "
                f"PostgreSQL = {statistics.median(total):.3f} ms CPU per payment (median of {ROUNDS} rounds of "
                f"{per_round}; rounds {', '.join(f'{t:.3f}' for t in total)})"
            )
        off = statistics.median([c + p for c, p in zip(cpu["off"], pg["off"], strict=True)])
        on = statistics.median([c + p for c, p in zip(cpu["on"], pg["on"], strict=True)])
        print(f"risk on adds {on - off:.3f} ms CPU per payment; predicted throughput on/off = {off / on:.3f}x")
    finally:
        bench_world.drop_database(db_name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
