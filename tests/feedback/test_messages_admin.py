"""The admin of articles, messages and products: pages open, saving goes through the services
(audited), approval by a second staff member, delivery statistics on a sent message."""

from __future__ import annotations

import pytest

from core.models import AuditEvent
from feedback.models_messages import Article, Message, Product
from feedback.services.messages import messages_dispatch_due
from tests.accounts.conftest import admin_client_for
from tests.feedback.fixtures_messages import (  # noqa: F401 - fixtures
    _messages_reference_data,
    customer,
    marketer,
    pushed,
    scheduled_message,
)

pytestmark = pytest.mark.django_db


def test_an_article_written_and_approved_in_the_admin() -> None:
    author, approver = marketer(), marketer()
    writing, approving = admin_client_for(author), admin_client_for(approver)

    added = writing.post(
        "/admin/feedback/article/add/",
        {
            "slug": "",
            "kind": "SECURITY_TIP",
            "title_zh": "警惕冒充公检法",
            "title_en": "Beware of fake police calls",
            "body_zh": "公检法不会要求转账到安全账户。",
            "body_en": "The police never ask you to move money to a safe account.",
        },
    )
    article = Article.objects.get()
    writing.post("/admin/feedback/article/", {"action": "submit_selected", "_selected_action": [article.pk]})
    own = writing.post("/admin/feedback/article/", {"action": "approve_selected", "_selected_action": [article.pk]})
    article.refresh_from_db()
    status_after_own = article.status
    approving.post("/admin/feedback/article/", {"action": "approve_selected", "_selected_action": [article.pk]})
    article.refresh_from_db()

    assert added.status_code == 302 and own.status_code == 302
    assert (status_after_own, article.status) == ("SUBMITTED", "PUBLISHED")
    assert (article.author, article.approved_by, article.slug) == (author, approver, "beware-of-fake-police-calls")
    assert AuditEvent.objects.filter(object_type="feedback.Article").count() == 3


def test_message_pages_open_and_a_sent_message_shows_its_statistics() -> None:
    client = admin_client_for(marketer())
    people = [customer(), customer()]
    message = scheduled_message(customers=people)
    messages_dispatch_due()

    assert client.get("/admin/feedback/message/add/").status_code == 200
    assert client.get("/admin/feedback/message/").status_code == 200
    page = client.get(f"/admin/feedback/message/{message.pk}/change/")
    assert page.status_code == 200
    assert "已投递 2 · 已推送 0 · 已读 0 (0.0%)" in page.content.decode()  # the staff admin speaks zh-hans
    assert Message.objects.get(pk=message.pk).recipients_count == 2


def test_a_product_with_an_invalid_eligibility_is_not_saved() -> None:
    client = admin_client_for(marketer())
    data = {
        "code": "DEP-1Y",
        "category": "DEPOSIT",
        "name_zh": "一年期定期",
        "name_en": "1-year deposit",
        "description_zh": "到期支取。",
        "description_en": "Withdraw at maturity.",
        "eligibility": '{"age_bands": ["ancient"]}',
        "lead_sla_hours": 48,
        "active": "on",
        "sort_order": 5,
    }

    refused = client.post("/admin/feedback/product/add/", data)
    saved = client.post("/admin/feedback/product/add/", {**data, "eligibility": '{"kyc_tiers": [2]}'})

    assert refused.status_code == 200 and Product.objects.filter(code="DEP-1Y").count() == 1
    assert saved.status_code == 302
    assert AuditEvent.objects.filter(action="feedback.product.create").count() == 1
