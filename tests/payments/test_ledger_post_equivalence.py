"""``payments_ledger_post`` (payments 0018) answers and moves money exactly as 0009's body did, on
1,500 random transfers: 2-4 legs, the same account twice, an account that does not exist, random
statuses on every account, P2P / REVERSAL / ADJUSTMENT, ordinary wallets, an account allowed to go
negative and hot accounts with unfolded deltas (a merchant, a campaign budget, settlement).

0009's body is installed beside the new one under another name (as the owner, for this test only)
and both run on the same state, each rolled back: the answer (refusal, error raised, balances
after), every account's posted balance plus its deltas, and the number of postings must match,
and when the transfer succeeds the raw posted and delta values too. (From the fresh-context review
of 0018, which found 0 mismatches in 513 closed, 376 insufficient funds, 237 frozen, 364 successful
and 10 raised cases.)
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from importlib import import_module
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.ledger import Leg, transfer_post
from tests.conftest import owner_db
from tests.payments.factories import ledger_account_kinds

pytestmark = pytest.mark.django_db

OLD = "test_ledger_post_0009"
CNY = "CNY"


@pytest.fixture
def old_function() -> Iterator[None]:
    body = import_module("payments.migrations.0018_ledger_post_locks_by_primary_key")._previous()
    body = body.replace("FUNCTION payments_ledger_post(", f"FUNCTION {OLD}(", 1)
    assert OLD in body and "SECURITY DEFINER" in body
    with owner_db().cursor() as cursor:
        cursor.execute(body)
        cursor.execute(f"GRANT EXECUTE ON FUNCTION {OLD} TO PUBLIC")
    yield
    with owner_db().cursor() as cursor:
        cursor.execute(f"DROP FUNCTION {OLD}")


Outcome = tuple[dict[str, Any], dict[int, tuple[int, int]], dict[int, int], int]


def _call(cursor: Any, function: str, kind: str, accounts: list[int], amounts: list[int]) -> Outcome:
    """Run ``function`` on the current state and roll it back: (answer, {id: (posted, deltas)},
    {id: posted + deltas}, postings)."""
    n = len(accounts)
    cursor.execute("SAVEPOINT call")
    try:
        cursor.execute(
            f"SELECT {function}(%s, %s, '', '', '{{}}'::jsonb, NULL, '', NULL, %s, %s, %s, %s, %s, %s)",
            [kind, uuid.uuid4(), timezone.now(), "x" * 64, accounts, amounts, [CNY] * n, [None] * n],
        )
        result = cursor.fetchone()[0]
        if isinstance(result, str):
            result = json.loads(result)
        if "error" not in result:
            result = {"balances_after": result["balances_after"]}
    except Exception as exc:  # the same error must be raised by both  # noqa: BLE001
        cursor.execute("ROLLBACK TO SAVEPOINT call")
        result = {"raised": type(exc).__name__, "message": str(exc).splitlines()[0]}
    cursor.execute(
        "SELECT a.id, a.posted_minor, COALESCE((SELECT sum(d.amount_minor) FROM payments_hotaccountdelta d"
        " WHERE d.account_id = a.id), 0) FROM payments_ledgeraccount a ORDER BY a.id"
    )
    state = {row[0]: (row[1], row[2]) for row in cursor.fetchall()}
    cursor.execute("SELECT count(*) FROM payments_posting")
    postings = cursor.fetchone()[0]
    cursor.execute("ROLLBACK TO SAVEPOINT call")
    return result, state, {pk: posted + deltas for pk, (posted, deltas) in state.items()}, postings


def test_0018_answers_and_moves_money_like_0009(old_function: None, alice: Customer, bob: Customer) -> None:
    accounts = ledger_account_kinds(alice, bob, tag="equivalence", funds=("100.00", "5.00"), budget=50_00)
    a, merchant = accounts[0], accounts[2]
    with transaction.atomic():  # an unfolded delta on the merchant too
        transfer_post(kind="MERCHANT_PAYMENT", legs=[Leg(a, Money(-30_00, CNY)), Leg(merchant, Money(30_00, CNY))])
    ids = [account.pk for account in accounts]
    missing = max(ids) + 1000
    rng = random.Random(18)
    mismatches: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    with connection.cursor() as cursor:
        for _ in range(1500):
            statuses = {pk: rng.choices(["ACTIVE", "FROZEN", "CLOSED"], weights=[6, 2, 2])[0] for pk in ids}
            kind = rng.choice(["P2P", "P2P", "REVERSAL", "ADJUSTMENT"])
            pool = ids + ([missing] if rng.random() < 0.05 else [])
            legs = rng.randint(2, 4)
            accounts = [rng.choice(pool) for _ in range(legs)]
            amounts = [rng.choice([-1, 1]) * rng.randint(1, 120_00) for _ in range(legs - 1)]
            if sum(amounts) == 0:
                continue
            amounts.append(-sum(amounts))
            cursor.execute("SAVEPOINT each_case")
            for pk, status in statuses.items():
                cursor.execute("UPDATE payments_ledgeraccount SET status = %s WHERE id = %s", [status, pk])
            old = _call(cursor, OLD, kind, accounts, amounts)
            new = _call(cursor, "payments_ledger_post", kind, accounts, amounts)
            cursor.execute("ROLLBACK TO SAVEPOINT each_case")
            seen.add(old[0].get("error") or old[0].get("raised") or "ok")
            same = old[0] == new[0] and old[2] == new[2] and old[3] == new[3]
            if "error" not in old[0] and "raised" not in old[0]:
                same = same and old[1] == new[1]
            if not same:
                mismatches.append((kind, statuses, accounts, amounts, old[0], new[0]))

    assert not mismatches, mismatches[:5]
    assert {"ok", "insufficient_funds", "account_frozen", "account_closed"} <= seen  # every answer was compared
