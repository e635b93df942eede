"""Bench scenario: the transaction history page (``GET /api/v1/transactions``) over a big ledger.

Generates ``BENCH_HISTORY_POSTINGS`` (default 10 million) postings, then measures p50/p95/p99 of a
history page through gunicorn for EVERY filter the API offers, alone and combined, for three
customers: a heavy one (~N/1000 entries, like every bench wallet), a heavy-tail one (one transfer
in ``BENCH_HISTORY_TAIL_EVERY``, default 25, is theirs: ~N/50 entries) and a light one (a handful
of entries). Each row is checked against p95 <= 30 ms; ``EXPLAIN (ANALYZE, BUFFERS)`` of the page's
own statement (``payments.selectors_history.history_statement``) for the hardest combinations.

How 10M postings fit the time budget (``BENCH_HISTORY_BUDGET_S``, default 180 s, covering the
inserts, the index builds, the constraints and VACUUM):

- The bench database is thrown away after the run, so its schema owner takes the two tables'
  secondary indexes, unique and foreign-key constraints off, bulk-inserts, and puts every one back
  from its own definition (``pg_get_indexdef`` / ``pg_get_constraintdef``): one sorted build per
  index instead of 15 million random b-tree insertions, and no per-row foreign-key check. The
  foreign keys are re-added with validation (one join each), so the data is proven consistent.
- Transfer ids are reserved from the sequence up front (``setval``), so the transfers and the
  postings are two independent ``INSERT ... SELECT generate_series`` statements run in parallel on
  two connections (two cores), in batches, with ``synchronous_commit = off``.
- UNLOGGED would skip the WAL but is not the real table (and switching back rewrites it): not used.
- User triggers (balance, currency, append-only, posting kind) are off during the insert only; the
  generator writes ``kind`` itself. Generated transfers carry no valid content hash and do not move
  ``posted_minor``, so ``verify_ledger`` would flag them; nothing else reads them.

``created_at`` grows with the id over the year before the run (real data: newest = highest id).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import psycopg

from tools import bench_world, loadlib
from tools.bench import HISTORY_BUDGET_S, HISTORY_POSTINGS, SECONDS, TARGETS, Bench, scenario

BATCH_TRANSFERS = 1_000_000
TAIL_EVERY = int(os.environ.get("BENCH_HISTORY_TAIL_EVERY", "25"))
SPAN = timedelta(days=365)
TABLES = ("payments_transfer", "payments_posting")

# %(base)s: first reserved transfer id; %(first)s: global index of this batch's first transfer.
TRANSFERS_SQL = """
INSERT INTO payments_transfer (id, public_id, kind, reference, memo, metadata, reason_code, created_at, content_hash)
SELECT %(base)s + g, gen_random_uuid(),
       CASE WHEN g %% 1000 = 7 THEN 'REFUND' WHEN g %% 10 = 0 THEN 'MERCHANT_PAYMENT' ELSE 'P2P' END,
       '', 'generated', '{}'::jsonb, '', %(start)s + g * %(step)s, repeat('0', 64)
FROM generate_series(%(first)s, %(last)s) AS g
"""

# Debit leg (s = 1) on wallet a, credit leg on wallet b. a = the heavy-tail wallet one transfer in
# TAIL_EVERY; otherwise wallets[g % n]. b = wallets[(7g + 1) % n]: with n = 1000 (even), 6g + 1 is odd
# so never a multiple of n, and a != b; the heavy-tail wallet is not in ``wallets``.
POSTINGS_SQL = """
WITH acc AS (SELECT %(wallets)s::bigint[] AS ids, cardinality(%(wallets)s::bigint[]) AS n)
INSERT INTO payments_posting (transfer_id, account_id, counterparty_account_id, amount_minor, currency,
                              balance_after_minor, created_at, kind)
SELECT %(base)s + g,
       CASE WHEN s = 1 THEN x.a ELSE x.b END,
       CASE WHEN s = 1 THEN x.b ELSE x.a END,
       CASE WHEN s = 1 THEN -x.amount ELSE x.amount END,
       'CNY', NULL, %(start)s + g * %(step)s,
       CASE WHEN g %% 1000 = 7 THEN 'REFUND' WHEN g %% 10 = 0 THEN 'MERCHANT_PAYMENT' ELSE 'P2P' END
FROM generate_series(%(first)s, %(last)s) AS g
CROSS JOIN acc
CROSS JOIN LATERAL (
    SELECT CASE WHEN g %% %(tail_every)s = 0 THEN %(tail)s ELSE acc.ids[1 + (g %% acc.n)] END AS a,
           acc.ids[1 + ((g * 7 + 1) %% acc.n)] AS b,
           1 + (g * 37) %% 5000 AS amount
) x
CROSS JOIN generate_series(1, 2) AS s
"""

SCHEMA_SQL = """
SELECT 'constraint', c.conname, c.conrelid::regclass::text, pg_get_constraintdef(c.oid)
FROM pg_constraint c WHERE c.conrelid = ANY(%(tables)s::regclass[]) AND c.contype IN ('f', 'u')
UNION ALL
SELECT 'index', i.indexrelid::regclass::text, i.indrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i WHERE i.indrelid = ANY(%(tables)s::regclass[]) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('u', 'p'))
"""


def _timed(label: str, started: float) -> None:
    loadlib.log(f"history: {label} at {time.time() - started:.0f} s")


def generate(
    dsn: str, wallets: list[int], tail_wallet: int, target_postings: int, budget_s: float
) -> tuple[int, dict[str, float]]:
    """Insert balanced generated transfers until ``target_postings`` or the budget, then rebuild the
    indexes and constraints; returns (postings, seconds per phase)."""
    started = time.time()
    owner_url = os.environ.get("DATABASE_OWNER_URL")  # never the application role
    dsn = bench_world.libpq_dsn(owner_url) if owner_url else dsn
    phases: dict[str, float] = {}
    with psycopg.connect(dsn, autocommit=True) as conn, psycopg.connect(dsn, autocommit=True) as other:
        schema = conn.execute(SCHEMA_SQL, {"tables": list(TABLES)}).fetchall()
        for kind, name, table, _ in schema:
            if kind == "constraint":
                conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for kind, name, _, _ in schema:
            if kind == "index":
                conn.execute(f"DROP INDEX {name}")
        for table in TABLES:
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        try:
            done = _insert(conn, other, wallets, tail_wallet, target_postings, budget_s, started)
            phases["insert_s"] = time.time() - started
        finally:
            mark = time.time()
            _restore(dsn, schema)
            phases["indexes_constraints_s"] = time.time() - mark
            for table in TABLES:
                conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        mark = time.time()
        with ThreadPoolExecutor(2) as pool:  # the visibility map makes the history scans index-only
            list(
                pool.map(
                    lambda c: c[0].execute(c[1]),
                    [(conn, "VACUUM (ANALYZE) payments_posting"), (other, "VACUUM (ANALYZE) payments_transfer")],
                )
            )
        phases["vacuum_analyze_s"] = time.time() - mark
    phases["total_s"] = time.time() - started
    return done, phases


def _insert(
    conn: psycopg.Connection[Any],
    other: psycopg.Connection[Any],
    wallets: list[int],
    tail_wallet: int,
    target_postings: int,
    budget_s: float,
    started: float,
) -> int:
    transfers = target_postings // 2
    (base,) = conn.execute("SELECT nextval('payments_transfer_id_seq')").fetchone() or (0,)
    conn.execute("SELECT setval('payments_transfer_id_seq', %s)", [base + transfers + 1])
    now = datetime.now(UTC) - timedelta(hours=1)
    params: dict[str, Any] = {
        "base": base,
        "start": now - SPAN,
        "step": SPAN / max(1, transfers),
        "wallets": wallets,
        "tail": tail_wallet,
        "tail_every": TAIL_EVERY,
    }
    for c in (conn, other):
        c.execute("SET synchronous_commit = off")
    done = 0
    # Keep ~40 % of the budget for the index builds and VACUUM that follow.
    while done < transfers and time.time() - started < budget_s * 0.6:
        count = min(BATCH_TRANSFERS, transfers - done)
        batch = {**params, "first": done + 1, "last": done + count}
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda c, b=batch: c[0].execute(c[1], b), [(conn, TRANSFERS_SQL), (other, POSTINGS_SQL)]))
        done += count
        loadlib.log(f"history: {2 * done:,} postings inserted in {time.time() - started:.0f} s")
    return 2 * done


def _restore(dsn: str, schema: list[tuple[str, str, str, str]]) -> None:
    """Indexes and unique constraints two at a time (one per core), then the foreign keys (validated)."""
    builds = [defn for kind, _, _, defn in schema if kind == "index"]
    builds += [
        f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for k, n, t, d in schema if k == "constraint" and "UNIQUE" in d
    ]
    fkeys = [
        f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for k, n, t, d in schema if k == "constraint" and "UNIQUE" not in d
    ]

    def run(statements: list[str]) -> None:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute("SET maintenance_work_mem = '512MB'")
            c.execute("SET max_parallel_maintenance_workers = 0")
            for sql in statements:
                mark = time.time()
                c.execute(sql)
                loadlib.log(f"history: {time.time() - mark:5.1f} s {sql[:110]}")

    # Longest first, dealt alternately: the posting indexes are the big ones.
    builds.sort(key=lambda s: ("payments_posting" not in s, s))
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, [builds[0::2], builds[1::2]]))
    run(fkeys)


# --- measurement ---------------------------------------------------------------------------------
def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _combinations(heavy: Any, tail: Any, light_token: str, ids: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, query string, token): every filter alone, the combinations a wallet app sends, deep pages."""
    month_ago = (datetime.now(UTC) - timedelta(days=30)).date()
    half_year = (datetime.now(UTC) - timedelta(days=182)).date()
    old_window = f"date_from={half_year}&date_to={half_year + timedelta(days=30)}"
    after = quote((datetime.now(UTC) - timedelta(days=90)).isoformat())
    before = quote((datetime.now(UTC) - timedelta(days=60)).isoformat())
    h, t = heavy.token, tail.token
    return [
        ("heavy: no filter", "", h),
        ("heavy: kind=P2P", "kind=P2P", h),
        ("heavy: kind=REFUND (0.1 %)", "kind=REFUND", h),
        ("heavy: kind=ADJUSTMENT (its one funding entry)", "kind=ADJUSTMENT", h),
        ("heavy: kind=MERCHANT_PAYMENT&direction=out", "kind=MERCHANT_PAYMENT&direction=out", h),
        ("heavy: kind=P2P,MERCHANT_PAYMENT&direction=in", "kind=P2P,MERCHANT_PAYMENT&direction=in", h),
        ("heavy: direction=in", "direction=in", h),
        ("heavy: currency=CNY", "currency=CNY", h),
        ("heavy: min_amount=45.00 (10 %)", "min_amount=45.00", h),
        ("heavy: max_amount=0.50 (1 %)", "max_amount=0.50", h),
        ("heavy: min_amount=10&max_amount=20", "min_amount=10&max_amount=20", h),
        ("heavy: counterparty", f"counterparty={ids['heavy_counterparty']}", h),
        (
            "heavy: counterparty&kind=P2P&direction=out",
            f"counterparty={ids['heavy_counterparty']}&kind=P2P&direction=out",
            h,
        ),
        ("heavy: date range (last 30 days)", f"date_from={month_ago}", h),
        ("heavy: date range 6 months ago", old_window, h),
        ("heavy: date range 6 months ago + kind=MERCHANT_PAYMENT", f"{old_window}&kind=MERCHANT_PAYMENT", h),
        ("heavy: created_after&created_before", f"created_after={after}&created_before={before}", h),
        ("heavy: everything", f"{old_window}&kind=P2P&direction=out&min_amount=1&max_amount=40&currency=CNY", h),
        ("heavy: page_size=100", "page_size=100", h),
        ("heavy: deep cursor (half-way back)", f"cursor={ids['heavy_deep_cursor']}", h),
        ("tail: no filter", "", t),
        ("tail: kind=MERCHANT_PAYMENT&direction=out", "kind=MERCHANT_PAYMENT&direction=out", t),
        ("tail: kind=ADJUSTMENT (its one funding entry)", "kind=ADJUSTMENT", t),
        ("tail: direction=in", "direction=in", t),
        ("tail: min_amount=49.00 (2 %)", "min_amount=49.00", t),
        ("tail: counterparty (never traded: no entry)", f"counterparty={ids['light_wallet']}", t),
        ("tail: date range 6 months ago + kind=MERCHANT_PAYMENT", f"{old_window}&kind=MERCHANT_PAYMENT", t),
        ("tail: deep cursor (half-way back)", f"cursor={ids['tail_deep_cursor']}", t),
        ("light: no filter", "", light_token),
        ("light: kind=P2P (no entry)", "kind=P2P", light_token),
    ]


def _lookups(heavy: Any, tail: Any, light_wallet: str) -> dict[str, str]:
    from payments.selectors_history import HistoryCursor

    def middle(wallet_id: int) -> str:
        (row,) = _rows(
            "SELECT created_at, id FROM payments_posting WHERE account_id = %s ORDER BY created_at DESC, id DESC"
            " OFFSET (SELECT count(*) / 2 FROM payments_posting WHERE account_id = %s) LIMIT 1",
            [wallet_id, wallet_id],
        )
        return HistoryCursor(row[0], row[1]).encode()

    ((counterparty,),) = _rows(
        "SELECT a.public_id FROM payments_posting p JOIN payments_ledgeraccount a ON a.id = p.counterparty_account_id"
        " WHERE p.account_id = %s ORDER BY p.created_at DESC, p.id DESC LIMIT 1",
        [heavy.wallet_id],
    )
    return {
        "heavy_counterparty": str(counterparty),
        "heavy_deep_cursor": middle(heavy.wallet_id),
        "tail_deep_cursor": middle(tail.wallet_id),
        "light_wallet": light_wallet,
    }


@scenario("history-page", group="history", order=80)
def history(bench: Bench) -> None:
    if not bench_world.api_has("/api/v1/transactions", "get"):
        bench.row(group="history", name="page", layer="-", clients=None, note="skipped: no GET /api/v1/transactions")
        return
    # A light user: a handful of entries, all older (by id) than the generated millions.
    from payments.ledger import wallet_get_or_create
    from payments.management.commands.loadtest_customers import create_customers, fund_customers

    ((light, light_token),) = create_customers(1)
    for _ in range(3):
        fund_customers([light], "1.00")
    light_wallet = str(wallet_get_or_create(customer=light, currency="CNY").public_id)
    heavy, tail = bench.world.customers[0], bench.world.customers[1]
    wallets = sorted(c.wallet_id for c in bench.world.customers if c is not tail)
    postings, phases = generate(bench.dsn, wallets, tail.wallet_id, HISTORY_POSTINGS, HISTORY_BUDGET_S)
    within = phases["total_s"] <= HISTORY_BUDGET_S and postings >= HISTORY_POSTINGS
    bench.notes.append(
        f"history: {postings:,} postings generated in {phases['total_s']:.0f} s (target {HISTORY_POSTINGS:,} "
        f"within {HISTORY_BUDGET_S:.0f} s: {'met' if within else 'MISSED'}; "
        + ", ".join(f"{k} {v:.0f}" for k, v in phases.items())
        + ")"
    )
    bench.row(
        group="history",
        name="generate",
        layer="set-based SQL",
        clients=None,
        note=f"{postings:,} postings in {phases['total_s']:.0f} s; budget {HISTORY_BUDGET_S:.0f} s",
        history_met=within,
    )
    ids = _lookups(heavy, tail, light_wallet)
    counts = dict(
        _rows(
            "SELECT account_id, count(*) FROM payments_posting WHERE account_id = ANY(%s) GROUP BY account_id",
            [[heavy.wallet_id, tail.wallet_id]],
        )
    )
    bench.notes.append(
        f"history: heavy user {counts.get(heavy.wallet_id, 0):,} entries, heavy-tail user "
        f"{counts.get(tail.wallet_id, 0):,}, light user 3"
    )
    web = bench.web()
    combos = _combinations(heavy, tail, light_token, ids)
    met = 0
    for label, query, token in combos:
        p95 = _measure(bench, web.port or 0, label, query, token, postings)
        met += p95 is not None and p95 <= TARGETS["history_p95_ms"]
    bench.notes.append(f"history: {met} of {len(combos)} combinations at p95 <= {TARGETS['history_p95_ms']:.0f} ms")
    bench.notes.extend(explain_pages(heavy, tail, ids))


def _measure(bench: Bench, port: int, label: str, query: str, token: str, postings: int) -> float | None:
    path = f"/api/v1/transactions?{query}" if query else "/api/v1/transactions"
    headers = {"Authorization": f"Bearer {token}"}

    def make(i: int) -> Callable[[], str | None]:
        client = loadlib.HttpClient(port)

        def op() -> str | None:
            status, _, body = client.request("GET", path, headers=headers)
            return None if status == 200 else bench_world.error_label(status, body)

        return op

    make(0)()  # one warm-up request: the figure is the steady page, not the first touch of a cold page
    # One client, bounded: the figure is the page's latency, not the server's saturation.
    result = loadlib.run_load(make, clients=1, seconds=min(SECONDS, 4.0), max_ops=200)
    p95 = result.summary().get("p95_ms")
    bench.row(
        group="history",
        name=label,
        layer="HTTP gunicorn",
        clients=1,
        result=result,
        note=f"{postings:,} postings; target p95 <= {TARGETS['history_p95_ms']:.0f} ms",
        history_met=(p95 is not None and p95 <= TARGETS["history_p95_ms"]),
    )
    return p95


def explain_pages(heavy: Any, tail: Any, ids: dict[str, str]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the selector's own statement for the hardest combinations; key lines."""
    from django.db import connection

    from payments.selectors_history import HistoryCursor, HistoryQuery, history_statement

    cases = [
        ("heavy, no filter", heavy, HistoryQuery(), None),
        (
            "heavy, kind=MERCHANT_PAYMENT&direction=out",
            heavy,
            HistoryQuery(kinds=("MERCHANT_PAYMENT",), direction="out"),
            None,
        ),
        ("tail, kind=ADJUSTMENT", tail, HistoryQuery(kinds=("ADJUSTMENT",)), None),
        ("tail, min_amount=49.00", tail, HistoryQuery(min_abs_minor=4900), None),
        ("tail, deep cursor", tail, HistoryQuery(), HistoryCursor.decode(ids["tail_deep_cursor"])),
    ]
    keep = ("Scan using posting_history", "Index Cond: ((account_id", "Heap Fetches", "Rows Removed", "Execution Time")
    lines: list[str] = []
    for label, who, query, cursor in cases:
        sql, params = history_statement(customer_id=who.customer_id, query=query, cursor=cursor)
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cur.fetchall()]
        lines.append(f"history EXPLAIN {label}:")
        lines += ["  " + line.strip()[:220] for line in plan if any(k in line for k in keep)][:12]
    return lines
