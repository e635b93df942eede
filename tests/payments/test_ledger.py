"""payments.ledger: transfers, balances, hot accounts, reversals (the contract the other modules use)."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import Customer
from core.money import Money
from payments.errors import (
    AccountClosed,
    AccountFrozen,
    AlreadyReversed,
    CurrencyMismatch,
    InsufficientFunds,
    TransferNotReversible,
    UnbalancedTransfer,
)
from payments.ledger import (
    Leg,
    account_balance,
    account_open,
    system_account,
    transfer_post,
    transfer_reverse,
    wallet_get_or_create,
)
from payments.models import HotAccountDelta, LedgerAccount, Posting, Transfer
from payments.services.maintenance import hot_accounts_rollup_run
from tests.payments.factories import ledger_snapshot, wallet_fund

pytestmark = pytest.mark.django_db

CNY = "CNY"


def cny(minor: int) -> Money:
    return Money(minor, CNY)


def _merchant(name: str = "m1") -> LedgerAccount:
    return account_open(kind="MERCHANT", currency=CNY, code=f"merchant:{name}:CNY", name="Coffee", is_hot=True)


def test_top_up_and_transfer_write_balance_after_from_the_locked_balance(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency=CNY)

    with transaction.atomic():
        transfer = transfer_post(kind="P2P", legs=[Leg(a, cny(-30_00)), Leg(b, cny(30_00))])

    postings = {p.account_id: p for p in transfer.postings.all()}
    assert postings[a.pk].balance_after_minor == 70_00
    assert postings[b.pk].balance_after_minor == 30_00
    assert postings[a.pk].counterparty_account_id == b.pk
    assert account_balance(a).available == cny(70_00)
    assert account_balance(b).posted == cny(30_00)
    assert len(transfer.content_hash) == 64


def test_unbalanced_legs_are_refused_and_nothing_changes(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency=CNY)
    before = ledger_snapshot()

    with pytest.raises(UnbalancedTransfer), transaction.atomic():
        transfer_post(kind="P2P", legs=[Leg(a, cny(-30_00)), Leg(b, cny(29_99))])
    with pytest.raises(UnbalancedTransfer), transaction.atomic():
        transfer_post(kind="P2P", legs=[Leg(a, cny(-30_00))])

    assert ledger_snapshot() == before


def test_leg_in_another_currency_than_its_account_is_refused(alice: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    usd = system_account("SETTLEMENT", "USD")

    with pytest.raises(CurrencyMismatch), transaction.atomic():
        transfer_post(kind="P2P", legs=[Leg(a, Money(-1_00, "USD")), Leg(usd, Money(1_00, "USD"))])


def test_insufficient_funds_changes_nothing(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "10.00")
    b = wallet_get_or_create(customer=bob, currency=CNY)
    before = ledger_snapshot()

    with pytest.raises(InsufficientFunds), transaction.atomic():
        transfer_post(kind="P2P", legs=[Leg(a, cny(-10_01)), Leg(b, cny(10_01))])

    assert ledger_snapshot() == before


def test_multi_currency_transfer_must_balance_per_currency(alice: Customer) -> None:
    cny_wallet = wallet_fund(alice, "100.00")
    usd_wallet = wallet_get_or_create(customer=alice, currency="USD")
    fx_cny = system_account("FX_POSITION", CNY)
    fx_usd = system_account("FX_POSITION", "USD")

    with transaction.atomic():
        transfer_post(
            kind="FX_CONVERSION",
            legs=[
                Leg(cny_wallet, cny(-72_00)),
                Leg(fx_cny, cny(72_00)),
                Leg(fx_usd, Money(-10_00, "USD")),
                Leg(usd_wallet, Money(10_00, "USD")),
            ],
        )

    assert account_balance(usd_wallet).posted == Money(10_00, "USD")
    assert account_balance(fx_usd).posted == Money(-10_00, "USD")  # bank side may go negative


def test_hot_account_credits_are_appended_without_touching_its_row(alice: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    merchant = _merchant()

    with transaction.atomic():
        transfer_post(kind="MERCHANT_PAYMENT", legs=[Leg(a, cny(-12_00)), Leg(merchant, cny(12_00))])
        transfer_post(kind="MERCHANT_PAYMENT", legs=[Leg(a, cny(-3_00)), Leg(merchant, cny(3_00))])

    merchant.refresh_from_db()
    assert merchant.posted_minor == 0  # the row was not updated
    assert Posting.objects.filter(account=merchant, balance_after_minor__isnull=True).count() == 2
    assert account_balance(merchant).posted == cny(15_00)
    assert hot_accounts_rollup_run() >= 1
    merchant.refresh_from_db()
    assert merchant.posted_minor == 15_00
    assert not HotAccountDelta.objects.filter(account=merchant).exists()
    assert account_balance(merchant).posted == cny(15_00)


def test_debit_from_a_hot_budget_folds_first_and_never_overspends(alice: Customer) -> None:
    settlement = system_account("SETTLEMENT", CNY)
    budget = account_open(kind="CAMPAIGN_BUDGET", currency=CNY, code="budget:spring:CNY", is_hot=True)
    wallet = wallet_get_or_create(customer=alice, currency=CNY)
    with transaction.atomic():
        transfer_post(kind="FUNDING", legs=[Leg(settlement, cny(-10_00)), Leg(budget, cny(10_00))])

    with transaction.atomic():
        transfer_post(kind="REWARD", legs=[Leg(budget, cny(-6_00)), Leg(wallet, cny(6_00))])
    before = ledger_snapshot()
    with pytest.raises(InsufficientFunds), transaction.atomic():
        transfer_post(kind="REWARD", legs=[Leg(budget, cny(-4_01)), Leg(wallet, cny(4_01))])

    assert ledger_snapshot() == before
    assert account_balance(budget).posted == cny(4_00)


def test_settlement_debits_are_appended_because_it_may_go_negative(alice: Customer) -> None:
    wallet_fund(alice, "5.00")

    settlement = system_account("SETTLEMENT", CNY)

    assert settlement.allow_negative and settlement.is_hot
    assert settlement.posted_minor == 0
    assert account_balance(settlement).posted == cny(-5_00)


def test_frozen_wallet_refuses_payments_but_accepts_a_reversal(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency=CNY)
    with transaction.atomic():
        transfer = transfer_post(kind="P2P", legs=[Leg(a, cny(-10_00)), Leg(b, cny(10_00))])
    LedgerAccount.objects.filter(pk=b.pk).update(status="FROZEN")
    b.refresh_from_db()

    with pytest.raises(AccountFrozen), transaction.atomic():
        transfer_post(kind="P2P", legs=[Leg(b, cny(-1_00)), Leg(a, cny(1_00))])
    with transaction.atomic():
        transfer_reverse(transfer=transfer, reason_code="FRAUD")

    assert account_balance(a).posted == cny(100_00)
    assert account_balance(b).posted == cny(0)


def test_closed_account_refuses_everything(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency=CNY)
    LedgerAccount.objects.filter(pk=b.pk).update(status="CLOSED")

    with pytest.raises(AccountClosed), transaction.atomic():
        transfer_post(kind="P2P", legs=[Leg(a, cny(-1_00)), Leg(b, cny(1_00))])


def test_reversal_is_the_exact_opposite_linked_with_its_reason(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency=CNY)
    with transaction.atomic():
        original = transfer_post(kind="P2P", legs=[Leg(a, cny(-25_00)), Leg(b, cny(25_00))])

    with transaction.atomic():
        reversal = transfer_reverse(transfer=original, reason_code="CUSTOMER_DISPUTE", memo="sent by mistake")

    assert reversal.kind == "REVERSAL" and reversal.reverses == original and reversal.reason_code == "CUSTOMER_DISPUTE"
    assert sorted(reversal.postings.values_list("account_id", "amount_minor")) == sorted(
        [(a.pk, 25_00), (b.pk, -25_00)]
    )
    assert account_balance(a).posted == cny(100_00)
    before = ledger_snapshot()
    with pytest.raises(AlreadyReversed), transaction.atomic():
        transfer_reverse(transfer=original, reason_code="AGAIN")
    with pytest.raises(TransferNotReversible), transaction.atomic():
        transfer_reverse(transfer=reversal, reason_code="UNDO")
    assert ledger_snapshot() == before


def test_reversal_needs_the_money_back(alice: Customer, bob: Customer) -> None:
    a = wallet_fund(alice, "100.00")
    b = wallet_get_or_create(customer=bob, currency=CNY)
    with transaction.atomic():
        original = transfer_post(kind="P2P", legs=[Leg(a, cny(-25_00)), Leg(b, cny(25_00))])
        transfer_post(kind="P2P", legs=[Leg(b, cny(-20_00)), Leg(a, cny(20_00))])

    with pytest.raises(InsufficientFunds), transaction.atomic():
        transfer_reverse(transfer=original, reason_code="LATE")

    assert not Transfer.objects.filter(kind="REVERSAL").exists()


def test_account_open_is_get_or_create_by_code_and_checks_kind() -> None:
    first = account_open(kind="MERCHANT", currency=CNY, code="merchant:x:CNY", is_hot=True)
    again = account_open(kind="MERCHANT", currency=CNY, code="merchant:x:CNY", is_hot=True)

    assert first.pk == again.pk
    with pytest.raises(ValueError):
        account_open(kind="BILLER", currency=CNY, code="merchant:x:CNY")
    with pytest.raises(ValueError):
        account_open(kind="CUSTOMER_WALLET", currency=CNY, code="w:x", allow_negative=True)


def test_system_accounts_carry_the_right_flags() -> None:
    assert system_account("SETTLEMENT", CNY).allow_negative
    assert system_account("FX_POSITION", "USD").allow_negative
    assert system_account("FEE_INCOME", CNY).allow_negative  # fee waivers give back earlier fees (docs/ledger.md)
    assert system_account("POINTS_ISSUANCE", "PTS").allow_negative
    assert system_account("SUSPENSE", CNY).code == "system:suspense:CNY"


def test_points_wallet_is_a_separate_asset(alice: Customer) -> None:
    points = wallet_get_or_create(customer=alice, currency="PTS")
    issuance = system_account("POINTS_ISSUANCE", "PTS")

    with transaction.atomic():
        transfer_post(kind="REWARD", legs=[Leg(issuance, Money(-500, "PTS")), Leg(points, Money(500, "PTS"))])

    assert points.kind == "POINTS_WALLET"
    assert account_balance(points).available == Money(500, "PTS")
