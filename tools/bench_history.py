"""Bench scenario: the transaction history page (``GET /api/v1/transactions/``) over a big ledger.

Generates ``BENCH_HISTORY_POSTINGS`` (default 10 million) postings with set-based SQL: balanced
P2P transfers (one debit, one credit of the same amount) among the bench's wallets, in batches,
stopping when the time budget (``BENCH_HISTORY_BUDGET_S``, default 180 s) runs out; the count
reached is printed. The bulk insert runs with the user triggers disabled by the schema owner so the
per-row commit-time balance trigger and the append-only triggers do not fire for generated data
(they are balanced by construction); indexes and constraints stay on. This database is thrown
away after the run: the generated transfers carry no valid content hash and do not move
``posted_minor``, so ``verify_ledger`` would flag them; nothing else reads them.

Then: p50/p95/p99 of the first history page (and a filtered page) through gunicorn for a customer
with ~N/1000 entries, and ``EXPLAIN (ANALYZE, BUFFERS)`` of the page's SQL.
"""

from __future__ import annotations

import os
import time

import psycopg

from tools import bench_world, loadlib
from tools.bench import HISTORY_BUDGET_S, HISTORY_POSTINGS, SECONDS, TARGETS, Bench, scenario

BATCH_TRANSFERS = 500_000

GENERATE_SQL = """
WITH acc AS (SELECT %(wallets)s::bigint[] AS ids, cardinality(%(wallets)s::bigint[]) AS n),
t AS (
    INSERT INTO payments_transfer (public_id, kind, reference, memo, metadata, reason_code, created_at, content_hash)
    SELECT gen_random_uuid(), CASE WHEN g %% 10 = 0 THEN 'MERCHANT_PAYMENT' ELSE 'P2P' END, '', 'generated',
           '{}'::jsonb, '', now() - make_interval(secs => (%(offset)s + g)), repeat('0', 64)
    FROM generate_series(1, %(count)s) AS g
    RETURNING id, created_at
)
INSERT INTO payments_posting (transfer_id, account_id, counterparty_account_id, amount_minor, currency,
                              balance_after_minor, created_at)
SELECT t.id,
       CASE WHEN s = 1 THEN acc.ids[1 + (t.id %% acc.n)] ELSE acc.ids[1 + ((t.id * 7 + 1) %% acc.n)] END,
       CASE WHEN s = 1 THEN acc.ids[1 + ((t.id * 7 + 1) %% acc.n)] ELSE acc.ids[1 + (t.id %% acc.n)] END,
       CASE WHEN s = 1 THEN -(1 + t.id %% 5000) ELSE (1 + t.id %% 5000) END,
       'CNY', NULL, t.created_at
FROM t CROSS JOIN acc CROSS JOIN generate_series(1, 2) AS s
"""


def generate(dsn: str, wallets: list[int], target_postings: int, budget_s: float) -> tuple[int, float]:
    """Insert balanced generated transfers until ``target_postings`` or the budget; returns (postings, seconds).

    (t.id % n) and ((7 t.id + 1) % n) differ whenever n does not divide 6 t.id + 1; with n = 1000
    wallets that never happens (6 t.id + 1 is odd), so no transfer debits and credits one wallet.
    """
    started = time.time()
    done = 0
    # The schema owner (never the application role) switches the user triggers off on this throwaway database.
    owner_url = os.environ.get("DATABASE_OWNER_URL")
    if owner_url:
        dsn = bench_world.libpq_dsn(owner_url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for table in ("payments_transfer", "payments_posting"):
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        while done < target_postings and time.time() - started < budget_s:
            count = min(BATCH_TRANSFERS, (target_postings - done) // 2)
            if count <= 0:
                break
            conn.execute(GENERATE_SQL, {"wallets": wallets, "count": count, "offset": done})
            done += 2 * count
            loadlib.log(f"history: {done:,} postings generated in {time.time() - started:.0f} s")
        for table in ("payments_transfer", "payments_posting"):
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        conn.execute("VACUUM (ANALYZE) payments_posting")
        conn.execute("ANALYZE payments_transfer")
    return done, time.time() - started


@scenario("history-page", group="history", order=80)
def history(bench: Bench) -> None:
    from tools import bench_world

    if not bench_world.api_has("/api/v1/transactions/", "get"):
        bench.row(
            group="history",
            name="page",
            layer="-",
            clients=None,
            note="skipped: GET /api/v1/transactions/ not in the URL conf yet",
        )
        return
    # A light user: a handful of entries, all older than the generated millions (the worst case for a
    # plan that walks postings newest-first and filters by account).
    from payments.management.commands.loadtest_customers import create_customers, fund_customers

    ((light, light_token),) = create_customers(1)
    for _ in range(3):
        fund_customers([light], "1.00")
    wallets = sorted(c.wallet_id for c in bench.world.customers)
    postings, took = generate(bench.dsn, wallets, HISTORY_POSTINGS, HISTORY_BUDGET_S)
    bench.notes.append(
        f"history: {postings:,} postings generated in {took:.0f} s "
        f"(target {HISTORY_POSTINGS:,}, budget {HISTORY_BUDGET_S:.0f} s)"
    )
    customer = bench.world.customers[0]
    web = bench.web()
    heavy = {"Authorization": f"Bearer {customer.token}"}
    light_headers = {"Authorization": f"Bearer {light_token}"}
    per_wallet = postings // max(1, len(wallets))
    pages = [
        (f"first page (~{per_wallet:,} entries)", "/api/v1/transactions/", heavy),
        ("kind=MERCHANT_PAYMENT&direction=out", "/api/v1/transactions/?kind=MERCHANT_PAYMENT&direction=out", heavy),
        ("date range", "/api/v1/transactions/?date_from=2020-01-01&date_to=2099-12-31", heavy),
        ("first page (light user, 3 old entries)", "/api/v1/transactions/", light_headers),
    ]
    for label, path, headers in pages:

        def make(i: int, path: str = path, headers: dict[str, str] = headers) -> object:
            client = loadlib.HttpClient(web.port or 0)

            def op() -> str | None:
                status, _, body = client.request("GET", path, headers=headers)
                return None if status == 200 else bench_world.error_label(status, body)

            return op

        # One client, bounded: the figure is the page's latency, not the server's saturation.
        result = loadlib.run_load(make, clients=1, seconds=min(SECONDS, 6.0), max_ops=300)  # type: ignore[arg-type]
        p95 = result.summary().get("p95_ms")
        bench.row(
            group="history",
            name=label,
            layer="HTTP gunicorn",
            clients=1,
            result=result,
            note=f"{postings:,} postings in the table; target p95 <= {TARGETS['history_p95_ms']:.0f} ms",
            history_met=(p95 is not None and p95 <= TARGETS["history_p95_ms"]),
        )
    bench.notes.extend(explain_page(customer.token))
    bench.notes.extend(explain_page(light_token))


def explain_page(token: str) -> list[str]:
    """Run the page once in-process, capture its SQL, and EXPLAIN ANALYZE the slowest statement."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/transactions/", HTTP_AUTHORIZATION=f"Bearer {token}")
    if not ctx.captured_queries:
        return []
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
    lines = [
        f"history page: {len(ctx.captured_queries)} queries; slowest {float(slowest['time']) * 1000:.1f} ms:",
        "  " + slowest["sql"][:600],
    ]
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
        lines += ["  " + row[0] for row in cur.fetchall()]
    return lines
