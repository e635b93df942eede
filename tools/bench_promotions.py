"""``make bench`` group ``promotions``: a campaign's target segment over a million customers.

Generates ``BENCH_SEGMENT_CUSTOMERS`` (default 1,000,000) customers with set-based SQL (one
``INSERT ... SELECT generate_series`` per table, as the bench database's owner): birth dates over
1960-2008, one in ten a small business, twenty home branches (five of them sub-branches), KYC tiers
0-2, three years of registrations, 98 % active; 70 % consented to marketing (5 % of those withdrew),
40 % with a linked card, 80 % with spending in one of the last six months (each attribute drawn
independently per customer from ``hashtext``). Then counts three segments,
each with its 10 % holdout, through ``promotions.selectors_segments.segment_size`` (the admin's
preview: ONE query) and checks each against ``TARGETS["segment_seconds"]`` (10 s, issue 12). Each
segment is counted three times; the row shows the first count (cold plan) and the best.

Run alone at a small scale:
``BENCH_CUSTOMERS=10 BENCH_SEGMENT_CUSTOMERS=20000 python -m tools.bench promotions``.
"""

from __future__ import annotations

import os
import time
from typing import Any

import psycopg

from tools import loadlib
from tools.bench import TARGETS, Bench, scenario

SEGMENT_CUSTOMERS = int(os.environ.get("BENCH_SEGMENT_CUSTOMERS", "1000000"))
TARGETS.setdefault("segment_seconds", 10.0)

BRANCHES_SQL = """
INSERT INTO accounts_branch (code, name, region, parent_id, created_at, updated_at)
SELECT 'SEG' || lpad(g::text, 3, '0'), 'Segment bench ' || g, 'bench', NULL, now(), now()
FROM generate_series(1, 20) AS g ON CONFLICT (code) DO NOTHING;
UPDATE accounts_branch c SET parent_id = p.id FROM accounts_branch p
 WHERE c.code IN ('SEG016', 'SEG017', 'SEG018', 'SEG019', 'SEG020') AND p.code = 'SEG001';
"""

CUSTOMERS_SQL = """
INSERT INTO accounts_customer (
    created_at, updated_at, public_id, phone, phone_index, legal_name, national_id, date_of_birth,
    customer_type, business_name, business_registration_no, kyc_tier_id, home_branch_id,
    onboarding_channel, status, status_reason, password, payment_pin, pin_failed_attempts, display_name)
SELECT now() - (pg_temp.r(g, 'age') %% 1095) * interval '1 day', now(), gen_random_uuid(), 'bench', 'segbench-' || g, '', '',
       date '1960-01-01' + pg_temp.r(g, 'born') %% 17897,
       CASE WHEN pg_temp.r(g, 'type') %% 10 = 0 THEN 'SMALL_BUSINESS' ELSE 'INDIVIDUAL' END, '', '',
       pg_temp.r(g, 'kyc') %% 3, (SELECT id FROM accounts_branch WHERE code = 'SEG' || lpad((1 + pg_temp.r(g, 'branch') %% 20)::text, 3, '0')),
       'APP', CASE WHEN pg_temp.r(g, 'status') %% 50 = 0 THEN 'FROZEN' ELSE 'ACTIVE' END, '', '!', '', 0, ''
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
"""
# r(n, salt): a well-mixed non-negative int per (row, attribute), so the attributes are independent.
RANDOM_SQL = """
CREATE OR REPLACE FUNCTION pg_temp.r(n bigint, salt text) RETURNS int LANGUAGE sql IMMUTABLE
AS $$ SELECT (hashtext(n::text || ':' || salt)::bigint & 2147483647)::int $$
"""

# Rows of the generated customers only (phone_index 'segbench-<g>').
CONSENTS_SQL = """
INSERT INTO accounts_consent (customer_id, purpose, version, granted_at, withdrawn_at)
SELECT c.id, 'MARKETING', '1', now(), CASE WHEN pg_temp.r(c.id, 'withdrawn') %% 20 = 0 THEN now() END
FROM accounts_customer c WHERE c.phone_index LIKE 'segbench-%%' AND pg_temp.r(c.id, 'consent') %% 10 < 7
"""
CARDS_SQL = """
INSERT INTO accounts_linkedcard (created_at, updated_at, public_id, customer_id, gateway_token, bank_name, last4, card_type, status)
SELECT now(), now(), gen_random_uuid(), c.id, 'segbench-' || c.id, 'bench', '0000', 'DEBIT', 'ACTIVE'
FROM accounts_customer c WHERE c.phone_index LIKE 'segbench-%%' AND pg_temp.r(c.id, 'card') %% 5 < 2
"""
SPENDING_SQL = """
INSERT INTO payments_customerspendcounter (customer_id, period, period_start, spent_minor)
SELECT c.id, 'MONTH', date_trunc('month', now() - (pg_temp.r(c.id, 'month') %% 6) * interval '1 month')::date, 1000
FROM accounts_customer c WHERE c.phone_index LIKE 'segbench-%%' AND pg_temp.r(c.id, 'spent') %% 5 < 4
ON CONFLICT DO NOTHING
"""

SEGMENTS: list[tuple[str, dict[str, Any]]] = [
    ("everyone reachable", {}),
    (
        "post-90/95, individual, KYC 1-2, active 3 months, card",
        {
            "age_bands": ["post-90", "post-95"],
            "customer_types": ["INDIVIDUAL"],
            "kyc_tiers": [1, 2],
            "activity": "ACTIVE",
            "activity_months": 3,
            "card_linked": True,
        },
    ),
    (
        "branch tree SEG001, existing, dormant, no card",
        {"home_branches": ["SEG001"], "tenure": "EXISTING", "activity": "DORMANT", "card_linked": False},
    ),
]


def generate(dsn: str, count: int) -> float:
    """Insert ``count`` customers and their consents, cards and spending; returns the seconds taken."""
    started = time.monotonic()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute(RANDOM_SQL)
        conn.execute(BRANCHES_SQL)
        step = 250_000
        for first in range(1, count + 1, step):
            conn.execute(CUSTOMERS_SQL, {"first": first, "last": min(first + step - 1, count)})
        for sql in (CONSENTS_SQL, CARDS_SQL, SPENDING_SQL):
            conn.execute(sql, {})  # with params: "%%" is a literal "%"
        for table in ("accounts_customer", "accounts_consent", "accounts_linkedcard", "payments_customerspendcounter"):
            conn.execute(f"VACUUM ANALYZE {table}")
    return time.monotonic() - started


@scenario("segment", group="promotions", order=60)
def segment_scenario(bench: Bench) -> None:
    from promotions.rules import segment_parse
    from promotions.selectors_segments import segment_size

    seconds = generate(bench.dsn, SEGMENT_CUSTOMERS)
    loadlib.log(f"promotions: {SEGMENT_CUSTOMERS:,} customers generated in {seconds:.0f} s")
    bench.notes.append(f"promotions: {SEGMENT_CUSTOMERS:,} generated customers in {seconds:.0f} s (set-based SQL)")
    target = TARGETS["segment_seconds"]
    for label, document in SEGMENTS:
        segment = segment_parse(document)
        timings, counts = [], {}
        for _ in range(3):
            started = time.perf_counter()
            counts = segment_size(segment, holdout_salt="bench:1", holdout_bps=1000)
            timings.append(time.perf_counter() - started)
        bench.row(
            group="promotions",
            name=f"segment: {label}",
            layer="one SQL query (segment_size)",
            clients=1,
            note=(
                f"{SEGMENT_CUSTOMERS:,} customers; {counts['eligible']:,} in segment, {counts['held_out']:,} held out; "
                f"first {timings[0]:.2f} s, best {min(timings):.2f} s; target <= {target:.0f} s"
            ),
            segment_first_s=round(timings[0], 3),
            segment_best_s=round(min(timings), 3),
            segment_met=timings[0] <= target,
        )
