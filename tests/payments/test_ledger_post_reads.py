"""``payments_ledger_post`` (payments 0018) finds the accounts it moves by primary key, locks only
those it must, and answers refusals in 0009's order: the unlocked (hot, credited) accounts' first.

The scan test counts the current transaction's scans of ``payments_ledgeraccount``
(``pg_stat_xact_user_tables``): 0009's join of the legs with the table ran, as the generic plan the
money step keeps per session, as a sequential scan of every account (seen failing against 0009's
body: one sequential scan per transfer).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from accounts.models import Customer
from core.money import Money
from payments.errors import AccountClosed, AccountFrozen, InsufficientFunds
from payments.ledger import Leg, account_balance, account_open, transfer_post, wallet_get_or_create
from payments.models import LedgerAccount
from tests.conftest import owner_db
from tests.payments.factories import ledger_snapshot, wallet_fund

pytestmark = pytest.mark.django_db

CNY = "CNY"


def cny(minor: int) -> Money:
    return Money(minor, CNY)


def _merchant(name: str) -> LedgerAccount:
    return account_open(kind="MERCHANT", currency=CNY, code=f"merchant:{name}:CNY", name=name, is_hot=True)


def _account_scans() -> tuple[int, int]:  # read inside the transaction being measured
    """(sequential, index) scans of ``payments_ledgeraccount`` in the current transaction so far."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq_scan, COALESCE(idx_scan, 0) FROM pg_stat_xact_user_tables WHERE relname = 'payments_ledgeraccount'"
        )
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, 0)


def _many_accounts(count: int) -> None:
    """Enough rows (and fresh statistics) that the planner's choice is the one a real ledger gets."""
    LedgerAccount.objects.bulk_create(
        LedgerAccount(
            code=f"filler:{i}:CNY", kind="SUSPENSE", currency=CNY, name="", allow_negative=False, is_hot=False
        )
        for i in range(count)
    )
    # As the owner: PostgreSQL skips the application role's ANALYZE of a table it does not own (a
    # warning, statistics unchanged), and then nothing re-plans the generic plans this session made
    # while the table was small (autovacuum's ANALYZE would in production). The owner's does.
    owner_db().execute("ANALYZE payments_ledgeraccount")  # committed rows (a transactional test)


@pytest.mark.django_db(transaction=True)
def test_a_transfer_reads_the_accounts_by_primary_key_not_by_scanning_them(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency=CNY)
    _many_accounts(2_000)
    merchant = _merchant("scan")
    with transaction.atomic():  # one transaction: behind PgBouncer the next one may be another server session
        for _ in range(2):  # the second runs the plan the session keeps
            before = _account_scans()
            transfer_post(kind="P2P", legs=[Leg(a, cny(-1_00)), Leg(b, cny(1_00))])
            transfer_post(kind="MERCHANT_PAYMENT", legs=[Leg(a, cny(-1_00)), Leg(merchant, cny(1_00))])
            after = _account_scans()
            assert after[0] == before[0], "payments_ledger_post scanned the whole ledger account table"
            assert after[1] > before[1]

    assert account_balance(a).posted == cny(96_00)
    assert account_balance(merchant).posted == cny(2_00)


@pytest.mark.django_db(transaction=True)
def test_a_hot_account_credited_is_not_locked(alice: Customer, bob: Customer) -> None:
    """A payment to a hot merchant does not wait for another transaction holding the merchant's row."""
    a = wallet_fund(alice, "10.00")
    merchant = _merchant("busy")
    holding, release = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                LedgerAccount.objects.select_for_update(no_key=True).get(pk=merchant.pk)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert holding.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        with transaction.atomic():
            transfer_post(kind="MERCHANT_PAYMENT", legs=[Leg(a, cny(-2_00)), Leg(merchant, cny(2_00))])
    finally:
        release.set()
        holder.join()

    assert account_balance(merchant).posted == cny(2_00)


def test_an_unlocked_accounts_refusal_is_answered_before_a_locked_one(alice: Customer) -> None:
    """0009's order: a frozen hot account credited is refused before the payer's insufficient funds."""
    a = wallet_fund(alice, "1.00")
    merchant = _merchant("frozen")
    LedgerAccount.objects.filter(pk=merchant.pk).update(status="FROZEN")
    before = ledger_snapshot()

    with pytest.raises(AccountFrozen), transaction.atomic():
        transfer_post(kind="MERCHANT_PAYMENT", legs=[Leg(a, cny(-5_00)), Leg(merchant, cny(5_00))])

    LedgerAccount.objects.filter(pk=merchant.pk).update(status="ACTIVE")
    with pytest.raises(InsufficientFunds), transaction.atomic():
        transfer_post(kind="MERCHANT_PAYMENT", legs=[Leg(a, cny(-5_00)), Leg(merchant, cny(5_00))])
    assert ledger_snapshot() == before


@pytest.mark.parametrize("closed_first", [True, False])
def test_the_first_locked_refusal_in_id_order_is_the_answer(alice: Customer, bob: Customer, closed_first: bool) -> None:
    """Both wallets locked, two refusals: bob's wallet closed, alice short of funds. The answer is the
    refusal of the lower account id, as 0009 (which returned at the first) answered."""
    if closed_first:
        b = wallet_get_or_create(customer=bob, currency=CNY)
        a = wallet_fund(alice, "1.00")
    else:
        a = wallet_fund(alice, "1.00")
        b = wallet_get_or_create(customer=bob, currency=CNY)
    assert (b.pk < a.pk) == closed_first
    LedgerAccount.objects.filter(pk=b.pk).update(status="CLOSED")
    before = ledger_snapshot()

    with pytest.raises(AccountClosed if closed_first else InsufficientFunds), transaction.atomic():
        transfer_post(kind="P2P", legs=[Leg(a, cny(-5_00)), Leg(b, cny(5_00))])
    assert ledger_snapshot() == before
