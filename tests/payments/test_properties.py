"""Property-based (Hypothesis stateful) proof of the ledger invariants.

Random sequences of top-ups, P2P transfers, merchant payments (hot account), holds
(authorize / capture / void), reversals and hot-account roll-ups. After every step:
all postings sum to zero per currency; every wallet's posted and pending equal the model's and
its available balance is >= 0; every account's balance equals the sum of its postings; money is
conserved (customers + merchant == what was topped up). Every refused step changed nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from core.money import Money
from payments.errors import AlreadyReversed, HoldNotActive, InsufficientFunds
from payments.ledger import (
    Leg,
    account_balance,
    account_open,
    hold_authorize,
    hold_capture,
    hold_void,
    system_account,
    transfer_post,
    transfer_reverse,
    wallet_get_or_create,
)
from payments.models import Hold, LedgerAccount, Posting, Transfer
from payments.services.maintenance import hot_accounts_rollup_run
from payments.services.transfers import transfer_p2p_create
from tests.factories import CustomerFactory

N_CUSTOMERS = 3
amounts = st.integers(min_value=1, max_value=50_00)
who = st.integers(min_value=0, max_value=N_CUSTOMERS - 1)


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.customers = [CustomerFactory() for _ in range(N_CUSTOMERS)]
        self.wallets = [wallet_get_or_create(customer=c, currency="CNY") for c in self.customers]
        self.settlement = system_account("SETTLEMENT", "CNY")
        self.merchant = account_open(kind="MERCHANT", currency="CNY", code="merchant:prop:CNY", is_hot=True)
        self.posted = [0] * N_CUSTOMERS
        self.pending = [0] * N_CUSTOMERS
        self.merchant_posted = 0
        self.topped_up = 0
        self.holds: list[tuple[Hold, int, int]] = []  # (hold, owner index, amount) still active
        self.p2p: list[tuple[Transfer, int, int, int]] = []  # (transfer, from, to, amount) not reversed

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)

    def available(self, i: int) -> int:
        return self.posted[i] - self.pending[i]

    @rule(i=who, amount=amounts)
    def top_up(self, i: int, amount: int) -> None:
        with transaction.atomic():
            transfer_post(kind="TOPUP", legs=[Leg(self.settlement, cny(-amount)), Leg(self.wallets[i], cny(amount))])
        self.posted[i] += amount
        self.topped_up += amount

    @rule(i=who, j=who, amount=amounts)
    def p2p_transfer(self, i: int, j: int, amount: int) -> None:
        if i == j:
            return
        try:
            with transaction.atomic():
                transfer = transfer_p2p_create(
                    sender=self.customers[i], recipient=self.customers[j], amount=cny(amount)
                )
        except InsufficientFunds:
            assert self.available(i) < amount
            return
        assert self.available(i) >= amount
        self.posted[i] -= amount
        self.posted[j] += amount
        self.p2p.append((transfer, i, j, amount))

    @rule(i=who, amount=amounts)
    def pay_merchant(self, i: int, amount: int) -> None:
        try:
            with transaction.atomic():
                transfer_post(
                    kind="MERCHANT_PAYMENT", legs=[Leg(self.wallets[i], cny(-amount)), Leg(self.merchant, cny(amount))]
                )
        except InsufficientFunds:
            assert self.available(i) < amount
            return
        self.posted[i] -= amount
        self.merchant_posted += amount

    @rule(i=who, amount=amounts)
    def authorize(self, i: int, amount: int) -> None:
        try:
            with transaction.atomic():
                hold = hold_authorize(
                    account=self.wallets[i],
                    amount=cny(amount),
                    kind="PREAUTH",
                    expires_at=timezone.now() + timedelta(hours=1),
                )
        except InsufficientFunds:
            assert self.available(i) < amount
            return
        self.pending[i] += amount
        self.holds.append((hold, i, amount))

    @precondition(lambda self: self.holds)
    @rule(index=st.integers(min_value=0), fraction=st.sampled_from([1, 2, 3]))
    def capture(self, index: int, fraction: int) -> None:
        hold, i, amount = self.holds.pop(index % len(self.holds))
        captured = max(1, amount // fraction)
        with transaction.atomic():
            hold_capture(hold=hold, to_account=self.merchant, amount=cny(captured))
        self.pending[i] -= amount
        self.posted[i] -= captured
        self.merchant_posted += captured
        with pytest.raises(HoldNotActive), transaction.atomic():
            hold_capture(hold=hold, to_account=self.merchant)

    @precondition(lambda self: self.holds)
    @rule(index=st.integers(min_value=0))
    def void(self, index: int) -> None:
        hold, i, amount = self.holds.pop(index % len(self.holds))
        with transaction.atomic():
            hold_void(hold=hold)
        self.pending[i] -= amount
        with pytest.raises(HoldNotActive), transaction.atomic():
            hold_void(hold=hold)

    @precondition(lambda self: self.p2p)
    @rule(index=st.integers(min_value=0))
    def reverse(self, index: int) -> None:
        transfer, i, j, amount = self.p2p[index % len(self.p2p)]
        try:
            with transaction.atomic():
                transfer_reverse(transfer=transfer, reason_code="PROPERTY_TEST")
        except InsufficientFunds:
            assert self.available(j) < amount
            return
        self.p2p.remove((transfer, i, j, amount))
        self.posted[i] += amount
        self.posted[j] -= amount
        with pytest.raises(AlreadyReversed), transaction.atomic():
            transfer_reverse(transfer=transfer, reason_code="AGAIN")

    @rule()
    def roll_up(self) -> None:
        hot_accounts_rollup_run()

    @invariant()
    def postings_sum_to_zero(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT currency, SUM(amount_minor) FROM payments_posting GROUP BY currency")
            assert all(total == 0 for _, total in cursor.fetchall())

    @invariant()
    def balances_match_model_and_postings(self) -> None:
        for i, wallet in enumerate(self.wallets):
            balance = account_balance(wallet)
            assert balance.posted.minor == self.posted[i]
            assert balance.pending.minor == self.pending[i]
            assert balance.available.minor >= 0
            assert (Posting.objects.filter(account=wallet).aggregate(s=Sum("amount_minor"))["s"] or 0) == self.posted[i]
        merchant_postings = Posting.objects.filter(account=self.merchant).aggregate(s=Sum("amount_minor"))["s"] or 0
        assert account_balance(self.merchant).posted.minor == merchant_postings == self.merchant_posted

    @invariant()
    def money_is_conserved(self) -> None:
        customers_total = LedgerAccount.objects.filter(pk__in=[w.pk for w in self.wallets]).aggregate(
            s=Sum("posted_minor")
        )["s"]
        assert customers_total + self.merchant_posted == self.topped_up
        assert -account_balance(self.settlement).posted.minor >= self.topped_up


@pytest.mark.django_db
def test_ledger_invariants_hold_under_random_operations() -> None:
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
