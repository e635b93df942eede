"""The branch desk (issue 10): finding app customers, branch attribution, the customer page, the
home page's search and approval queue, the development SMS page, the "Close" contexts."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from accounts.integrations import sms_send
from accounts.models import Branch, Customer
from accounts.pii import national_id_index
from core.models import AuditEvent
from core.money import Money
from payments.models import AdjustmentRequest
from payments.services.adjustments import adjustment_request_create
from tests.accounts.conftest import admin_client_for
from tests.accounts.factories import national_id
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import staff_roles_ensure

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/customer/"
APP_PHONE = "+8613922220001"
SEARCH = "/admin/accounts/customer/search/"


@pytest.fixture(autouse=True)
def _payments_roles(db: None) -> None:
    staff_roles_ensure()


@pytest.fixture
def branches() -> dict[str, Branch]:
    x = BranchFactory(code="DX001", name="X 分行")
    return {"x": x, "x_sub": BranchFactory(code="DX002", name="X 支行", parent=x), "y": BranchFactory(code="DY001")}


@pytest.fixture
def app_customer() -> Customer:
    """Registered in the app: no home branch."""
    return CustomerFactory(home_branch=None, phone=APP_PHONE, onboarding_channel=Customer.Channel.APP)


def _found(client, term: str) -> list[Customer]:  # type: ignore[no-untyped-def]
    return list(client.get(CHANGELIST, {"q": term}).context["cl"].result_list)


# --- item 3: finding app customers --------------------------------------------------------------


def test_customer_service_finds_an_app_customer_by_full_phone_and_opens_the_page(branches, app_customer):
    agent = StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branches["y"])
    client = admin_client_for(agent)

    assert _found(client, "139 2222 0001") == [app_customer]
    assert client.get(f"{CHANGELIST}{app_customer.pk}/change/").status_code == 200


def test_customer_service_finds_any_branchs_customer_by_phone_but_browses_only_its_branch(branches):
    other = CustomerFactory(home_branch=branches["x"], phone="+8613922220002")
    agent = StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branches["y"])
    client = admin_client_for(agent)

    assert _found(client, "13922220002") == [other]
    assert list(client.get(CHANGELIST).context["cl"].result_list) == []


def test_teller_finds_an_unattributed_app_customer_by_phone_but_not_another_branchs(branches, app_customer):
    foreign = CustomerFactory(home_branch=branches["y"], phone="+8613922220003")
    own = CustomerFactory(home_branch=branches["x_sub"], phone="+8613922220004")
    teller = StaffFactory(roles=["TELLER"], branch=branches["x"])
    client = admin_client_for(teller)

    assert _found(client, APP_PHONE) == [app_customer]
    assert _found(client, "+8613922220003") == []
    assert list(client.get(CHANGELIST).context["cl"].result_list) == [own]
    assert client.get(f"{CHANGELIST}{foreign.pk}/change/").status_code == 302


def test_home_page_search_opens_the_customer_page_when_one_customer_matches(branches, app_customer):
    client = admin_client_for(StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branches["y"]))

    one = client.get(CHANGELIST, {"q": APP_PHONE, "open": "1"})
    none = client.get(CHANGELIST, {"q": "+8613900009999", "open": "1"})

    assert one.status_code == 302 and one["Location"] == f"{CHANGELIST}{app_customer.pk}/change/"
    # Review 2: no full number is put back into a URL (access logs).
    assert none.status_code == 302 and none["Location"] == CHANGELIST


# --- item 3: branch attribution -----------------------------------------------------------------


def test_teller_attributes_an_app_customer_to_their_branch_with_a_reason(branches, app_customer):
    teller = StaffFactory(roles=["TELLER"], branch=branches["x"])
    client = admin_client_for(teller)
    client.post(SEARCH, {"q": APP_PHONE})  # an app customer is opened from an exact search (review 2)
    url = f"{CHANGELIST}{app_customer.pk}/branch/"

    without_reason = client.post(url, {"branch": branches["x"].pk, "reason": ""})
    response = client.post(url, {"branch": branches["x"].pk, "reason": "came to the counter"})

    assert without_reason.status_code == 200
    assert response.status_code == 302
    app_customer.refresh_from_db()
    assert app_customer.home_branch == branches["x"]
    event = AuditEvent.objects.get(action="accounts.customer.home_branch")
    assert event.reason == "came to the counter" and event.changes["home_branch"] == [None, "DX001"]


def test_only_a_manager_moves_an_attributed_customer_and_only_within_their_tree(branches):
    customer = CustomerFactory(home_branch=branches["x"])
    teller = admin_client_for(StaffFactory(roles=["TELLER"], branch=branches["x"]))
    manager = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=branches["x"]))
    url = f"{CHANGELIST}{customer.pk}/branch/"

    teller.post(url, {"branch": branches["x_sub"].pk, "reason": "moved"})
    customer.refresh_from_db()
    assert customer.home_branch == branches["x"]

    outside = manager.post(url, {"branch": branches["y"].pk, "reason": "moved"})
    assert outside.status_code == 200  # not a choice for this manager
    manager.post(url, {"branch": branches["x_sub"].pk, "reason": "lives near the sub-branch"})
    customer.refresh_from_db()
    assert customer.home_branch == branches["x_sub"]


# --- item 4: the date of birth ------------------------------------------------------------------


def test_customer_page_does_not_show_the_date_of_birth(branches):
    customer = CustomerFactory(
        home_branch=branches["x"],
        national_id=national_id("11010519900307123"),
        national_id_index=national_id_index(national_id("11010519900307123")),
        date_of_birth=date(1990, 3, 7),
    )
    client = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=branches["x"]))

    for language in ("en", "zh-hans"):
        with translation.override(language):
            html = client.get(f"{CHANGELIST}{customer.pk}/change/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "1990-03-07" not in html and "1990年3月7日" not in html and "March 7, 1990" not in html
        assert "19900307" not in html and "1101**********" in html


# --- the customer page --------------------------------------------------------------------------


def test_customer_page_shows_balances_transactions_and_an_adjustment_link(branches):
    customer = CustomerFactory(home_branch=branches["x"])
    wallet = wallet_fund(customer, "1234.56")
    teller = admin_client_for(StaffFactory(roles=["TELLER"], branch=branches["x"]))

    html = teller.get(f"{CHANGELIST}{customer.pk}/change/").content.decode()

    assert "1234.56 CNY" in html
    assert reverse("admin:payments_transfer_change", args=[wallet.postings.get().transfer_id]) in html
    assert f"kind=MANUAL_CREDIT&amp;target_account={wallet.pk}&amp;currency=CNY" in html


def test_customer_page_creates_no_wallet(branches, app_customer):
    client = admin_client_for(StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branches["y"]))
    client.post(SEARCH, {"q": APP_PHONE})  # outside the agent's branch: opened from a search (review 2)

    html = client.get(f"{CHANGELIST}{app_customer.pk}/change/").content.decode()

    assert "desk-wallets" in html
    from payments.models import LedgerAccount

    assert not LedgerAccount.objects.filter(customer=app_customer).exists()


# --- the home page ------------------------------------------------------------------------------


def test_home_page_queue_shows_others_requests_and_approves_in_one_click(branches):
    customer = CustomerFactory(home_branch=branches["x"])
    wallet = wallet_fund(customer, "10.00")
    teller = StaffFactory(roles=["TELLER"], branch=branches["x"])
    manager = StaffFactory(roles=["BRANCH_MANAGER"], branch=branches["x"])
    request = adjustment_request_create(
        maker=teller,
        kind=AdjustmentRequest.Kind.MANUAL_CREDIT,
        reason="fee charged twice",
        amount=Money.parse("5.00", "CNY"),
        target_account=wallet,
    )
    client = admin_client_for(manager)

    home = client.get("/admin/").content.decode()
    teller_home = admin_client_for(teller).get("/admin/").content.decode()
    response = client.post(
        reverse("admin:payments_adjustmentrequest_changelist"),
        {"action": "approve", "index": "0", "_selected_action": str(request.pk)},
    )

    assert 'id="approval-queue"' in home and "5.00 CNY" in home and "fee charged twice" in home
    assert 'id="approval-queue"' not in teller_home  # tellers do not approve
    assert 'id="desk-find-customer"' in teller_home
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == AdjustmentRequest.Status.APPROVED


# --- development SMS codes ----------------------------------------------------------------------


def test_dev_sms_page_lists_the_last_codes_and_does_not_exist_in_production(branches):
    client = admin_client_for(StaffFactory(roles=["ADMINISTRATOR"], branch=branches["x"]))  # review 2: admins only
    sms_send(phone="+8613922229999", body="Your Tongbao code is 424242")

    page = client.get(reverse("admin:accounts_customer_dev_sms"))
    with override_settings(IS_PRODUCTION=True):
        hidden = client.get(reverse("admin:accounts_customer_dev_sms"))

    assert page.status_code == 200 and "424242" in page.content.decode()
    assert hidden.status_code == 404


# --- defect 2: "Close" has two meanings -----------------------------------------------------------


def test_closing_an_account_and_closing_a_page_translate_separately(branches):
    customer = CustomerFactory(home_branch=branches["x"])
    manager = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=branches["x"]))
    catalog = trans_real.translation("zh-hans")._catalog._catalogs[0]  # the project's own catalogue
    added = {"Close": "关闭", "account action\x04Close account": "销户"}
    saved = {key: catalog.get(key) for key in added}
    for key, value in added.items():
        catalog[key] = value
    try:
        html = manager.get(f"{CHANGELIST}{customer.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    finally:
        for key, value in saved.items():
            if value is None:
                del catalog[key]
            else:
                catalog[key] = value

    close_link = html.split("/status/close/")[1].split("</a>")[0]
    assert "销户" in close_link
    assert "关闭" in html  # the page's own "Close" (back to the list) keeps its meaning
