"""Funding recovery paths: the poller resubmits a charge that never left, the simulated bank's delivery
task, and a withdrawal confirmed after its hold expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.integrations import GatewayError, GatewayStatus
from payments.models import Hold, TopUp, Withdrawal
from payments.services.funding import (
    funding_poll,
    topup_create,
    topup_submit,
    withdrawal_apply_outcome,
    withdrawal_create,
)
from payments.tasks_movements import gateway_sim_deliver_callbacks
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import available, balance, card_for, wallet_of

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
