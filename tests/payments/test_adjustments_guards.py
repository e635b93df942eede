"""Dual control for reversals and staff refunds: ordered locks, frozen accounts, scope, one open
request per transfer, deadline maximum, balance cap (issue 8 items 5, 6, 8; issue 9 item 3)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.errors import BalanceCapExceeded
from payments.errors_movements import (
    AdjustmentAlreadyOpen,
    AdjustmentInvalid,
    AdjustmentOutOfScope,
    MakerCannotApprove,
)
from payments.ledger import Leg, system_account, transfer_post
from payments.models import AdjustmentRequest, Hold, LedgerAccount, MerchantPayment, Refund, Transfer
from payments.services.adjustments import adjustment_approve, adjustment_reject, adjustment_request_create
from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
from tests.factories import BranchFactory, StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import available, balance, merchant_make, staff_roles_ensure, wallet_of

pytestmark = pytest.mark.django_db

_LOCK_SQL = re.compile(
    r'FROM "payments_ledgeraccount" WHERE "payments_ledgeraccount"."id" IN \(([^)]*)\).*FOR NO KEY UPDATE'
)


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


def _same_branch(*customers: Customer) -> None:
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(home_branch=customers[0].home_branch)


def _pay(customer: Customer, amount: str = "60.00") -> MerchantPayment:
    with transaction.atomic():
        return merchant_payment_create(
            customer=customer,
            qr=merchant_static_qr(merchant_make()),
            amount=Money.parse(amount, "CNY"),
            currency="CNY",
        )


def _two_credit_transfer(alice: Customer, bob: Customer) -> tuple[Transfer, LedgerAccount, LedgerAccount]:
    """A transfer whose credited accounts come in DESCENDING pk order (bob's wallet is newer)."""
    a, b = wallet_fund(alice, "1.00"), wallet_fund(bob, "1.00")
    assert a.pk < b.pk
    suspense = system_account(LedgerAccount.Kind.SUSPENSE, "CNY")
    with transaction.atomic():
        transfer = transfer_post(
            kind=Transfer.Kind.ADJUSTMENT,
            legs=[Leg(suspense, -Money(30_00, "CNY")), Leg(b, Money(20_00, "CNY")), Leg(a, Money(10_00, "CNY"))],
        )
    return transfer, a, b


def _locked_id_sequence(queries: list[dict[str, str]]) -> list[int]:
    """The accounts in the order their locks were first taken (re-locking a held row is free)."""
    ids: list[int] = []
    for query in queries:
        match = _LOCK_SQL.search(query["sql"])
        if match:
            ids.extend(int(x) for x in match.group(1).split(", ") if int(x) not in ids)
    return ids


def test_reversal_request_and_approval_lock_accounts_in_key_order(alice: Customer, bob: Customer) -> None:
    _same_branch(alice, bob)
    transfer, a, b = _two_credit_transfer(alice, bob)
    maker = StaffFactory(roles=["TELLER"], branch=alice.home_branch)

    with CaptureQueriesContext(connection) as requested:
        request = adjustment_request_create(maker=maker, kind="REVERSAL", reason="wrong", target_transfer=transfer)
    with CaptureQueriesContext(connection) as approved:
        adjustment_approve(adjustment_id=request.pk, checker=StaffFactory(roles=["RISK_OFFICER"]))

    for captured in (requested, approved):
        sequence = _locked_id_sequence(captured.captured_queries)
        assert sequence and sequence == sorted(sequence), sequence
    assert balance(a) == 1_00 and balance(b) == 1_00


def test_reversal_under_dual_control_works_on_a_frozen_ledger_account(alice: Customer, bob: Customer) -> None:
    _same_branch(alice, bob)
    wallet_fund(alice, "50.00")
    bob_wallet = wallet_fund(bob, "0.01")
    with transaction.atomic():
        p2p = transfer_post(
            kind=Transfer.Kind.P2P,
            legs=[Leg(wallet_of(alice), -Money(30_00, "CNY")), Leg(bob_wallet, Money(30_00, "CNY"))],
        )
    LedgerAccount.objects.filter(pk=bob_wallet.pk).update(status=LedgerAccount.Status.FROZEN)
    maker = StaffFactory(roles=["TELLER"], branch=alice.home_branch)

    request = adjustment_request_create(maker=maker, kind="REVERSAL", reason="fraud", target_transfer=p2p)
    adjustment_approve(adjustment_id=request.pk, checker=StaffFactory(roles=["RISK_OFFICER"]))

    assert balance(wallet_of(alice)) == 50_00 and balance(bob_wallet) == 1 and available(bob_wallet) == 1
    assert Transfer.objects.filter(reverses=p2p, kind="REVERSAL").count() == 1


def test_staff_refund_needs_a_second_staff_member(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    payment = _pay(alice)
    maker = StaffFactory(roles=["CUSTOMER_SERVICE"], branch=alice.home_branch)

    request = adjustment_request_create(
        maker=maker, kind="REFUND", reason="broken", amount=Money(25_00, "CNY"), target_transfer=payment.transfer
    )

    assert request.kind == "REFUND" and request.holds.get().amount_minor == 25_00
    assert balance(wallet_of(alice)) == 40_00 and not Refund.objects.exists()
    with pytest.raises(MakerCannotApprove):
        adjustment_approve(adjustment_id=request.pk, checker=maker)

    adjustment_approve(adjustment_id=request.pk, checker=StaffFactory(roles=["RISK_OFFICER"]))

    refund = Refund.objects.get()
    assert refund.amount_minor == 25_00 and refund.initiated_by == maker
    assert balance(wallet_of(alice)) == 65_00
    assert MerchantPayment.objects.get(pk=payment.pk).refunded_minor == 25_00
    assert not Hold.objects.filter(status="AUTHORIZED").exists()


def test_second_open_request_for_the_same_payment_is_refused(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    payment = _pay(alice)
    maker = StaffFactory(roles=["CUSTOMER_SERVICE"], branch=alice.home_branch)
    first = adjustment_request_create(
        maker=maker, kind="REFUND", reason="a", amount=Money(10_00, "CNY"), target_transfer=payment.transfer
    )

    with pytest.raises(AdjustmentAlreadyOpen):
        adjustment_request_create(
            maker=maker, kind="REFUND", reason="b", amount=Money(10_00, "CNY"), target_transfer=payment.transfer
        )
    with pytest.raises(AdjustmentAlreadyOpen):
        adjustment_request_create(maker=maker, kind="REVERSAL", reason="c", target_transfer=payment.transfer)

    assert AdjustmentRequest.objects.count() == 1 and Hold.objects.filter(status="AUTHORIZED").count() == 1
    adjustment_reject(adjustment_id=first.pk, checker=StaffFactory(roles=["RISK_OFFICER"]), note="no")
    adjustment_request_create(
        maker=maker, kind="REFUND", reason="d", amount=Money(10_00, "CNY"), target_transfer=payment.transfer
    )  # once decided, a new request may be filed


def test_teller_cannot_file_against_another_branchs_transfer(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    payment = _pay(alice)
    other_branch_teller = StaffFactory(roles=["TELLER"], branch=BranchFactory())
    holds_before = Hold.objects.count()

    with pytest.raises(AdjustmentOutOfScope):
        adjustment_request_create(
            maker=other_branch_teller, kind="REVERSAL", reason="x", target_transfer=payment.transfer
        )
    with pytest.raises(AdjustmentOutOfScope):
        adjustment_request_create(
            maker=other_branch_teller,
            kind="MANUAL_CREDIT",
            reason="x",
            amount=Money(5_00, "CNY"),
            target_account=wallet_of(alice),
        )

    assert Hold.objects.count() == holds_before and not AdjustmentRequest.objects.exists()


def test_deadline_beyond_the_configured_maximum_is_refused(alice: Customer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ADJUSTMENT_MAX_DEADLINE_HOURS = 72
    wallet = wallet_fund(alice, "1.00")
    maker = StaffFactory(roles=["TELLER"], branch=alice.home_branch)

    with pytest.raises(AdjustmentInvalid):
        adjustment_request_create(
            maker=maker,
            kind="MANUAL_CREDIT",
            reason="x",
            amount=Money(5_00, "CNY"),
            target_account=wallet,
            deadline=timezone.now() + timedelta(hours=73),
        )
    within = adjustment_request_create(
        maker=maker,
        kind="MANUAL_CREDIT",
        reason="x",
        amount=Money(5_00, "CNY"),
        target_account=wallet,
        deadline=timezone.now() + timedelta(hours=71),
    )

    assert AdjustmentRequest.objects.get() == within


def test_refund_that_would_lift_the_wallet_above_its_balance_cap_is_refused(alice: Customer) -> None:
    cap = alice.kyc_tier.balance_cap_minor
    wallet_fund(alice, "100.00")
    payment = _pay(alice)
    wallet_fund(alice, cap - balance(wallet_of(alice)))  # back at the cap
    maker = StaffFactory(roles=["CUSTOMER_SERVICE"], branch=alice.home_branch)
    request = adjustment_request_create(
        maker=maker, kind="REFUND", reason="x", amount=Money(60_00, "CNY"), target_transfer=payment.transfer
    )

    with pytest.raises(BalanceCapExceeded):
        adjustment_approve(adjustment_id=request.pk, checker=StaffFactory(roles=["RISK_OFFICER"]))

    assert balance(wallet_of(alice)) == cap and not Refund.objects.exists()
    assert AdjustmentRequest.objects.get().status == "PENDING"


def test_a_checker_promoted_by_the_maker_cannot_approve_the_makers_adjustment(alice: Customer) -> None:
    """Issue 9 item 2: an approver may not be someone the maker created or promoted recently
    (``accounts.services.staff.approver_ensure_independent``), for adjustments as for staff changes."""
    from accounts.services.staff import ApproverNotIndependent
    from core.audit import audit_record

    wallet = wallet_fund(alice, "1.00")
    maker = StaffFactory(roles=["TELLER"], branch=alice.home_branch)
    puppet = StaffFactory(roles=["BRANCH_MANAGER"], branch=alice.home_branch)
    audit_record(action="auth.user.roles", actor=maker, obj=puppet, changes={"groups": [[], ["BRANCH_MANAGER"]]})
    request = adjustment_request_create(
        maker=maker, kind="MANUAL_CREDIT", reason="goodwill", amount=Money(5_00, "CNY"), target_account=wallet
    )

    with pytest.raises(ApproverNotIndependent) as refused:
        adjustment_approve(adjustment_id=request.pk, checker=puppet)

    assert refused.value.code == "approver_promoted_by_maker"
    assert AdjustmentRequest.objects.get(pk=request.pk).status == "PENDING"
    assert balance(wallet) == 1_00
    adjustment_approve(
        adjustment_id=request.pk, checker=StaffFactory(roles=["BRANCH_MANAGER"], branch=alice.home_branch)
    )
    assert balance(wallet) == 6_00
