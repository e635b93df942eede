"""A payout the bank declines gives back the KYC day/month allowance it reserved (issue 8, item 3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Customer
from core.money import Money
from payments.limits import limits_check_outgoing, limits_release_outgoing
from payments.models import CustomerSpendCounter, Withdrawal
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, wallet_fund
from tests.payments.factories_movements import card_for, deliver_callbacks, post_money

pytestmark = pytest.mark.django_db


def _counters(customer: Customer) -> dict[str, int]:
    return dict(CustomerSpendCounter.objects.filter(customer=customer).values_list("period", "spent_minor"))


def _withdraw(customer: Customer, amount: str) -> Withdrawal:
    response = post_money(
        customer_client(customer),
        "/api/v1/withdrawals",
        {"card": str(card_for(customer).public_id), "amount": amount, "currency": "CNY", "pin": PAYMENT_PIN},
    )
    assert response.status_code == 202, response.json()
    return Withdrawal.objects.get(public_id=response.json()["id"])


def test_declined_withdrawal_gives_back_the_reserved_limit(alice: Customer) -> None:
    wallet_fund(alice, "100.00")

    withdrawal = _withdraw(alice, "40.13")  # the simulated bank declines amounts ending in .13

    assert withdrawal.status == "FAILED"
    assert _counters(alice) == {"DAY": 0, "MONTH": 0}


def test_late_declined_withdrawal_gives_back_the_limit_once(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    withdrawal = _withdraw(alice, "40.16")  # declined later, by callback
    assert _counters(alice) == {"DAY": 40_16, "MONTH": 40_16}

    deliver_callbacks(APIClient(), withdrawal.reference)
    deliver_callbacks(APIClient(), withdrawal.reference)

    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "FAILED"
    assert _counters(alice) == {"DAY": 0, "MONTH": 0}


def test_completed_withdrawal_keeps_its_reservation(alice: Customer) -> None:
    wallet_fund(alice, "100.00")

    withdrawal = _withdraw(alice, "40.15")
    deliver_callbacks(APIClient(), withdrawal.reference)

    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "COMPLETED"
    assert _counters(alice) == {"DAY": 40_15, "MONTH": 40_15}


def test_release_reduces_the_counters_of_the_day_it_was_reserved(alice: Customer) -> None:
    from django.db import transaction

    yesterday = timezone.now() - timedelta(days=1)
    with transaction.atomic():
        limits_check_outgoing(customer=alice, amount=Money(10_00, "CNY"))
    CustomerSpendCounter.objects.filter(customer=alice, period="DAY").update(period_start=timezone.localdate(yesterday))
    with transaction.atomic():
        limits_check_outgoing(customer=alice, amount=Money(3_00, "CNY"))

    with transaction.atomic():
        limits_release_outgoing(customer_id=alice.pk, amount=Money(10_00, "CNY"), reserved_at=yesterday)

    days = dict(
        CustomerSpendCounter.objects.filter(customer=alice, period="DAY").values_list("period_start", "spent_minor")
    )
    assert days == {timezone.localdate(yesterday): 0, timezone.localdate(): 3_00}
