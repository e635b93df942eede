"""A risk officer works a case in headless Chromium: the case page says why, the held payment is
released through the reason form, and a second officer lifts a freeze the rules placed."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import StaffRole
from risk.models import Case, RiskFreeze, RiskHold
from tests.browser.conftest import screenshot, sign_in
from tests.factories import CustomerFactory, StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import staff_roles_ensure
from tests.risk.conftest import risk_roles_ensure
from tests.risk.events import access_event, deliver, p2p_real

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _mule_case() -> Case:
    mule, onward = CustomerFactory(), CustomerFactory()
    senders = [CustomerFactory() for _ in range(3)]
    for sender in senders:
        wallet_fund(sender, "3000.00")
    deliver(*[p2p_real(s, mule, "2000.00") for s in senders], p2p_real(mule, onward, "5800.00"))
    return Case.objects.get(customer=mule)


def _choose_action(page: Any, name: str) -> None:
    page.check("input.action-select")
    page.select_option("select[name=action]", name)
    page.click("button[name=index]")


def test_an_officer_reads_why_and_releases_the_held_payment(open_page: Any) -> None:
    staff_roles_ensure()
    risk_roles_ensure()
    case = _mule_case()
    officer = StaffFactory(roles=[StaffRole.RISK_OFFICER])
    page = open_page(locale="en-US")
    sign_in(page, officer)

    page.goto(f"/admin/risk/case/{case.pk}/change/")
    why = page.inner_text("div.field-why")
    screenshot(page, "risk-01-case")
    page.goto("/admin/risk/riskhold/")
    _choose_action(page, "release")
    page.fill("textarea[name=text]", "Invoices for phones seen at the branch.")
    page.click("input[type=submit][value=Confirm]")

    assert "Received 6000 CNY in 3 payments and sent out 5800 CNY" in why
    assert RiskHold.objects.get(case=case).status == "RELEASED"
    screenshot(page, "risk-02-released")


def test_a_second_officer_lifts_a_freeze(open_page: Any) -> None:
    staff_roles_ensure()
    risk_roles_ensure()
    victim = CustomerFactory()
    wallet_fund(victim, "5000.00")
    deliver(
        access_event("customer.device_added", victim, "thief-phone-999"),
        access_event("customer.password_reset", victim),
        p2p_real(victim, CustomerFactory(), "1500.00"),
    )
    maker, checker = StaffFactory(roles=[StaffRole.RISK_OFFICER]), StaffFactory(roles=[StaffRole.RISK_OFFICER])
    first, second = open_page(locale="en-US"), open_page(locale="en-US")
    sign_in(first, maker)
    sign_in(second, checker)

    first.goto("/admin/risk/riskfreeze/")
    _choose_action(first, "ask_unfreeze")
    first.fill("textarea[name=text]", "Customer came to the branch with the ID card.")
    first.click("input[type=submit][value=Confirm]")
    second.goto("/admin/risk/unfreezerequest/")
    _choose_action(second, "approve")

    victim.refresh_from_db()
    assert victim.status == "ACTIVE" and RiskFreeze.objects.get(customer=victim).status == "LIFTED"
    screenshot(second, "risk-03-unfrozen")
