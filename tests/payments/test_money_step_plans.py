"""The hot path's PL/pgSQL keeps ``plan_cache_mode = force_generic_plan`` (payments 0016): a later
``CREATE OR REPLACE`` without the SET clause would silently bring back a re-plan on every payment.
The money step's functions also keep ``enable_seqscan = off`` (payments 0019): their generic plans,
made while a table looked empty, scanned it for the life of the session."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, transaction

from accounts.models import Customer
from core.money import Money
from payments.ledger import Leg, transfer_post, wallet_get_or_create
from tests.conftest import owner_db
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, wallet_fund

pytestmark = pytest.mark.django_db

HOT_FUNCTIONS = [
    "payments_pay",
    "payments_ledger_post",
    "payments_hot_account_fold",
    "risk_precheck_gate",  # risk 0006 (replaced risk_precheck_facts)
    "promotions_quote_read",
]


def _configs(name: str) -> list[list[str]]:
    """The SET clauses of every function called ``name`` in the public schema (one per overload)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname = 'public' AND p.proname = %s",
            [name],
        )
        rows = cursor.fetchall()
    assert rows, f"{name} does not exist"
    return [config or [] for (config,) in rows]


@pytest.mark.parametrize("name", HOT_FUNCTIONS)
def test_hot_function_is_planned_once_per_session(name: str) -> None:
    for config in _configs(name):
        assert "plan_cache_mode=force_generic_plan" in config, (name, config)


# The expected list, written out (not read from payments 0019): a function dropped from the
# migration's list, or a later CREATE OR REPLACE without the clause, fails here.
KEYED_FUNCTIONS = [
    "payments_pay",
    "payments_ledger_post",
    "payments_hot_account_fold",
    "payments_check_transfer_balanced",
    "payments_check_posting_currency",
    "payments_posting_fill_kind",
    "payments_step_up_take",
    "payments_promotions_take",
    "promotions_quote_read",
    "risk_precheck_gate",
]


@pytest.mark.parametrize("name", KEYED_FUNCTIONS)
def test_money_step_never_prefers_a_sequential_scan(name: str) -> None:
    """payments 0019: the generic plans are made once per session, so the setting must survive a
    later ``CREATE OR REPLACE``."""
    for config in _configs(name):
        assert "enable_seqscan=off" in config, (name, config)


def _seq_scans(tables: tuple[str, ...]) -> dict[str, int]:
    """Sequential scans of ``tables`` in the current transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, seq_scan FROM pg_stat_xact_user_tables WHERE relname = ANY(%s)", [list(tables)])
        return dict(cursor.fetchall())


def test_a_payment_reads_its_key_by_index_in_a_table_analysed_while_empty(alice: Customer, bob: Customer) -> None:
    """A table ANALYZEd while empty (a new deployment, a purge of expired keys) says 0 rows: the
    generic plan of the Idempotency-Key look-up was a sequential scan costed at 0, kept for the
    session as the table grew (133 µs per payment after 2,300 requests in ``make bench``'s world).
    Seen failing without payments 0019 (a sequential scan per payment)."""
    wallet_fund(alice, "10.00")
    client = customer_client(alice)
    table = "payments_idempotencyrecord"  # read by the money step only
    owner_db().execute(f"ANALYZE {table}")  # committed rows: none. The statistics change: the session re-plans

    before = _seq_scans((table,))
    for _ in range(2):  # the second runs the plans the session keeps
        body = {"to_phone": bob.phone, "amount": "1.00", "currency": "CNY", "pin": PAYMENT_PIN}
        response = client.post("/api/v1/transfers", body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
        assert response.status_code == 201, response.json()

    assert _seq_scans((table,)).get(table, 0) == before.get(table, 0)


def test_the_ledger_write_finds_its_accounts_by_key_in_a_table_the_planner_thinks_tiny(
    alice: Customer, bob: Customer
) -> None:
    """A handful of accounts and postings, analysed: a sequential scan is what the planner prefers
    for ``id = ANY(...)`` and for the zero-sum check's postings of one transfer, and the session kept
    it as the ledger grew (with no statistics at all, the balance UPDATE scanned all 1,003 accounts
    of the bench world: 110 µs per payment). Seen failing without payments 0019."""
    a = wallet_fund(alice, "10.00")
    b = wallet_get_or_create(customer=bob, currency="CNY")
    tables = ("payments_ledgeraccount", "payments_posting")
    for table in tables:
        owner_db().execute(f"ANALYZE {table}")
    with transaction.atomic():
        before = _seq_scans(tables)
        for _ in range(2):
            transfer_post(kind="P2P", legs=[Leg(a, Money(-1_00, "CNY")), Leg(b, Money(1_00, "CNY"))])
        with connection.cursor() as cursor:  # the zero-sum check, deferred to COMMIT, runs now
            cursor.execute("SET CONSTRAINTS payments_transfer_balanced, payments_posting_balanced IMMEDIATE")
        after = _seq_scans(tables)

    assert {t: after.get(t, 0) - before.get(t, 0) for t in tables} == dict.fromkeys(tables, 0)


@pytest.mark.parametrize(
    ("table", "unique_index"),
    [
        ("payments_idempotencyrecord", "idempotency_key_per_customer"),
        ("risk_knownpayee", "risk_known_payee_unique"),
        ("accounts_device", "device_unique_per_customer"),
    ],
)
def test_the_customer_is_found_through_the_unique_index_only(table: str, unique_index: str) -> None:
    """payments 0020, risk 0008, accounts 0010: with a second index on ``customer_id`` alone, a plan
    made while the table looked empty picked it and filtered every kept row of the customer (the
    Idempotency-Key look-up read all of a customer's keys, found by the review of stop 24). The
    unique (customer, …) index leads with the customer and serves both look-ups."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, array_agg(a.attname ORDER BY k.n) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid"
            " CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)"
            " JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum"
            " WHERE x.indrelid = %s::regclass GROUP BY i.relname",
            [table],
        )
        indexes = dict(cursor.fetchall())

    assert indexes[unique_index][0] == "customer_id"
    assert [name for name, columns in indexes.items() if columns == ["customer_id"]] == []
