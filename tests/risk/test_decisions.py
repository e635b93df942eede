"""What officers do with decisions: release or reverse held money (the reversal by a second
officer), lift a freeze only with a second officer, close cases, answer review requests."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Customer, StaffRole
from accounts.services import customer_status_change
from core.errors import DomainError
from core.models import AuditEvent
from payments.ledger import account_balance, hold_expire, wallet_get_or_create
from payments.models import Hold, Transfer
from risk.models import Case, CustomerNotice, ReviewRequest, RiskFreeze, RiskHold, UnfreezeRequest
from risk.services import (
    case_assign,
    case_close,
    case_note_add,
    review_answer,
    review_request_create,
    risk_freeze,
    risk_hold_release,
    risk_hold_reversal_approve,
    risk_hold_reversal_request,
    unfreeze_approve,
    unfreeze_request_create,
)
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.payments.factories import ledger_snapshot, wallet_fund
from tests.risk.events import access_event, deliver, p2p_real

pytestmark = pytest.mark.django_db


def _mule(alice: Customer) -> tuple[RiskHold, Customer]:
    senders = [CustomerFactory() for _ in range(3)]
    onward = CustomerFactory()
    for sender in senders:
        wallet_fund(sender, "3000.00")
    deliver(*[p2p_real(s, alice, "2000.00") for s in senders], p2p_real(alice, onward, "5800.00"))
    return RiskHold.objects.get(customer=alice), onward


def _available(customer: Customer) -> int:
    return account_balance(wallet_get_or_create(customer=customer, currency="CNY")).available.minor


def test_held_payments_never_release_themselves(alice: Customer) -> None:
    hold, onward = _mule(alice)

    for ledger_hold in hold.ledger_holds.all():
        assert hold_expire(hold_id=ledger_hold.pk) is False  # the ledger's sweeper leaves it

    assert Hold.objects.get(account__customer=onward).status == "AUTHORIZED"
    assert _available(onward) == 0


def test_an_officer_releases_a_held_payment(alice: Customer, officers: Any) -> None:
    hold, onward = _mule(alice)

    risk_hold_release(hold_id=hold.pk, officer=officers[0], note="known family transfers")

    hold.refresh_from_db()
    assert hold.status == "RELEASED" and _available(onward) == 5_800_00
    assert CustomerNotice.objects.filter(customer=alice, kind="PAYMENT_RELEASED").exists()
    assert AuditEvent.objects.filter(action="risk.hold.release", object_id=str(hold.pk)).exists()


def test_a_reversal_needs_a_second_officer(alice: Customer, officers: Any) -> None:
    maker, checker = officers
    hold, onward = _mule(alice)
    risk_hold_reversal_request(hold_id=hold.pk, officer=maker, note="mule ring confirmed")
    before = ledger_snapshot()

    with pytest.raises(DomainError) as own:
        risk_hold_reversal_approve(hold_id=hold.pk, officer=maker)

    assert own.value.code == "approver_is_maker" and ledger_snapshot() == before
    risk_hold_reversal_approve(hold_id=hold.pk, officer=checker)
    hold.refresh_from_db()
    assert hold.status == "REVERSED" and hold.decided_by == checker
    assert (
        _available(alice) == 6_000_00
        and account_balance(wallet_get_or_create(customer=onward, currency="CNY")).posted.minor == 0
    )
    assert Transfer.objects.filter(reverses=hold.transfer, reason_code="RISK_REVERSAL").count() == 1


def _takeover(alice: Customer) -> RiskFreeze:
    wallet_fund(alice, "5000.00")
    deliver(
        access_event("customer.device_added", alice, "thief-phone-999"),
        access_event("customer.password_reset", alice),
        p2p_real(alice, CustomerFactory(), "1500.00"),
    )
    return RiskFreeze.objects.get(customer=alice)


def test_a_risk_freeze_is_not_lifted_by_one_person(alice: Customer, officers: Any) -> None:
    freeze = _takeover(alice)
    manager = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=BranchFactory())
    Customer.objects.filter(pk=alice.pk).update(home_branch=manager.staff_profile.branch)

    with pytest.raises(DomainError) as refused:
        customer_status_change(staff=manager, customer=alice, action="unfreeze", reason="customer called us")

    assert refused.value.code == "unfreeze_needs_second_officer"
    alice.refresh_from_db()
    assert alice.status == "FROZEN" and RiskFreeze.objects.get(pk=freeze.pk).status == "ACTIVE"


def test_unfreezing_with_a_second_officer(alice: Customer, officers: Any) -> None:
    maker, checker = officers
    freeze = _takeover(alice)
    asked = unfreeze_request_create(officer=maker, freeze=freeze, reason="customer verified at the branch")

    with pytest.raises(DomainError) as own:
        unfreeze_approve(officer=maker, request_id=asked.pk)
    assert own.value.code == "approver_is_maker"
    unfreeze_approve(officer=checker, request_id=asked.pk)

    alice.refresh_from_db()
    assert alice.status == "ACTIVE"
    assert RiskFreeze.objects.get(pk=freeze.pk).status == "LIFTED"
    assert UnfreezeRequest.objects.get(pk=asked.pk).status == "APPROVED"
    audit = AuditEvent.objects.get(action="accounts.customer.unfreeze", object_id=str(alice.pk))
    assert audit.changes["dual_control"]["maker"] == maker.pk
    assert CustomerNotice.objects.filter(customer=alice, kind="ACCOUNT_UNFROZEN").exists()


def test_unfreezing_ones_own_freeze_is_refused_and_changes_nothing(alice: Customer, officers: Any) -> None:
    freezer, other = officers
    freeze = risk_freeze(officer=freezer, customer=alice, reason="suspected account takeover")
    asked = unfreeze_request_create(officer=other, freeze=freeze, reason="false alarm, customer verified")

    with pytest.raises(DomainError) as refused:
        unfreeze_approve(officer=freezer, request_id=asked.pk)

    assert refused.value.code == "approver_froze" and refused.value.message
    alice.refresh_from_db()
    assert alice.status == "FROZEN" and UnfreezeRequest.objects.get(pk=asked.pk).status == "PENDING"


def test_a_case_closes_only_once_its_money_is_decided(alice: Customer, officers: Any) -> None:
    hold, _ = _mule(alice)
    case = Case.objects.get(customer=alice)
    case_assign(officer=officers[0], case=case, assignee=officers[1])
    case_note_add(officer=officers[1], case=case, text="Called the customer: says he sells phones.")

    with pytest.raises(DomainError) as refused:
        case_close(officer=officers[1], case=case, resolution="NO_ACTION", note="legitimate trade")
    assert refused.value.code == "case_has_held_payments"
    risk_hold_release(hold_id=hold.pk, officer=officers[1], note="invoices seen")
    case_close(officer=officers[1], case=case, resolution="NO_ACTION", note="legitimate trade")

    case.refresh_from_db()
    assert (case.status, case.assigned_to, case.notes.count()) == ("CLOSED", officers[1], 1)
    assert not case.alerts.filter(status="OPEN").exists()


def test_a_teller_of_another_branch_cannot_work_the_case(alice: Customer) -> None:
    branch = BranchFactory()
    Customer.objects.filter(pk=alice.pk).update(home_branch=branch)
    _mule(alice)
    stranger = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=BranchFactory())

    with pytest.raises(DomainError):
        case_note_add(officer=stranger, case=Case.objects.get(customer=alice), text="looking")


def test_a_customer_asks_for_a_human_review(alice: Customer, officers: Any) -> None:
    _mule(alice)
    notice = CustomerNotice.objects.get(customer=alice, kind="PAYMENT_HELD")

    review = review_request_create(customer=alice, notice_id=notice.public_id, message="This was rent for my flat.")
    with pytest.raises(DomainError) as again:
        review_request_create(customer=alice, notice_id=notice.public_id, message="Please hurry up, thanks.")
    answered = review_answer(officer=officers[0], review=review, answer="We checked it and released the payment.")

    assert again.value.code == "review_already_open"
    assert review.case == Case.objects.get(customer=alice, status="OPEN")
    assert answered.status == "ANSWERED" and ReviewRequest.objects.count() == 1
    assert AuditEvent.objects.filter(action="risk.review.request").exists()
