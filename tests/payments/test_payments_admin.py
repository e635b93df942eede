"""The payments admin: ledger read-only, branch scoping, merchant QR image, refund form, dual-control
actions, FX rates through the audited service."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from core.models import AuditEvent
from core.money import Money
from payments.models import AdjustmentRequest, FxRate, LedgerAccount, Refund, TopUp, Transfer
from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
from tests.factories import BranchFactory, CustomerFactory, LinkedCardFactory, StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import (
    admin_client_for,
    balance,
    biller_make,
    merchant_make,
    staff_roles_ensure,
    wallet_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root", "root@example.com", "Root-Password-2026!")


LEDGER_MODELS = [
    "ledgeraccount",
    "transfer",
    "posting",
    "hold",
    "ledgerseal",
    "idempotencyrecord",
    "topup",
    "withdrawal",
    "merchantpayment",
    "billpayment",
    "refund",
    "gatewaycallbacklog",
    "fxquote",
]


@pytest.mark.parametrize("model", LEDGER_MODELS)
def test_ledger_and_movements_are_read_only_even_for_a_superuser(superuser: User, model: str) -> None:
    client = admin_client_for(superuser)

    assert client.get(f"/admin/payments/{model}/").status_code == 200
    assert client.get(f"/admin/payments/{model}/add/").status_code == 403


def test_transfer_detail_is_viewable_but_not_editable(alice: Customer, superuser: User) -> None:
    wallet_fund(alice, "10.00")
    transfer = Transfer.objects.get()
    client = admin_client_for(superuser)

    page = client.get(f"/admin/payments/transfer/{transfer.pk}/change/")
    post = client.post(f"/admin/payments/transfer/{transfer.pk}/change/", {"memo": "changed"})
    delete = client.post(f"/admin/payments/transfer/{transfer.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200 and b"10" in page.content
    assert post.status_code == 403 and delete.status_code == 403
    assert Transfer.objects.get().memo == transfer.memo


def test_search_by_reference(alice: Customer, superuser: User) -> None:
    wallet_fund(alice, "10.00")

    page = admin_client_for(superuser).get("/admin/payments/transfer/?q=test")

    assert (page.status_code == 200 and b"1 result" in page.content) or b"TOPUP" in page.content


def test_branch_staff_see_only_their_branch_customers_topups(superuser: User) -> None:
    branch_a, branch_b = BranchFactory(), BranchFactory()
    mine = CustomerFactory(home_branch=branch_a)
    theirs = CustomerFactory(home_branch=branch_b)
    for customer in (mine, theirs):
        card = LinkedCardFactory(customer=customer)
        TopUp.objects.create(
            reference=f"TU-{customer.pk}",
            customer=customer,
            card=card,
            wallet=wallet_fund(customer, "1.00"),
            amount_minor=100,
            currency="CNY",
        )
    teller = StaffFactory(roles=["TELLER"], branch=branch_a)

    page = admin_client_for(teller).get("/admin/payments/topup/")

    assert page.status_code == 200
    assert f"TU-{mine.pk}".encode() in page.content
    assert f"TU-{theirs.pk}".encode() not in page.content


def test_merchant_admin_shows_the_qr_image(superuser: User) -> None:
    merchant = merchant_make()

    client = admin_client_for(superuser)

    page = client.get(f"/admin/payments/merchant/{merchant.pk}/change/")
    image = client.get(f"/admin/payments/merchant/{merchant.pk}/qr.svg")

    assert page.status_code == 200
    assert f"/admin/payments/merchant/{merchant.pk}/qr.svg".encode() in page.content
    assert image.status_code == 200 and image["Content-Type"] == "image/svg+xml"


def test_refund_through_the_admin_form(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    merchant = merchant_make()
    with transaction.atomic():
        payment = merchant_payment_create(
            customer=alice, qr=merchant_static_qr(merchant), amount=Money(40_00, "CNY"), currency="CNY"
        )
    manager = StaffFactory(roles=["BRANCH_MANAGER"], branch=alice.home_branch)
    client = admin_client_for(manager)

    form = client.get(f"/admin/payments/merchantpayment/{payment.pk}/refund/")
    too_much = client.post(f"/admin/payments/merchantpayment/{payment.pk}/refund/", {"amount": "40.01", "reason": "x"})
    done = client.post(
        f"/admin/payments/merchantpayment/{payment.pk}/refund/", {"amount": "15.00", "reason": "broken cup"}
    )

    assert form.status_code == 200 and b"40.00" in form.content
    assert too_much.status_code == 200 and too_much.context["form"].non_field_errors(), too_much.context["form"].errors
    assert done.status_code == 302
    assert not Refund.objects.exists() and balance(wallet_of(alice)) == 60_00  # a request, not a refund
    request = AdjustmentRequest.objects.get(kind="REFUND", status="PENDING")
    assert request.target_transfer_id == payment.transfer_id and request.amount_minor == 15_00

    admin_client_for(StaffFactory(roles=["RISK_OFFICER"])).post(
        "/admin/payments/adjustmentrequest/", {"action": "approve", "_selected_action": [request.pk]}
    )

    refund = Refund.objects.get()
    assert refund.amount_minor == 15_00 and refund.initiated_by == manager
    assert balance(wallet_of(alice)) == 75_00


def test_teller_cannot_refund(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    with transaction.atomic():
        payment = merchant_payment_create(
            customer=alice, qr=merchant_static_qr(merchant_make()), amount=Money(40_00, "CNY"), currency="CNY"
        )
    teller = StaffFactory(roles=["TELLER"], branch=alice.home_branch)

    response = admin_client_for(teller).post(
        f"/admin/payments/merchantpayment/{payment.pk}/refund/", {"amount": "1.00", "reason": "x"}
    )

    assert response.status_code == 403 and not Refund.objects.exists()


def test_adjustment_maker_checker_in_the_admin(alice: Customer) -> None:
    wallet = wallet_fund(alice, "10.00")
    maker = StaffFactory(roles=["BRANCH_MANAGER"], branch=alice.home_branch)
    checker = StaffFactory(roles=["RISK_OFFICER"])

    created = admin_client_for(maker).post(
        "/admin/payments/adjustmentrequest/add/",
        {
            "kind": "MANUAL_CREDIT",
            "target_account": wallet.pk,
            "amount": "8.00",
            "currency": "CNY",
            "reason": "compensation",
            "deadline_0": (timezone.localtime() + timedelta(hours=48)).strftime("%Y-%m-%d"),
            "deadline_1": "00:00:00",
        },
    )
    request = AdjustmentRequest.objects.get()
    own = admin_client_for(maker).post(
        "/admin/payments/adjustmentrequest/", {"action": "approve", "_selected_action": [request.pk]}, follow=True
    )

    assert created.status_code == 302
    assert request.holds.get().status == "AUTHORIZED"
    assert AdjustmentRequest.objects.get().status == "PENDING"
    assert [m.level for m in own.context["messages"]] == [messages.ERROR]

    admin_client_for(checker).post(
        "/admin/payments/adjustmentrequest/", {"action": "approve", "_selected_action": [request.pk]}
    )

    assert AdjustmentRequest.objects.get().status == "APPROVED"
    assert balance(wallet) == 18_00


def test_fx_rate_added_in_the_admin_is_audit_logged(superuser: User) -> None:
    response = admin_client_for(superuser).post(
        "/admin/payments/fxrate/add/",
        {
            "base": "USD",
            "quote": "CNY",
            "mid_rate": "7.2500",
            "spread_bps": "40",
            "valid_from_0": "2026-01-01",
            "valid_from_1": "00:00:00",
        },
    )

    assert response.status_code == 302
    rate = FxRate.objects.get()
    assert rate.mid_rate == Decimal("7.2500") and rate.set_by == superuser
    assert rate.status == FxRate.Status.PENDING  # staffsod: effective only after a second approver
    assert AuditEvent.objects.filter(action="payments.fxrate.propose", object_id=str(rate.pk)).exists()


def test_hot_account_balance_is_shown_with_deltas(superuser: User, alice: Customer) -> None:
    wallet_fund(alice, "10.00")
    settlement = LedgerAccount.objects.get(kind="SETTLEMENT")

    page = admin_client_for(superuser).get(f"/admin/payments/ledgeraccount/{settlement.pk}/change/")

    assert "-10.00 CNY" in page.content.decode()


def test_a_biller_limit_change_in_the_admin_is_audited() -> None:
    """Found: biller (and merchant) changes in the admin never reached the append-only audit log."""
    biller = biller_make()
    admin = StaffFactory(roles=["ADMINISTRATOR"])

    response = admin_client_for(admin).post(
        f"/admin/payments/biller/{biller.pk}/change/",
        {
            "name": biller.name,
            "category": biller.category,
            "validator": biller.validator,
            "status": biller.status,
            "min_amount": "0.01",
            "max_amount": "9999999.00",
        },
    )
    assert response.status_code == 302, response.content[:2000]

    event = AuditEvent.objects.get(action="payments.biller.change", actor=admin)
    assert event.object_id == str(biller.pk)
    assert event.changes["max_amount_minor"][1] == 999_999_900


def test_a_merchant_change_in_the_admin_is_audited(superuser: User) -> None:
    """Found: re-activating or suspending a merchant in the admin left no audit event."""
    merchant = merchant_make()
    response = admin_client_for(superuser).post(
        f"/admin/payments/merchant/{merchant.pk}/change/",
        {
            "name": merchant.name,
            "mcc": merchant.mcc,
            "signing_branch": merchant.signing_branch_id,
            "currencies": json.dumps(merchant.currencies or ["CNY"]),
            "status": "SUSPENDED",
        },
    )

    assert response.status_code == 302, response.content[:3000]
    event = AuditEvent.objects.get(action="payments.merchant.change")
    assert event.changes == {"status": ["ACTIVE", "SUSPENDED"]}
