"""Funding recovery paths: the poller resubmits a charge that never left, the simulated bank's delivery
task, and a withdrawal confirmed after its hold expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Customer
from accounts.services import staff as staff_services
from core.money import Money
from payments.integrations import GatewayError, GatewayResult, GatewayStatus
from payments.models import CustomerSpendCounter, Hold, TopUp, Withdrawal
from payments.services import funding
from payments.services.funding import (
    funding_poll,
    topup_apply_outcome,
    topup_create,
    topup_submit,
    withdrawal_apply_outcome,
    withdrawal_create,
    withdrawal_submit,
)
from payments.tasks_movements import gateway_sim_deliver_callbacks
from tests.factories import StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import available, balance, card_for, staff_roles_ensure, wallet_of

pytestmark = pytest.mark.django_db


class UnreachableGateway:
    def charge(self, **kwargs: object) -> None:
        raise GatewayError("connection refused")

    payout = charge


def _topup(customer: Customer, amount: str) -> TopUp:
    card = card_for(customer)
    with transaction.atomic():
        return topup_create(customer=customer, card_public_id=card.public_id, amount=Money.parse(amount, "CNY"))


def test_poller_resubmits_a_charge_that_never_reached_the_bank(alice: Customer) -> None:
    topup = _topup(alice, "12.00")
    with override_settings(BANK_GATEWAY="tests.payments.test_funding_recovery.UnreachableGateway"):
        topup_submit(topup_id=topup.pk)
    TopUp.objects.filter(pk=topup.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert TopUp.objects.get(pk=topup.pk).gateway_ref == ""

    counts = funding_poll(min_age_seconds=30)

    assert counts["resubmitted"] == 1
    assert TopUp.objects.get(pk=topup.pk).gateway_ref.startswith("SIM")
    assert funding_poll(min_age_seconds=0)["applied"] == 1
    assert balance(wallet_of(alice)) == 12_00


def test_poller_expires_a_topup_the_bank_never_answers(alice: Customer) -> None:
    topup = _topup(alice, "12.17")  # .17: the simulated bank never answers
    topup_submit(topup_id=topup.pk)
    TopUp.objects.filter(pk=topup.pk).update(created_at=timezone.now() - timedelta(hours=2))

    counts = funding_poll(min_age_seconds=0)

    assert counts["expired"] == 1
    assert TopUp.objects.get(pk=topup.pk).status == "EXPIRED"
    assert balance(wallet_of(alice)) == 0


def test_simulated_bank_delivery_task_confirms_the_topup(alice: Customer) -> None:
    topup = _topup(alice, "9.15")  # duplicate callback scenario
    topup_submit(topup_id=topup.pk)

    delivered = gateway_sim_deliver_callbacks.run(reference=topup.reference)

    assert delivered == 2
    assert TopUp.objects.get(pk=topup.pk).status == "COMPLETED"
    assert balance(wallet_of(alice)) == 9_15


def test_withdrawal_confirmed_after_its_hold_expired_debits_the_wallet_directly(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    card = card_for(alice)
    with transaction.atomic():
        withdrawal = withdrawal_create(customer=alice, card_public_id=card.public_id, amount=Money(30_00, "CNY"))
    Hold.objects.filter(pk=withdrawal.hold_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    from payments.services.maintenance import holds_expire_run

    holds_expire_run()
    assert available(wallet) == 100_00

    withdrawal_apply_outcome(reference=withdrawal.reference, status=GatewayStatus.SUCCEEDED, gateway_ref="LATE")

    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "COMPLETED"
    assert (balance(wallet), available(wallet)) == (70_00, 70_00)


def _freeze(customer: Customer) -> None:
    staff_roles_ensure()
    officer = StaffFactory(roles=["RISK_OFFICER"])
    staff_services.customer_status_change(staff=officer, customer=customer, action="freeze", reason="fraud")
    customer.refresh_from_db()
    assert customer.status == Customer.Status.FROZEN


def test_topup_confirmed_after_a_freeze_does_not_credit_the_frozen_customer(alice: Customer) -> None:
    """Review (medium): a success confirmed after a freeze credited the frozen customer; now SUSPENSE."""
    wallet_fund(alice, "1.00")
    with transaction.atomic():
        topup = topup_create(customer=alice, card_public_id=card_for(alice).public_id, amount=Money(50_00, "CNY"))
    _freeze(alice)

    assert topup_apply_outcome(reference=topup.reference, status=GatewayStatus.SUCCEEDED, gateway_ref="SIMX")

    topup.refresh_from_db()
    assert balance(wallet_of(alice)) == 1_00, "a frozen customer's wallet was credited by a top-up"
    assert topup.status == "SUSPENSE", topup.status
    assert topup.failure_code == "account_frozen"


class _RecordingBank:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def payout(self, *, card_token: str, amount: Money, reference: str) -> GatewayResult:
        self.sent.append(reference)
        return GatewayResult(status=GatewayStatus.SUCCEEDED, gateway_ref="SIMW", reference=reference)


def test_withdrawal_payout_is_not_sent_after_a_freeze(alice: Customer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review (medium): a payout was sent for a customer frozen after the request; now declined locally."""
    wallet_fund(alice, "100.00")
    with transaction.atomic():
        withdrawal = withdrawal_create(
            customer=alice, card_public_id=card_for(alice).public_id, amount=Money(80_00, "CNY")
        )
    _freeze(alice)
    bank = _RecordingBank()
    monkeypatch.setattr(funding, "bank_gateway", lambda: bank)

    withdrawal_submit(withdrawal_id=withdrawal.pk)
    withdrawal_submit(withdrawal_id=withdrawal.pk)  # a re-submit changes nothing more

    withdrawal.refresh_from_db()
    assert not bank.sent, f"payout sent for a frozen customer; wallet now {balance(wallet_of(alice))}"
    assert (withdrawal.status, withdrawal.failure_code) == ("FAILED", "account_frozen")
    assert Hold.objects.get(pk=withdrawal.hold_id).status == Hold.Status.VOIDED
    assert (balance(wallet_of(alice)), available(wallet_of(alice))) == (100_00, 100_00)
    spent = set(CustomerSpendCounter.objects.filter(customer=alice).values_list("spent_minor", flat=True))
    assert spent == {0}, "the KYC reservation is given back exactly once"


def test_withdrawal_of_an_active_customer_is_still_sent(alice: Customer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Review (medium): the pre-payout check lets an active customer's payout through."""
    wallet_fund(alice, "100.00")
    with transaction.atomic():
        withdrawal = withdrawal_create(
            customer=alice, card_public_id=card_for(alice).public_id, amount=Money(80_00, "CNY")
        )
    bank = _RecordingBank()
    monkeypatch.setattr(funding, "bank_gateway", lambda: bank)

    withdrawal_submit(withdrawal_id=withdrawal.pk)

    withdrawal.refresh_from_db()
    assert bank.sent == [withdrawal.reference]
    assert withdrawal.status == "COMPLETED"
    assert balance(wallet_of(alice)) == 20_00
