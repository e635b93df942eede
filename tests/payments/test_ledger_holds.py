"""Holds: authorize counts against available; capture (full/partial) once; void; expiry sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.errors import HoldAmountInvalid, HoldNotActive, InsufficientFunds
from payments.ledger import account_balance, account_open, hold_authorize, hold_capture, hold_void
from payments.models import Hold, LedgerAccount, Transfer
from payments.services.maintenance import holds_expire_run
from tests.payments.factories import ledger_snapshot, wallet_fund

pytestmark = pytest.mark.django_db


def cny(minor: int) -> Money:
    return Money(minor, "CNY")


def _merchant() -> LedgerAccount:
    return account_open(kind="MERCHANT", currency="CNY", code="merchant:h:CNY", is_hot=True)


def _authorize(wallet: LedgerAccount, minor: int, minutes: int = 30) -> Hold:
    with transaction.atomic():
        return hold_authorize(
            account=wallet, amount=cny(minor), kind="PREAUTH", expires_at=timezone.now() + timedelta(minutes=minutes)
        )


def test_hold_counts_against_available_at_once(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")

    _authorize(wallet, 60_00)

    balance = account_balance(wallet)
    assert (balance.posted, balance.pending, balance.available) == (cny(100_00), cny(60_00), cny(40_00))
    before = ledger_snapshot()
    with pytest.raises(InsufficientFunds):
        _authorize(wallet, 40_01)
    assert ledger_snapshot() == before


def test_partial_capture_moves_the_captured_amount_and_releases_the_rest(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    merchant = _merchant()
    hold = _authorize(wallet, 60_00)

    with transaction.atomic():
        transfer = hold_capture(hold=hold, to_account=merchant, amount=cny(45_50))

    hold.refresh_from_db()
    assert hold.status == "CAPTURED" and hold.captured_minor == 45_50 and hold.capture_transfer == transfer
    balance = account_balance(wallet)
    assert (balance.posted, balance.pending, balance.available) == (cny(54_50), cny(0), cny(54_50))
    assert account_balance(merchant).posted == cny(45_50)


def test_second_capture_or_void_is_409_and_moves_nothing(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    merchant = _merchant()
    hold = _authorize(wallet, 60_00)
    with transaction.atomic():
        hold_capture(hold=hold, to_account=merchant)
    before = ledger_snapshot()

    with pytest.raises(HoldNotActive) as second, transaction.atomic():
        hold_capture(hold=Hold.objects.get(pk=hold.pk), to_account=merchant)
    with pytest.raises(HoldNotActive), transaction.atomic():
        hold_void(hold=Hold.objects.get(pk=hold.pk))

    assert second.value.status_code == 409
    assert ledger_snapshot() == before
    assert Transfer.objects.filter(kind="HOLD_CAPTURE").count() == 1


def test_capture_more_than_held_is_refused(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    hold = _authorize(wallet, 10_00)
    before = ledger_snapshot()

    with pytest.raises(HoldAmountInvalid), transaction.atomic():
        hold_capture(hold=hold, to_account=_merchant(), amount=cny(10_01))

    assert ledger_snapshot() == before


def test_void_releases_and_a_second_void_is_409(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    hold = _authorize(wallet, 30_00)

    with transaction.atomic():
        hold_void(hold=hold, reason="customer cancelled")
    with pytest.raises(HoldNotActive), transaction.atomic():
        hold_void(hold=hold)

    assert account_balance(wallet).available == cny(100_00)
    assert Hold.objects.get(pk=hold.pk).status == "VOIDED"


def test_expiry_sweep_releases_expired_holds_once(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    expired = _authorize(wallet, 30_00, minutes=-1)
    live = _authorize(wallet, 20_00, minutes=30)

    assert holds_expire_run() == 1
    assert holds_expire_run() == 0

    assert Hold.objects.get(pk=expired.pk).status == "EXPIRED"
    assert Hold.objects.get(pk=live.pk).status == "AUTHORIZED"
    assert account_balance(wallet).available == cny(80_00)
    with pytest.raises(HoldNotActive), transaction.atomic():
        hold_capture(hold=expired, to_account=_merchant())


def test_an_unswept_expired_hold_cannot_be_captured(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    hold = _authorize(wallet, 30_00, minutes=-1)

    with pytest.raises(HoldNotActive), transaction.atomic():
        hold_capture(hold=hold, to_account=_merchant())

    assert account_balance(wallet).posted == cny(100_00)
