"""Real threads on real PostgreSQL: no overdraft, no lost hot credit, holds and budgets hold, one key = one transfer."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Customer
from core.errors import DomainError
from core.money import Money
from payments.ledger import (
    Leg,
    account_balance,
    account_open,
    hold_authorize,
    system_account,
    transfer_post,
    wallet_get_or_create,
)
from payments.ledger.verify import ledger_verify
from payments.models import HotAccountDelta, LedgerAccount, Posting, Transfer
from payments.services.maintenance import hot_accounts_rollup_run
from payments.services.transfers import transfer_p2p_create
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.factories import customer_client, wallet_fund

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def run_threads(n: int, work: Callable[[int], str]) -> Counter[str]:
    """Start ``n`` threads at the same instant (barrier); each returns an outcome label."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def target(i: int) -> None:
        try:
            barrier.wait(10)
            result = work(i)
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # noqa: BLE001 - surfaced in the assertion below
            result = f"unexpected: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return Counter(outcomes)


def test_concurrent_spending_never_overdraws_a_wallet(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    recipients = [CustomerFactory() for _ in range(THREADS)]

    def spend(i: int) -> str:
        with transaction.atomic(durable=True):
            transfer_p2p_create(sender=alice, recipient=recipients[i], amount=Money(30_00, "CNY"))
        return "ok"

    outcomes = run_threads(THREADS, spend)

    assert outcomes == Counter({"ok": 3, "insufficient_funds": THREADS - 3})
    wallet = LedgerAccount.objects.get(customer=alice, currency="CNY")
    assert wallet.posted_minor == 10_00
    assert list(
        Posting.objects.filter(account=wallet).order_by("id").values_list("balance_after_minor", flat=True)
    ) == [
        100_00,
        70_00,
        40_00,
        10_00,
    ]
    assert ledger_verify().ok


def test_concurrent_credits_to_a_hot_account_lose_nothing(alice: Customer) -> None:
    merchant = account_open(kind="MERCHANT", currency="CNY", code="merchant:hot:CNY", is_hot=True)
    payers = [wallet_fund(CustomerFactory(), "1000.00") for _ in range(8)]
    per_thread = 25
    stop = threading.Event()

    def pay(i: int) -> str:
        for n in range(per_thread):
            with transaction.atomic(durable=True):
                transfer_post(
                    kind="MERCHANT_PAYMENT",
                    legs=[Leg(payers[i], Money(-(n + 1), "CNY")), Leg(merchant, Money(n + 1, "CNY"))],
                )
        return "ok"

    def roll_up_meanwhile() -> None:
        try:
            while not stop.is_set():
                hot_accounts_rollup_run()
        finally:
            connection.close()

    roller = threading.Thread(target=roll_up_meanwhile)
    roller.start()
    outcomes = run_threads(8, pay)
    stop.set()
    roller.join(30)

    expected = 8 * sum(range(1, per_thread + 1))
    assert outcomes == Counter({"ok": 8})
    assert account_balance(merchant).posted == Money(expected, "CNY")
    hot_accounts_rollup_run()
    merchant.refresh_from_db()
    assert merchant.posted_minor == expected
    assert not HotAccountDelta.objects.filter(account=merchant).exists()
    assert ledger_verify().ok


def test_concurrent_holds_count_against_available(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")

    def authorize(i: int) -> str:
        with transaction.atomic(durable=True):
            hold_authorize(
                account=wallet,
                amount=Money(30_00, "CNY"),
                kind="PREAUTH",
                expires_at=timezone.now() + timedelta(minutes=5),
            )
        return "ok"

    outcomes = run_threads(THREADS, authorize)

    assert outcomes == Counter({"ok": 3, "insufficient_funds": THREADS - 3})
    balance = account_balance(wallet)
    assert (balance.pending.minor, balance.available.minor) == (90_00, 10_00)


def test_a_campaign_budget_is_never_overspent(alice: Customer) -> None:
    budget = account_open(kind="CAMPAIGN_BUDGET", currency="CNY", code="budget:race:CNY", is_hot=True)
    settlement = system_account("SETTLEMENT", "CNY")
    with transaction.atomic():
        transfer_post(kind="FUNDING", legs=[Leg(settlement, Money(-100_00, "CNY")), Leg(budget, Money(100_00, "CNY"))])
    winners = [wallet_get_or_create(customer=CustomerFactory(), currency="CNY") for _ in range(THREADS)]

    def reward(i: int) -> str:
        with transaction.atomic(durable=True):
            transfer_post(kind="REWARD", legs=[Leg(budget, Money(-30_00, "CNY")), Leg(winners[i], Money(30_00, "CNY"))])
        return "ok"

    outcomes = run_threads(THREADS, reward)

    assert outcomes == Counter({"ok": 3, "insufficient_funds": THREADS - 3})
    assert account_balance(budget).posted == Money(10_00, "CNY")


def test_two_requests_racing_with_one_key_make_exactly_one_transfer(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    key = str(uuid.uuid4())
    body = {"to_phone": bob.phone, "amount": "10.00", "currency": "CNY", "pin": PAYMENT_PIN}
    clients = [customer_client(alice) for _ in range(2)]
    statuses: list[tuple[int, str | None]] = []

    def post(i: int) -> str:
        response = clients[i].post("/api/v1/transfers", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        statuses.append((response.status_code, response.get("Idempotent-Replayed")))
        return str(response.status_code)

    outcomes = run_threads(2, post)

    assert Transfer.objects.filter(kind="P2P").count() == 1
    assert LedgerAccount.objects.get(customer=alice).posted_minor == 90_00
    assert outcomes["201"] >= 1
    ordered = sorted(statuses, key=lambda s: (s[0], s[1] or ""))
    assert ordered[0] == (201, None)  # exactly one executed...
    assert ordered[1] in {(201, "true"), (409, None)}  # ...the other replayed it or was told to retry


def test_crossing_transfers_never_deadlock_and_conserve_money(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    wallet_fund(bob, "100.00")
    pairs = [(alice, bob), (bob, alice)]

    def ping_pong(i: int) -> str:
        sender, recipient = pairs[i % 2]
        for _ in range(10):
            with transaction.atomic(durable=True):
                transfer_p2p_create(sender=sender, recipient=recipient, amount=Money(1_00, "CNY"))
        return "ok"

    outcomes = run_threads(8, ping_pong)

    assert outcomes == Counter({"ok": 8})  # a deadlock would surface as an unexpected OperationalError
    balances = sorted(LedgerAccount.objects.filter(customer__in=[alice, bob]).values_list("posted_minor", flat=True))
    assert balances == [100_00, 100_00]
    assert ledger_verify().ok
