"""The database itself enforces the ledger: append-only, zero-sum at COMMIT, currency, no overdraft."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.ledger import Leg, transfer_post, wallet_get_or_create
from payments.models import LedgerAccount, Posting, Transfer
from tests.conftest import owner_db
from tests.payments.factories import wallet_fund


def _p2p(alice: Customer, bob: Customer) -> Transfer:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency="CNY")
    with transaction.atomic():
        return transfer_post(kind="P2P", legs=[Leg(a, Money(-10_00, "CNY")), Leg(b, Money(10_00, "CNY"))])


# The application role is refused by its privileges; the owner by the triggers (tests/core/test_db_roles.py).
REFUSED = "permission denied|append-only"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE payments_posting SET amount_minor = amount_minor * 2 WHERE transfer_id = %s",
        "DELETE FROM payments_posting WHERE transfer_id = %s",
        "UPDATE payments_transfer SET memo = 'changed' WHERE id = %s",
        "DELETE FROM payments_transfer WHERE id = %s",
    ],
)
def test_raw_sql_update_or_delete_is_refused(alice: Customer, bob: Customer, statement: str) -> None:
    transfer = _p2p(alice, bob)

    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [transfer.pk])

    assert sorted(Posting.objects.filter(transfer=transfer).values_list("amount_minor", flat=True)) == [-10_00, 10_00]


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["payments_posting", "payments_transfer", "payments_ledgerseal"])
def test_truncate_is_refused(table: str) -> None:
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} CASCADE")


@pytest.mark.django_db
def test_orm_update_is_refused_too(alice: Customer, bob: Customer) -> None:
    transfer = _p2p(alice, bob)

    with pytest.raises(DatabaseError), transaction.atomic():
        Posting.objects.filter(transfer=transfer).update(amount_minor=1)


@contextlib.contextmanager
def _owner_cursor() -> Iterator[psycopg.Cursor[Any]]:
    """Raw SQL as the schema OWNER, in one transaction: since payments 0010 the application role
    may not insert transfers or postings at all (``test_app_role_cannot_write_a_raw_transfer``), so
    the triggers are proved against the one role that could."""
    db = owner_db()
    with db.transaction(), db.cursor() as cursor:
        yield cursor


@pytest.mark.django_db
def test_app_role_cannot_write_a_raw_transfer(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency="CNY")

    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic(), connection.cursor() as cursor:
        _raw_transfer(cursor, [(a.pk, -5_00, "CNY"), (b.pk, 5_00, "CNY")])


def _raw_transfer(cursor, postings: list[tuple[int, int, str]]) -> int:  # type: ignore[no-untyped-def]
    now = timezone.now()
    cursor.execute(
        "INSERT INTO payments_transfer (public_id, kind, reference, memo, metadata, reason_code, created_at, content_hash)"
        " VALUES (%s, 'ADJUSTMENT', '', '', '{}', '', %s, '') RETURNING id",
        [uuid.uuid4(), now],
    )
    tid = cursor.fetchone()[0]
    for account_id, amount, currency in postings:
        cursor.execute(
            "INSERT INTO payments_posting (transfer_id, account_id, amount_minor, currency, created_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            [tid, account_id, amount, currency, now],
        )
    return tid


@pytest.mark.django_db(transaction=True)
def test_unbalanced_transfer_written_by_raw_sql_fails_at_commit(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency="CNY")
    transfers_before = Transfer.objects.count()

    inside: list[int] = []

    with pytest.raises(psycopg.Error, match="do not sum to zero"), _owner_cursor() as cursor:
        tid = _raw_transfer(cursor, [(a.pk, -5_00, "CNY"), (b.pk, 4_00, "CNY")])
        # Inside the transaction the rows exist; only COMMIT runs the deferred check.
        cursor.execute("SELECT COUNT(*) FROM payments_posting WHERE transfer_id = %s", [tid])
        inside.append(cursor.fetchone()[0])

    assert inside == [2]

    assert Transfer.objects.count() == transfers_before


@pytest.mark.django_db(transaction=True)
def test_transfer_with_a_single_posting_or_none_is_refused_by_the_deferred_check(alice: Customer) -> None:
    a = wallet_fund(alice, "100.00")

    # SET CONSTRAINTS ALL IMMEDIATE runs the deferred checks now, as COMMIT would.
    for postings in ([(a.pk, 1, "CNY")], []):
        with pytest.raises(psycopg.Error, match="at least 2"), _owner_cursor() as cursor:
            _raw_transfer(cursor, postings)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.django_db(transaction=True)
def test_balanced_raw_transfer_passes_the_deferred_check(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency="CNY")

    with _owner_cursor() as cursor:
        tid = _raw_transfer(cursor, [(a.pk, -5_00, "CNY"), (b.pk, 5_00, "CNY")])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    assert Posting.objects.filter(transfer_id=tid).count() == 2


@pytest.mark.django_db(transaction=True)
def test_posting_in_another_currency_than_its_account_is_refused(alice: Customer) -> None:
    a = wallet_fund(alice, "100.00")

    with pytest.raises(psycopg.Error, match="currency"), _owner_cursor() as cursor:
        _raw_transfer(cursor, [(a.pk, -5_00, "USD"), (a.pk, 5_00, "USD")])


@pytest.mark.django_db(transaction=True)
def test_wallet_row_cannot_go_below_zero_available(alice: Customer) -> None:
    a = wallet_fund(alice, "10.00")

    # posted_minor: the app role may not update it at all (0010); the owner is held by the CHECK.
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        LedgerAccount.objects.filter(pk=a.pk).update(posted_minor=-1)
    with pytest.raises(psycopg.Error, match="ledger_account_available_non_negative"), _owner_cursor() as cursor:
        cursor.execute("UPDATE payments_ledgeraccount SET posted_minor = -1 WHERE id = %s", [a.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerAccount.objects.filter(pk=a.pk).update(pending_debit_minor=10_01)
