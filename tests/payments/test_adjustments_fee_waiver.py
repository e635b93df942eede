"""Fee waiver under dual control: the money comes back out of FEE_INCOME."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import Customer
from core.money import Money
from payments.ledger import Leg, system_account, transfer_post
from payments.models import AdjustmentRequest, LedgerAccount
from payments.services.adjustments import adjustment_approve, adjustment_request_create
from tests.factories import StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import available, balance, staff_roles_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


def test_fee_waiver_returns_a_charged_fee_from_fee_income(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    fee_income = system_account(LedgerAccount.Kind.FEE_INCOME, "CNY")
    with transaction.atomic():  # a 2.00 fee was charged earlier
        transfer_post(kind="FEE", legs=[Leg(wallet, Money(-2_00, "CNY")), Leg(fee_income, Money(2_00, "CNY"))])

    request = adjustment_request_create(
        maker=StaffFactory(roles=["CUSTOMER_SERVICE"], branch=alice.home_branch),
        kind="FEE_WAIVER",
        reason="fee charged by mistake",
        amount=Money(2_00, "CNY"),
        target_account=wallet,
    )
    assert available(fee_income) == 0
    adjustment_approve(adjustment_id=request.pk, checker=StaffFactory(roles=["BRANCH_MANAGER"]))

    assert balance(wallet) == 100_00
    assert balance(fee_income) == 0
    assert AdjustmentRequest.objects.get(pk=request.pk).status == "APPROVED"


def test_fee_waiver_larger_than_this_periods_fee_income_is_accepted(alice: Customer) -> None:
    """Issue 10: an empty FEE_INCOME refused the waiver with "insufficient balance", as if the
    customer lacked money. Fee income is a bank-side account and may go negative (docs/ledger.md)."""
    wallet = wallet_fund(alice, "1.00")
    request = adjustment_request_create(
        maker=StaffFactory(roles=["TELLER"], branch=alice.home_branch),
        kind="FEE_WAIVER",
        reason="annual fee of last year waived",
        amount=Money(5_00, "CNY"),
        target_account=wallet,
    )

    adjustment_approve(adjustment_id=request.pk, checker=StaffFactory(roles=["BRANCH_MANAGER"]))

    fee_income = system_account(LedgerAccount.Kind.FEE_INCOME, "CNY")
    assert fee_income.allow_negative
    assert balance(wallet) == 6_00
    assert balance(fee_income) == -5_00
