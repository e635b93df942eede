"""Staff adjustments under dual control: request holds, another staff member approves (posts) or rejects,
the maker cannot approve, and the deadline expires (voids) unapproved requests. All audit-logged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from accounts.services import staff as staff_services
from core.models import AuditEvent
from core.money import Money
from payments.errors import AccountFrozen, InsufficientFunds
from payments.errors_movements import AdjustmentNotPending, ApprovalPermissionRequired, MakerCannotApprove
from payments.ledger import Leg, system_account, transfer_post
from payments.models import AdjustmentRequest, Hold, LedgerAccount, Transfer
from payments.services.adjustments import (
    adjustment_approve,
    adjustment_reject,
    adjustment_request_create,
    adjustments_expire_due,
)
from tests.factories import StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import available, balance, staff_roles_ensure, wallet_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


def _staff_seeing(*customers: Customer, role: str = "TELLER"):  # type: ignore[no-untyped-def]
    """A staff member of the first customer's branch who may see all of them (same branch)."""
    branch = customers[0].home_branch
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(home_branch=branch)
    return StaffFactory(roles=[role], branch=branch)


def _credit(maker, wallet: LedgerAccount, amount: str = "25.00") -> AdjustmentRequest:  # type: ignore[no-untyped-def]
    return adjustment_request_create(
        maker=maker,
        kind="MANUAL_CREDIT",
        reason="goodwill for outage",
        amount=Money.parse(amount, "CNY"),
        target_account=wallet,
    )


def test_manual_credit_is_held_then_posted_on_approval(alice: Customer) -> None:
    wallet = wallet_fund(alice, "10.00")
    maker, checker = StaffFactory(roles=["TELLER"], branch=alice.home_branch), StaffFactory(roles=["BRANCH_MANAGER"])

    request = _credit(maker, wallet)

    suspense = system_account(LedgerAccount.Kind.SUSPENSE, "CNY")
    assert request.status == "PENDING" and request.holds.get().status == "AUTHORIZED"
    assert balance(wallet) == 10_00 and available(suspense) == -25_00

    approved = adjustment_approve(adjustment_id=request.pk, checker=checker, note="ok")

    assert approved.status == "APPROVED" and approved.checker == checker
    assert balance(wallet) == 35_00
    assert balance(suspense) == -25_00 and available(suspense) == -25_00
    assert Transfer.objects.get(pk=approved.transfer_id).kind == "ADJUSTMENT"
    assert list(
        AuditEvent.objects.filter(object_id=str(request.pk)).order_by("id").values_list("action", flat=True)
    ) == ["payments.adjustment.request", "payments.adjustment.approve"]


def test_maker_cannot_approve_own_request(alice: Customer) -> None:
    wallet = wallet_fund(alice, "10.00")
    maker = StaffFactory(roles=["BRANCH_MANAGER"], branch=alice.home_branch)
    request = _credit(maker, wallet)

    with pytest.raises(MakerCannotApprove):
        adjustment_approve(adjustment_id=request.pk, checker=maker)

    assert AdjustmentRequest.objects.get(pk=request.pk).status == "PENDING"
    assert balance(wallet) == 10_00


def test_checker_without_the_permission_cannot_approve(alice: Customer) -> None:
    wallet = wallet_fund(alice, "10.00")
    request = _credit(StaffFactory(roles=["TELLER"], branch=alice.home_branch), wallet)

    with pytest.raises(ApprovalPermissionRequired):
        adjustment_approve(adjustment_id=request.pk, checker=StaffFactory(roles=["TELLER"]))

    assert balance(wallet) == 10_00


def test_reject_voids_the_hold_and_cannot_then_be_approved(alice: Customer) -> None:
    wallet = wallet_fund(alice, "10.00")
    request = _credit(StaffFactory(roles=["TELLER"], branch=alice.home_branch), wallet)
    checker = StaffFactory(roles=["RISK_OFFICER"])

    adjustment_reject(adjustment_id=request.pk, checker=checker, note="not justified")

    assert request.holds.get().status == "VOIDED"
    assert available(system_account(LedgerAccount.Kind.SUSPENSE, "CNY")) == 0
    with pytest.raises(AdjustmentNotPending):
        adjustment_approve(adjustment_id=request.pk, checker=checker)
    assert balance(wallet) == 10_00
    assert AuditEvent.objects.filter(action="payments.adjustment.reject").count() == 1


def test_unapproved_request_expires_at_its_deadline_and_voids_the_hold(alice: Customer) -> None:
    wallet = wallet_fund(alice, "10.00")
    request = _credit(StaffFactory(roles=["TELLER"], branch=alice.home_branch), wallet)
    AdjustmentRequest.objects.filter(pk=request.pk).update(deadline=timezone.now() - timedelta(seconds=1))

    expired = adjustments_expire_due()

    assert expired == 1
    assert AdjustmentRequest.objects.get(pk=request.pk).status == "EXPIRED"
    assert request.holds.get().status == "VOIDED"
    assert AuditEvent.objects.filter(action="payments.adjustment.expire").count() == 1
    assert adjustments_expire_due() == 0
    with pytest.raises(AdjustmentNotPending):
        adjustment_approve(adjustment_id=request.pk, checker=StaffFactory(roles=["ADMINISTRATOR"]))


def test_reversal_holds_the_credited_money_and_reverses_on_approval(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    with transaction.atomic():
        p2p = transfer_post(
            kind="P2P",
            legs=[Leg(wallet_of(alice), Money(-30_00, "CNY")), Leg(wallet_fund(bob, "1.00"), Money(30_00, "CNY"))],
        )
    bob_wallet = wallet_of(bob)

    request = adjustment_request_create(
        maker=_staff_seeing(alice, bob, role="CUSTOMER_SERVICE"),
        kind="REVERSAL",
        reason="sent by mistake, confirmed by phone",
        target_transfer=p2p,
    )

    assert (balance(bob_wallet), available(bob_wallet)) == (31_00, 1_00)
    adjustment_approve(adjustment_id=request.pk, checker=StaffFactory(roles=["ADMINISTRATOR"]))
    assert (balance(bob_wallet), available(bob_wallet)) == (1_00, 1_00)
    assert balance(wallet_of(alice)) == 100_00
    assert Transfer.objects.filter(reverses=p2p, kind="REVERSAL").count() == 1


def test_reversal_request_needs_the_money_to_still_be_there(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    with transaction.atomic():
        p2p = transfer_post(
            kind="P2P",
            legs=[Leg(wallet_of(alice), Money(-30_00, "CNY")), Leg(wallet_fund(bob, "1.00"), Money(30_00, "CNY"))],
        )
    holds = Hold.objects.count()
    with transaction.atomic():  # bob spent it
        transfer_post(
            kind="P2P", legs=[Leg(wallet_of(bob), Money(-31_00, "CNY")), Leg(wallet_of(alice), Money(31_00, "CNY"))]
        )

    with pytest.raises(InsufficientFunds):
        adjustment_request_create(maker=_staff_seeing(alice, bob), kind="REVERSAL", reason="x", target_transfer=p2p)

    assert Hold.objects.count() == holds and not AdjustmentRequest.objects.exists()


def _freeze(customer: Customer) -> None:
    officer = StaffFactory(roles=["RISK_OFFICER"])
    staff_services.customer_status_change(staff=officer, customer=customer, action="freeze", reason="fraud")


def test_manual_credit_to_a_frozen_customer_is_refused(alice: Customer) -> None:
    """Review (medium): an approved MANUAL_CREDIT credited a frozen customer; now AccountFrozen."""
    wallet = wallet_fund(alice, "1.00")
    maker, checker = StaffFactory(roles=["TELLER"], branch=alice.home_branch), StaffFactory(roles=["BRANCH_MANAGER"])
    req = _credit(maker, wallet, "10.00")
    _freeze(alice)

    with pytest.raises(AccountFrozen):
        adjustment_approve(adjustment_id=req.pk, checker=checker)

    assert balance(wallet_of(alice)) == 1_00
    assert AdjustmentRequest.objects.get(pk=req.pk).status == AdjustmentRequest.Status.PENDING


def test_reversal_clawback_from_a_frozen_customer_stays_allowed(alice: Customer, bob: Customer) -> None:
    """Review (medium): the frozen-customer check is not applied to a dual-control REVERSAL."""
    wallet_fund(alice, "50.00")
    bob_wallet = wallet_fund(bob, "0.01")
    with transaction.atomic():
        p2p = transfer_post(
            kind=Transfer.Kind.P2P,
            legs=[Leg(wallet_of(alice), -Money(30_00, "CNY")), Leg(bob_wallet, Money(30_00, "CNY"))],
        )
    maker = _staff_seeing(alice, bob)
    request = adjustment_request_create(maker=maker, kind="REVERSAL", reason="fraud", target_transfer=p2p)
    _freeze(bob)

    adjustment_approve(adjustment_id=request.pk, checker=StaffFactory(roles=["RISK_OFFICER"]))

    assert balance(wallet_of(alice)) == 50_00 and balance(bob_wallet) == 1
