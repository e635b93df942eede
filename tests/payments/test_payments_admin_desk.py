"""Issues 9 and 10 in the payments admin: adjustment pages, amounts in yuan, readable labels, and
object ids checked against the staff member's branch scope in forms, widgets and pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import messages
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import Customer
from core.money import Money
from payments.ledger import Leg, system_account, transfer_post
from payments.models import AdjustmentRequest, LedgerAccount, Transfer
from payments.services.adjustments import adjustment_request_create
from payments.services.merchant_payments import (
    merchant_create,
    merchant_order_create,
    merchant_payment_create,
    merchant_static_qr,
)
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import admin_client_for, available, balance, staff_roles_ensure

pytestmark = pytest.mark.django_db

ADD = "/admin/payments/adjustmentrequest/add/"


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


@pytest.fixture
def here():
    return BranchFactory(code="HX001")


@pytest.fixture
def elsewhere():
    return BranchFactory(code="HY001")


@pytest.fixture
def zhang(here) -> Customer:
    return CustomerFactory(legal_name="张三", phone="+8613812345678", home_branch=here)


def _credit_request(customer: Customer, amount: str = "50.00", reason: str = "compensation for the outage"):
    wallet = wallet_fund(customer, "10.00")
    maker = StaffFactory(roles=["BRANCH_MANAGER"], branch=customer.home_branch)
    return wallet, adjustment_request_create(
        maker=maker, kind="MANUAL_CREDIT", reason=reason, amount=Money.parse(amount, "CNY"), target_account=wallet
    )


def _form(wallet: LedgerAccount, **overrides: str) -> dict[str, str]:
    data = {
        "kind": "MANUAL_CREDIT",
        "target_account": str(wallet.pk),
        "amount": "50.00",
        "currency": "CNY",
        "reason": "compensation",
        "deadline_0": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "deadline_1": "12:00:00",
    }
    data.update(overrides)
    return data


# --- issue 10.1: the request page opens for every role and says what is approved -------------------
@pytest.mark.parametrize("role", ["TELLER", "BRANCH_MANAGER", "RISK_OFFICER", "AUDITOR"])
def test_an_adjustment_request_page_opens_for_every_role(zhang: Customer, here, role: str) -> None:
    _wallet, request = _credit_request(zhang)
    staff = StaffFactory(roles=[role], branch=here)

    page = admin_client_for(staff).get(f"/admin/payments/adjustmentrequest/{request.pk}/change/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "张* · " in body and "50.00 CNY" in body and "compensation for the outage" in body


def test_the_request_list_shows_target_amount_and_reason(zhang: Customer) -> None:
    _credit_request(zhang, amount="36.00", reason="duplicate charge at the counter")
    checker = StaffFactory(roles=["RISK_OFFICER"])

    body = admin_client_for(checker).get("/admin/payments/adjustmentrequest/").content.decode()

    assert "张* · " in body and "36.00 CNY" in body and "duplicate charge at the counter" in body
    assert ">3600<" not in body


# --- issue 10.4: yuan, the real id in the message, fee waiver, labels, View site -------------------
def test_a_request_is_made_in_yuan_with_a_default_deadline_and_the_message_names_it(zhang: Customer) -> None:
    wallet = wallet_fund(zhang, "10.00")
    client = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=zhang.home_branch))

    form = client.get(ADD)
    done = client.post(ADD, _form(wallet, amount="50.00"), follow=True)

    initial = form.context["adminform"].form.fields["deadline"].initial
    assert timedelta(hours=23) < initial - timezone.now() <= timedelta(hours=24)
    created = AdjustmentRequest.objects.get()
    assert created.amount_minor == 50_00 and created.currency == "CNY"
    texts = [m.message for m in done.context["messages"]]
    assert any(str(created.public_id) in str(t) for t in texts), texts


def test_an_amount_with_too_many_decimals_is_a_form_error(zhang: Customer) -> None:
    wallet = wallet_fund(zhang, "10.00")
    client = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=zhang.home_branch))

    page = client.post(ADD, _form(wallet, amount="50.001"))

    assert page.status_code == 200 and "amount" in page.context["adminform"].form.errors
    assert not AdjustmentRequest.objects.exists()


def test_a_fee_waiver_is_accepted_when_fee_income_is_empty(zhang: Customer) -> None:
    wallet = wallet_fund(zhang, "10.00")
    client = admin_client_for(StaffFactory(roles=["CUSTOMER_SERVICE"], branch=zhang.home_branch))

    done = client.post(ADD, _form(wallet, kind="FEE_WAIVER", amount="5.00"), follow=True)

    assert [m.level for m in done.context["messages"]] == [messages.SUCCESS]
    request = AdjustmentRequest.objects.get()
    assert request.kind == "FEE_WAIVER" and request.holds.get().status == "AUTHORIZED"


def test_a_reversal_whose_money_is_gone_says_so(zhang: Customer, here) -> None:
    other = CustomerFactory(home_branch=here)
    wallet_fund(zhang, "10.00")
    with transaction.atomic():
        transfer = transfer_post(
            kind="P2P",
            legs=[
                Leg(LedgerAccount.objects.get(customer=zhang), Money(-10_00, "CNY")),
                Leg(wallet_fund(other, "0.01"), Money(10_00, "CNY")),
            ],
            reference="P2P-GONE",
        )
        spend = system_account(LedgerAccount.Kind.SETTLEMENT, "CNY")
        transfer_post(
            kind="WITHDRAWAL",
            legs=[
                Leg(LedgerAccount.objects.get(customer=other), Money(-10_01, "CNY")),
                Leg(spend, Money(10_01, "CNY")),
            ],
        )
    client = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=here))

    done = client.post(
        ADD,
        _form(
            LedgerAccount.objects.get(customer=zhang),
            kind="REVERSAL",
            target_transfer=str(transfer.pk),
            target_account="",
            amount="",
        ),
        follow=True,
    )

    texts = " ".join(str(m.message) for m in done.context["messages"])
    assert (
        gettext(
            "The money this transfer credited is no longer available in the receiving account, "
            "so it cannot be held for the reversal."
        )
        in texts
    )
    assert not AdjustmentRequest.objects.exists()


def test_customers_and_ledger_accounts_read_as_masked_people(zhang: Customer) -> None:
    wallet = wallet_fund(zhang, "10.00")

    with translation.override("en"):
        assert str(zhang) == "张* 138****5678"
        assert str(LedgerAccount.objects.get(pk=wallet.pk)) == "张* · Customer wallet CNY"
        assert str(system_account(LedgerAccount.Kind.FEE_INCOME, "CNY")) == "Fee income CNY"


def test_amounts_in_admin_lists_are_in_yuan(zhang: Customer) -> None:
    wallet_fund(zhang, "100.00")
    with transaction.atomic():
        merchant = merchant_create(name="茶馆", mcc="5814", signing_branch=zhang.home_branch)
        payment = merchant_payment_create(
            customer=zhang, qr=merchant_static_qr(merchant), amount=Money(36_00, "CNY"), currency="CNY"
        )
    client = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=zhang.home_branch))

    postings = client.get("/admin/payments/posting/").content.decode()
    transfer = client.get(f"/admin/payments/transfer/{payment.transfer_id}/change/").content.decode()
    ledger_account = client.get(f"/admin/payments/ledgeraccount/{payment.wallet_id}/change/").content.decode()

    assert str(payment) == "茶馆 36.00 CNY"
    assert "-36.00 CNY" in postings and "64.00 CNY" in postings
    assert "-36.00 CNY" in transfer and ">-3600<" not in transfer
    assert "64.00 CNY" in ledger_account and ">6400<" not in ledger_account


def test_there_is_no_view_site_link_to_a_404(here) -> None:
    page = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=here)).get("/admin/")

    assert page.status_code == 200 and page.context["site_url"] is None
    assert "View site" not in page.content.decode()


# --- issue 9.3: ids named in forms and widgets are checked against the branch scope ---------------
def test_a_teller_cannot_file_a_request_against_another_branchs_wallet(zhang: Customer, elsewhere) -> None:
    wallet = wallet_fund(zhang, "10.00")
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=elsewhere))

    page = client.post(ADD, _form(wallet))

    assert page.status_code == 200
    errors = page.context["adminform"].form.errors
    outside = gettext(
        "%(value)s is not one of the objects you may act on: it does not exist or belongs to a branch "
        "outside your scope."
    ) % {"value": wallet.pk}
    assert "target_account" in errors and outside in str(errors["target_account"])
    assert not AdjustmentRequest.objects.exists()


def test_a_teller_cannot_freeze_another_branchs_money_with_a_reversal(zhang: Customer, here, elsewhere) -> None:
    other = CustomerFactory(home_branch=here)
    wallet_fund(zhang, "10.00")
    with transaction.atomic():
        transfer = transfer_post(
            kind="P2P",
            legs=[
                Leg(LedgerAccount.objects.get(customer=zhang), Money(-5_00, "CNY")),
                Leg(wallet_fund(other, "0.01"), Money(5_00, "CNY")),
            ],
        )
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=elsewhere))
    wallet = LedgerAccount.objects.get(customer=zhang)

    page = client.post(ADD, _form(wallet, kind="REVERSAL", target_transfer=str(transfer.pk), target_account=""))

    assert page.status_code == 200 and "target_transfer" in page.context["adminform"].form.errors
    assert not AdjustmentRequest.objects.exists()
    assert balance(LedgerAccount.objects.get(customer=other)) == 5_01


def test_widgets_do_not_label_or_offer_another_branchs_wallet(zhang: Customer, elsewhere) -> None:
    wallet = wallet_fund(zhang, "10.00")
    mine = wallet_fund(CustomerFactory(legal_name="李四", home_branch=elsewhere), "1.00")
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=elsewhere))

    add = client.get(f"{ADD}?target_account={wallet.pk}").content.decode()
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "payments", "model_name": "adjustmentrequest", "field_name": "target_account", "term": ""},
    ).json()

    assert "张*" not in add and wallet.code not in add and str(wallet.public_id) not in add
    assert [r["id"] for r in found["results"]] == [str(mine.pk)]


def test_the_autocomplete_finds_a_wallet_by_phone(zhang: Customer) -> None:
    wallet = wallet_fund(zhang, "10.00")
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=zhang.home_branch))

    found = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "payments",
            "model_name": "adjustmentrequest",
            "field_name": "target_account",
            "term": "13812345678",
        },
    ).json()

    assert [r["id"] for r in found["results"]] == [str(wallet.pk)]
    assert found["results"][0]["text"].startswith("张* · ")


# --- issue 9.4: counterparty legs, merchant orders ------------------------------------------------
def test_a_transfer_page_hides_the_other_branchs_counterparty_and_balance(zhang: Customer, elsewhere) -> None:
    wallet_fund(zhang, "10.00")
    stranger = CustomerFactory(legal_name="赵六", home_branch=elsewhere)
    with transaction.atomic():
        transfer = transfer_post(
            kind="P2P",
            legs=[
                Leg(LedgerAccount.objects.get(customer=zhang), Money(-3_00, "CNY")),
                Leg(wallet_fund(stranger, "987.65"), Money(3_00, "CNY")),
            ],
            initiated_by=zhang,
        )
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=zhang.home_branch))
    theirs = admin_client_for(StaffFactory(roles=["TELLER"], branch=elsewhere))

    body = client.get(f"/admin/payments/transfer/{transfer.pk}/change/").content.decode()
    their_body = theirs.get(f"/admin/payments/transfer/{transfer.pk}/change/").content.decode()

    assert "张* · " in body and "7.00 CNY" in body
    assert "赵*" not in body and "990.65" not in body and gettext("an account outside your branch") in body
    assert "赵* · " in their_body and "990.65" in their_body
    assert "张*" not in their_body and "138****5678" not in their_body
    assert gettext("a customer outside your branch") in their_body


def test_merchant_orders_are_branch_scoped(here, elsewhere) -> None:
    with transaction.atomic():
        ours = merchant_create(name="本行商户", mcc="5814", signing_branch=here)
        theirs = merchant_create(name="他行商户", mcc="5814", signing_branch=elsewhere)
    expires = timezone.now() + timedelta(minutes=5)
    mine = merchant_order_create(merchant=ours, amount=Money(1_00, "CNY"), expires_at=expires)
    foreign = merchant_order_create(merchant=theirs, amount=Money(2_00, "CNY"), expires_at=expires)
    client = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=here))

    listing = client.get("/admin/payments/merchantorder/").content.decode()
    page = client.get(f"/admin/payments/merchantorder/{foreign.pk}/change/")

    assert str(mine.public_id) in listing and str(foreign.public_id) not in listing
    assert page.status_code in (302, 404)
    assert Transfer.objects.count() == 0


def test_biller_limits_are_typed_and_shown_in_yuan() -> None:
    from django.contrib.auth.models import User

    from payments.models import Biller

    root = User.objects.create_superuser("root", "root@example.com", "Root-Password-2026!")
    client = admin_client_for(root)
    data = {
        "code": "SGCC-SH",
        "name": "国网上海",
        "category": "ELECTRICITY",
        "validator": "electricity",
        "currency": "CNY",
        "status": "ACTIVE",
        "min_amount": "0.01",
        "max_amount": "5000.00",
    }

    created = client.post("/admin/payments/biller/add/", data)
    biller = Biller.objects.get(code="SGCC-SH")
    page = client.get(f"/admin/payments/biller/{biller.pk}/change/").content.decode()

    assert created.status_code == 302
    assert (biller.min_amount_minor, biller.max_amount_minor) == (1, 500_000)
    assert 'value="5000.00"' in page


def test_a_second_reversal_request_for_the_same_transfer_is_refused_by_the_form(zhang: Customer, here) -> None:
    other = CustomerFactory(home_branch=here)
    wallet_fund(zhang, "10.00")
    with transaction.atomic():
        transfer = transfer_post(
            kind="P2P",
            legs=[
                Leg(LedgerAccount.objects.get(customer=zhang), Money(-5_00, "CNY")),
                Leg(wallet_fund(other, "0.01"), Money(5_00, "CNY")),
            ],
        )
    client = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=here))
    data = _form(
        LedgerAccount.objects.get(customer=zhang),
        kind="REVERSAL",
        target_transfer=str(transfer.pk),
        target_account="",
        amount="",
    )

    first = client.post(ADD, data)
    second = client.post(ADD, data)

    assert first.status_code == 302
    assert second.status_code == 200 and "target_transfer" in second.context["adminform"].form.errors
    assert AdjustmentRequest.objects.count() == 1
    assert available(LedgerAccount.objects.get(customer=other)) == 1


# --- review 2: payments lists browse the branch tree, not the search scope ------------------------


def _listed(client, url: str) -> set[int]:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_customer_service_cannot_browse_other_branches_wallets_and_transfers(alice: Customer) -> None:
    """Found: every payments list used the bank-wide search scope, so customer service browsed all wallets."""
    branch_a, branch_b = BranchFactory(), BranchFactory()
    Customer.objects.filter(pk=alice.pk).update(home_branch=branch_b)
    wallet = wallet_fund(alice, "88.00")
    topup = Transfer.objects.filter(postings__account=wallet).first()
    client = admin_client_for(StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branch_a))

    assert alice.pk not in _listed(client, "/admin/accounts/customer/")
    assert wallet.pk not in _listed(client, "/admin/payments/ledgeraccount/")
    assert topup.pk not in _listed(client, "/admin/payments/transfer/")


def test_teller_cannot_browse_unattributed_app_customers_wallets(alice: Customer) -> None:
    """Found: every branch's tellers browsed all app customers' wallets and balances."""
    Customer.objects.filter(pk=alice.pk).update(home_branch=None)
    wallet = wallet_fund(alice, "88.00")
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=BranchFactory()))

    assert alice.pk not in _listed(client, "/admin/accounts/customer/")
    assert wallet.pk not in _listed(client, "/admin/payments/ledgeraccount/")
    assert LedgerAccount.objects.filter(pk=wallet.pk).exists()
