"""The service desk's feedback pages as people use them, in headless Chromium (issue 14): a branch
officer answers a complaint in Chinese; marketing and a risk officer open the content pages in English."""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts.models import Branch
from feedback.models import Ticket, TicketMessage
from tests.browser.conftest import screenshot, sign_in
from tests.browser.test_desk_in_browser import ALLOWED_WORDS, UUID_RE
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.feedback.factories_tickets import complaint
from tests.payments.factories_movements import staff_roles_ensure

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def branch() -> Branch:
    staff_roles_ensure()
    return BranchFactory(code="BR002", name="上海浦东支行")


def test_a_branch_officer_answers_a_complaint_in_chinese(open_page: Any, branch: Branch) -> None:
    ticket = complaint(CustomerFactory(home_branch=branch), text="扫码付款扣款两次")
    officer = StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branch, username="service1")
    page = open_page("zh-CN")
    sign_in(page, officer)

    page.goto("/admin/feedback/ticket/")
    screenshot(page, "zh-feedback-tickets")
    listed = page.inner_text("#result_list")
    page.goto(f"/admin/feedback/ticket/{ticket.pk}/reply/")
    page.fill("textarea[name=text]", "您好，重复扣款已为您核实，将在一个工作日内退回。")
    screenshot(page, "zh-feedback-reply")
    page.click("#content form input[type=submit]")
    page.wait_for_load_state()
    screenshot(page, "zh-feedback-ticket-after-reply")

    assert "扫码付款扣款两次"[:6] in listed or str(ticket.public_id)[:8] in listed
    assert TicketMessage.objects.filter(ticket=ticket, author="STAFF", staff=officer).count() == 1
    assert Ticket.objects.get(pk=ticket.pk).status != Ticket.Status.OPEN
    text = UUID_RE.sub(" ", page.inner_text("body"))
    data_words = {"SERVICE", "BR"}
    english = {
        w
        for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text)
        if w not in ALLOWED_WORDS | {"SLA"} and w.upper() not in data_words
    }
    assert not english, english


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        (
            "MARKETING",
            [
                "/admin/feedback/article/",
                "/admin/feedback/message/",
                "/admin/feedback/product/",
                "/admin/feedback/surveyresponse/",
            ],
        ),
        ("RISK_OFFICER", ["/admin/feedback/message/", "/admin/feedback/article/"]),
        (
            "MARKETING",
            [  # promotions pages added this stop: instant benefits, referrals, lottery
                "/admin/promotions/instantbenefit/",
                "/admin/promotions/referral/",
                "/admin/promotions/referralattempt/",
                "/admin/promotions/lotterydraw/",
                "/admin/promotions/lotteryentry/",
            ],
        ),
        (
            "BRANCH_MANAGER",
            ["/admin/feedback/lead/", "/admin/feedback/ticket/", "/admin/feedback/message/feature-usage/"],
        ),
    ],
)
def test_content_and_results_pages_open_in_english(open_page: Any, branch: Branch, role: str, pages: list[str]) -> None:
    staff = StaffFactory(roles=[role], branch=branch if role == "BRANCH_MANAGER" else None)
    page = open_page("en-US")
    sign_in(page, staff)

    for url in pages:
        response = page.goto(url)
        screenshot(page, f"en-{role.lower()}-{url.strip('/').replace('/', '-')}")

        assert response is not None and response.status == 200, (url, response and response.status)
        assert "Server Error" not in page.inner_text("body")


def test_promotions_pages_added_this_stop_speak_chinese(open_page: Any) -> None:
    staff_roles_ensure()
    marketer = StaffFactory(roles=["MARKETING"], branch=None, username="marketing1")
    page = open_page("zh-CN")
    sign_in(page, marketer)
    offending: dict[str, set[str]] = {}

    for url in (
        "/admin/promotions/instantbenefit/",
        "/admin/promotions/referral/",
        "/admin/promotions/referralattempt/",
        "/admin/promotions/lotterydraw/",
    ):
        page.goto(url)
        screenshot(page, f"zh-{url.strip('/').replace('/', '-')}")
        text = UUID_RE.sub(" ", page.inner_text("body"))
        words = {
            w
            for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text)
            if w not in ALLOWED_WORDS | {"CSV"} and w != "MARKETING"
        }
        if words:
            offending[url] = words

    assert not offending, offending
