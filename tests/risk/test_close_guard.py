"""A customer who still holds money cannot be closed (payments' status-change guard)."""

from __future__ import annotations

import pytest

from accounts.models import Customer, StaffRole
from accounts.services import customer_status_change
from core.errors import DomainError
from tests.factories import StaffFactory
from tests.payments.factories import wallet_fund

pytestmark = pytest.mark.django_db


def test_a_customer_with_a_balance_is_not_closed(alice: Customer) -> None:
    wallet_fund(alice, "0.01")
    officer = StaffFactory(roles=[StaffRole.RISK_OFFICER])

    with pytest.raises(DomainError) as refused:
        customer_status_change(staff=officer, customer=alice, action="close", reason="customer asked")

    assert refused.value.code == "balance_remaining" and refused.value.status_code == 409
    alice.refresh_from_db()
    assert alice.status == "ACTIVE"


def test_a_customer_without_money_is_closed(alice: Customer) -> None:
    officer = StaffFactory(roles=[StaffRole.RISK_OFFICER])

    customer_status_change(staff=officer, customer=alice, action="close", reason="customer asked")

    alice.refresh_from_db()
    assert alice.status == "CLOSED"
