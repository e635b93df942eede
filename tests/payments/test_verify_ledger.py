"""manage.py verify_ledger: passes on a healthy ledger, exits non-zero on every kind of tampering."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.ledger import Leg, account_open, hold_authorize, transfer_post, wallet_get_or_create
from payments.ledger.seal import ledger_seal_run, seal_hash
from payments.ledger.verify import ledger_verify
from payments.models import LedgerAccount, LedgerSeal, Transfer
from tests.conftest import owner_triggers_disabled
from tests.payments.factories import wallet_fund

pytestmark = pytest.mark.django_db


def _busy_ledger(alice: Customer, bob: Customer) -> Transfer:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency="CNY")
    merchant = account_open(kind="MERCHANT", currency="CNY", code="merchant:v:CNY", is_hot=True)
    with transaction.atomic():
        p2p = transfer_post(
            kind="P2P",
            legs=[Leg(a, Money(-10_00, "CNY")), Leg(b, Money(10_00, "CNY"))],
            metadata={"note": "中文", "n": 1},
            initiated_by=alice,
        )
        transfer_post(kind="MERCHANT_PAYMENT", legs=[Leg(b, Money(-4_00, "CNY")), Leg(merchant, Money(4_00, "CNY"))])
        hold_authorize(account=a, amount=Money(5_00, "CNY"), kind="PREAUTH", expires_at=timezone.now() + timedelta(1))
    return p2p


def _tamper(sql: str, params: list[object], table: str) -> None:
    """What an attacker with the owner's rights would do: switch the append-only trigger off, edit,
    switch it on (the application role may do none of it). Needs committed rows: transactional tests."""
    with owner_triggers_disabled(table) as cursor:
        cursor.execute(sql, params)


def test_healthy_ledger_passes_and_prints_a_summary(alice: Customer, bob: Customer) -> None:
    _busy_ledger(alice, bob)
    out = StringIO()

    call_command("verify_ledger", stdout=out)

    text = out.getvalue()
    assert "OK: no drift" in text
    assert "transfers=3" in text and "postings=6" in text and "active_holds=1" in text
    assert "CNY=0" in text
    assert LedgerSeal.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_changed_posting_amount_is_detected(alice: Customer, bob: Customer) -> None:
    p2p = _busy_ledger(alice, bob)
    _tamper(
        "UPDATE payments_posting SET amount_minor = amount_minor * 2 WHERE transfer_id = %s AND amount_minor > 0",
        [p2p.pk],
        "payments_posting",
    )
    out = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("verify_ledger", stdout=out)

    assert error.value.returncode == 1
    text = out.getvalue()
    assert "does not balance" in text
    assert "content hash does not match" in text
    assert "postings sum to" in text


@pytest.mark.django_db(transaction=True)
def test_edited_memo_breaks_the_content_hash(alice: Customer, bob: Customer) -> None:
    p2p = _busy_ledger(alice, bob)
    ledger_seal_run()
    _tamper("UPDATE payments_transfer SET memo = 'innocent' WHERE id = %s", [p2p.pk], "payments_transfer")

    report = ledger_verify()

    assert not report.ok
    assert any("content hash" in d for d in report.drifts)


@pytest.mark.django_db(transaction=True)
def test_rewritten_transfer_with_recomputed_hash_still_breaks_the_seal_chain(alice: Customer, bob: Customer) -> None:
    p2p = _busy_ledger(alice, bob)
    ledger_seal_run()
    _tamper("UPDATE payments_transfer SET content_hash = %s WHERE id = %s", ["f" * 64, p2p.pk], "payments_transfer")

    report = ledger_verify()

    assert any("seal" in d and "hash does not recompute" in d for d in report.drifts)


@pytest.mark.django_db(transaction=True)
def test_deleted_seal_breaks_the_chain(alice: Customer, bob: Customer) -> None:
    _busy_ledger(alice, bob)
    ledger_seal_run()
    _tamper("DELETE FROM payments_ledgerseal WHERE seq = 2", [], "payments_ledgerseal")

    report = ledger_verify()

    assert any("expected seq 2" in d for d in report.drifts)


@pytest.mark.django_db(transaction=True)
def test_balance_drift_on_the_account_row_is_detected(alice: Customer, bob: Customer) -> None:
    _busy_ledger(alice, bob)
    _tamper(
        "UPDATE payments_ledgeraccount SET posted_minor = 100000 WHERE customer_id = %s",
        [bob.pk],
        "payments_ledgeraccount",
    )

    report = ledger_verify()

    assert any("postings sum to 600, balance says 100000" in d for d in report.drifts)


def test_pending_that_does_not_match_holds_is_detected(alice: Customer, bob: Customer) -> None:
    _busy_ledger(alice, bob)
    LedgerAccount.objects.filter(customer=alice).update(pending_debit_minor=0)

    assert any("active holds total 500" in d for d in ledger_verify().drifts)


def test_seal_chain_links_every_transfer_in_order(alice: Customer, bob: Customer) -> None:
    _busy_ledger(alice, bob)

    assert ledger_seal_run() == 3
    assert ledger_seal_run() == 0

    seals = list(LedgerSeal.objects.select_related("transfer").order_by("seq"))
    assert [s.seq for s in seals] == [1, 2, 3]
    assert seals[0].prev_hash == "0" * 64
    for previous, seal in pairwise(seals):
        assert seal.prev_hash == previous.hash
        assert seal.hash == seal_hash(previous.hash, seal.transfer.content_hash)


def _as_app_role() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "tongbao_app"


@pytest.mark.django_db(transaction=True)
def test_an_update_of_posted_minor_is_refused_to_the_app_role_and_reported_as_drift(
    alice: Customer, bob: Customer
) -> None:
    """Review: the app role may not UPDATE posted_minor (payments 0010); the owner could, and
    verify_ledger reports it."""
    _busy_ledger(alice, bob)
    wallet = wallet_get_or_create(customer=bob, currency="CNY")
    _as_app_role()
    sql = "UPDATE payments_ledgeraccount SET posted_minor = posted_minor + 100000000 WHERE id = %s"
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [wallet.pk])
    _tamper(sql, [wallet.pk], "payments_ledgeraccount")

    report = ledger_verify()

    assert any(f"{wallet.code}" in d and "postings sum to 600, balance says 100000600" in d for d in report.drifts), (
        report.drifts
    )


@pytest.mark.django_db(transaction=True)
def test_postings_appended_to_a_committed_transfer_are_refused_to_the_app_role_and_reported_as_drift(
    alice: Customer, bob: Customer
) -> None:
    """Review: the app role may not INSERT postings (payments 0010: only the kernel's functions
    write them); the owner could append a balanced pair to an old transfer, and verify_ledger
    reports it."""
    p2p = _busy_ledger(alice, bob)
    a = wallet_get_or_create(customer=alice, currency="CNY")
    b = wallet_get_or_create(customer=bob, currency="CNY")
    _as_app_role()
    sql = (
        "INSERT INTO payments_posting (transfer_id, account_id, amount_minor, currency, created_at) "
        "VALUES (%s, %s, -100000, 'CNY', now()), (%s, %s, 100000, 'CNY', now())"
    )
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [p2p.pk, a.pk, p2p.pk, b.pk])
    with owner_triggers_disabled("payments_posting") as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys' checks now, before the triggers return
        cursor.execute(sql, [p2p.pk, a.pk, p2p.pk, b.pk])

    report = ledger_verify()

    assert not report.ok
    assert any("content hash" in d for d in report.drifts), report.drifts
    assert any("balance says" in d for d in report.drifts), report.drifts
