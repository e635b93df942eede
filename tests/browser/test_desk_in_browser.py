"""The branch desk as a person uses it, in headless Chromium (issue 10, "Tested as a person would").

Few and fast: one browser per session, each test signs in through the real form with a TOTP code.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts.models import Branch, Customer
from payments.models import AdjustmentRequest
from tests.browser.conftest import screenshot, sign_in
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import staff_roles_ensure

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

APP_PHONE = "+8613933330001"


@pytest.fixture
def branch() -> Branch:
    staff_roles_ensure()
    return BranchFactory(code="BR001", name="北京朝阳支行")


@pytest.fixture
def app_customer() -> Customer:
    customer = CustomerFactory(home_branch=None, phone=APP_PHONE, onboarding_channel=Customer.Channel.APP)
    wallet_fund(customer, "1234.56")
    return customer


def _find(page: Any, term: str) -> None:
    page.fill("#desk-q", term)
    page.press("#desk-q", "Enter")
    page.wait_for_load_state()


def test_customer_service_signs_in_finds_an_app_customer_by_phone_and_sees_the_balance(
    open_page: Any, branch: Branch, app_customer: Customer
) -> None:
    agent = StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branch)
    page = open_page()

    sign_in(page, agent)
    screenshot(page, "01-home-customer-service")
    _find(page, "139 3333 0001")

    assert page.url.endswith(f"/admin/accounts/customer/{app_customer.pk}/change/")
    assert "1234.56 CNY" in page.inner_text("#desk-wallets")
    assert "138" not in page.inner_text("#desk-wallets")
    screenshot(page, "02-customer-page")


def test_teller_files_an_adjustment_manager_approves_it_then_freezes_and_unfreezes(
    open_page: Any, branch: Branch, app_customer: Customer
) -> None:
    app_customer.home_branch = branch
    app_customer.save(update_fields=["home_branch"])
    teller = StaffFactory(roles=["TELLER"], branch=branch)
    manager = StaffFactory(roles=["BRANCH_MANAGER"], branch=branch)

    teller_page = open_page()
    sign_in(teller_page, teller)
    _find(teller_page, APP_PHONE)
    teller_page.click("#desk-wallets a.button")
    teller_page.fill("[name=amount]", "8.80")
    teller_page.fill("[name=reason]", "重复扣费退回")
    for name, value in (("deadline_0", "2099-01-01"), ("deadline_1", "12:00:00")):
        field = teller_page.locator(f"[name={name}]")
        if field.count() and not field.input_value():
            field.fill(value)
    screenshot(teller_page, "03-adjustment-request-form")
    teller_page.click("[name=_save]")
    teller_page.wait_for_load_state()
    adjustment = AdjustmentRequest.objects.get(maker=teller)
    assert adjustment.amount_minor == 880 and adjustment.status == AdjustmentRequest.Status.PENDING

    page = open_page()
    sign_in(page, manager)
    queue = page.inner_text("#approval-queue")
    assert "8.80 CNY" in queue and "重复扣费退回" in queue
    screenshot(page, "04-home-approval-queue")
    page.click("#approval-queue button[value=approve]")
    page.wait_for_load_state()
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentRequest.Status.APPROVED

    page.goto("/admin/")
    _find(page, APP_PHONE)
    assert "1243.36 CNY" in page.inner_text("#desk-wallets")
    page.click("#action-freeze")
    page.fill("[name=reason]", "疑似电信诈骗，客户来电要求冻结")
    screenshot(page, "05-freeze-reason")
    page.click("input[type=submit].default")
    page.wait_for_selector("#action-unfreeze")
    app_customer.refresh_from_db()
    assert app_customer.status == Customer.Status.FROZEN
    page.click("#action-unfreeze")
    page.fill("[name=reason]", "客户到柜台核实身份")
    page.click("input[type=submit].default")
    page.wait_for_selector("#action-freeze")
    app_customer.refresh_from_db()
    assert app_customer.status == Customer.Status.ACTIVE


# Words that are the same in Chinese pages: codes, units, product and standard names.
# "IP": the reveal page's notice says the audit log keeps your IP address; Chinese writes it "IP 地址".
ALLOWED_WORDS = {"CNY", "USD", "HKD", "ID", "TOTP", "SMS", "KYC", "OTP", "PIN", "QR", "Tongbao", "APP", "UUID", "IP"}


# Data, not language: the public ids (UUIDs) the customer page shows, and their 8-digit short form in lists.
UUID_RE = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9A-Za-z])[0-9a-f]{8}(?![0-9A-Za-z])",
    re.IGNORECASE,
)


def test_no_english_word_on_the_main_pages_in_simplified_chinese(
    open_page: Any, branch: Branch, app_customer: Customer
) -> None:
    app_customer.home_branch = branch
    app_customer.save(update_fields=["home_branch"])
    manager = StaffFactory(roles=["BRANCH_MANAGER"], branch=branch, username="manager1")
    page = open_page("zh-CN")
    sign_in(page, manager)
    pages = {
        "/admin/": "home",
        "/admin/accounts/customer/": "customer-list",
        f"/admin/accounts/customer/{app_customer.pk}/change/": "customer-page",
        f"/admin/accounts/customer/{app_customer.pk}/status/freeze/": "freeze",
        f"/admin/accounts/customer/{app_customer.pk}/reveal/": "reveal",
        "/admin/payments/adjustmentrequest/": "adjustment-requests",
    }
    offending: dict[str, list[str]] = {}
    # Data, not language: the username and the branch code (the admin's CSS shows them in capitals).
    data_words = {w.upper() for w in re.findall(r"[A-Za-z]+", f"{manager.username} {branch.code}")}

    for url, name in pages.items():
        page.goto(url)
        text = UUID_RE.sub(" ", page.inner_text("body"))
        words = sorted(
            {
                w
                for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text)
                if w not in ALLOWED_WORDS and w.upper() not in data_words
            }
        )
        if words:
            offending[url] = words
        screenshot(page, f"zh-{name}")

    assert not offending, f"English words in zh-hans pages: {offending}"
