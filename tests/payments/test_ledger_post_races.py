"""Real threads against ``payments_ledger_post`` (payments 0018): no lost update, no double count, no
balance below zero, no deadlock, with freezes racing the transfers and hot-account folds racing
appends (4 writers x 120 random transfers of 2-4 legs, the same account twice included, on two
wallets, a hot merchant, a hot campaign budget, an account allowed negative and settlement).

After the run, for every account: posted balance plus its deltas equals the sum of its postings;
an ordinary account's ``balance_after`` chain is exact; no account that may not go negative ends a
transfer below zero. Seen failing (fresh-context review of 0018) with ``FOR NO KEY UPDATE`` taken
out of the function: lost updates on three accounts.

A transfer naming one account twice writes an intermediate ``balance_after`` per leg (the first
leg's may be below zero even though the transfer's is not, as with 0009), so the check is on each
transfer's last posting of the account.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from accounts.models import Customer
from core.money import Money
from payments.errors import AccountClosed, AccountFrozen, InsufficientFunds
from payments.ledger import Leg, transfer_post
from payments.models import LedgerAccount
from tests.payments.factories import ledger_account_kinds

CNY = "CNY"


def _check_ledger(ids: list[int]) -> list[str]:
    problems = []
    with connection.cursor() as cur:
        for pk in ids:
            cur.execute("SELECT posted_minor, allow_negative, is_hot FROM payments_ledgeraccount WHERE id=%s", [pk])
            posted, allow_neg, hot = cur.fetchone()
            cur.execute("SELECT COALESCE(sum(amount_minor),0) FROM payments_hotaccountdelta WHERE account_id=%s", [pk])
            deltas = cur.fetchone()[0]
            cur.execute("SELECT COALESCE(sum(amount_minor),0) FROM payments_posting WHERE account_id=%s", [pk])
            total = cur.fetchone()[0]
            if posted + deltas != total:
                problems.append(f"{pk}: posted {posted} + deltas {deltas} != postings {total}")
            if not allow_neg and posted + deltas < 0:
                problems.append(f"{pk}: negative {posted + deltas}")
            cur.execute(
                "SELECT amount_minor, balance_after_minor FROM payments_posting WHERE account_id=%s ORDER BY id", [pk]
            )
            rows = cur.fetchall()
            if not hot:
                run = 0
                for amount, after in rows:
                    run += amount
                    if after != run:
                        problems.append(f"{pk}: balance_after {after} != running {run}")
                        break
            cur.execute(
                "SELECT DISTINCT ON (transfer_id) transfer_id, balance_after_minor FROM payments_posting"
                " WHERE account_id=%s AND balance_after_minor IS NOT NULL ORDER BY transfer_id, id DESC",
                [pk],
            )
            for transfer_id, after in cur.fetchall():
                if not allow_neg and after < 0:
                    cur.execute(
                        "SELECT account_id, amount_minor, balance_after_minor FROM payments_posting WHERE transfer_id=%s ORDER BY id",
                        [transfer_id],
                    )
                    problems.append(f"{pk} hot={hot}: transfer {transfer_id} ends at {after}: {cur.fetchall()}")
    return problems


@pytest.mark.django_db(transaction=True)
def test_concurrent_transfers_freezes_and_folds_keep_the_ledger(alice: Customer, bob: Customer) -> None:
    accounts = ledger_account_kinds(alice, bob, tag="race18", funds=("200.00", "200.00"), budget=100_00)
    a, b, _, budget, _, _ = accounts
    stop = threading.Event()
    stats: dict[str, int] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def bump(key: str) -> None:
        with lock:
            stats[key] = stats.get(key, 0) + 1

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(120):
                n = rng.randint(2, 4)
                legs_acc = [rng.choice(accounts) for _ in range(n)]
                amounts = [rng.choice([-1, 1]) * rng.randint(1, 60_00) for _ in range(n - 1)]
                last = -sum(amounts)
                if last == 0:
                    continue
                amounts.append(last)
                kind = rng.choice(["P2P", "P2P", "ADJUSTMENT"])
                try:
                    with transaction.atomic():
                        transfer_post(
                            kind=kind, legs=[Leg(x, Money(m, CNY)) for x, m in zip(legs_acc, amounts, strict=True)]
                        )
                        if rng.random() < 0.3:
                            time.sleep(0.002)
                    bump("ok")
                except (InsufficientFunds, AccountFrozen, AccountClosed) as exc:
                    bump(type(exc).__name__)
                except OperationalError as exc:
                    bump("operational")
                    with lock:
                        errors.append(str(exc).splitlines()[0])
                except Exception as exc:  # noqa: BLE001
                    with lock:
                        errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        finally:
            connections.close_all()

    def freezer() -> None:
        rng = random.Random(99)
        try:
            while not stop.is_set():
                target = rng.choice([a, b, budget])
                with transaction.atomic():
                    LedgerAccount.objects.select_for_update().get(pk=target.pk)
                    LedgerAccount.objects.filter(pk=target.pk).update(status="FROZEN")
                    time.sleep(0.003)
                with transaction.atomic():
                    LedgerAccount.objects.select_for_update().get(pk=target.pk)
                    LedgerAccount.objects.filter(pk=target.pk).update(status="ACTIVE")
                time.sleep(0.005)
                bump("freezes")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(4)]
    fz = threading.Thread(target=freezer)
    fz.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    fz.join()
    problems = _check_ledger([x.pk for x in accounts])
    assert not errors, errors[:5]
    assert not problems, problems[:10]
    assert stats.get("ok", 0) > 50 and stats.get("freezes", 0) > 0, stats
