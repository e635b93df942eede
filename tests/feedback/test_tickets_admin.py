"""The admin side of feedback: screenshots for staff in scope only (audited), keyword lists audited."""

from __future__ import annotations

import pytest

from accounts.models import StaffRole
from core.models import AuditEvent
from feedback.models import FeedbackAttachment, SurveyKeywordList
from feedback.services.tickets import feedback_create
from tests.accounts.conftest import admin_client_for
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.feedback.factories_tickets import image_bytes, upload

pytestmark = pytest.mark.django_db


def _screenshot():  # type: ignore[no-untyped-def]
    customer = CustomerFactory()
    content = image_bytes("PNG")
    feedback_create(customer=customer, category="PROBLEM", rating=2, text="截图", files=[upload(content)])
    return customer, FeedbackAttachment.objects.get(), content


def test_staff_of_the_branch_download_a_screenshot_and_the_view_is_audited() -> None:
    customer, attachment, content = _screenshot()
    teller = StaffFactory(roles=[StaffRole.TELLER], branch=customer.home_branch)
    url = f"/admin/feedback/feedback/{attachment.feedback_id}/attachments/{attachment.public_id}/"

    page = admin_client_for(teller).get(f"/admin/feedback/feedback/{attachment.feedback_id}/change/")
    response = admin_client_for(teller).get(url)

    assert page.status_code == 200 and url in page.content.decode()
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "image/png"
    event = AuditEvent.objects.get(action="feedback.attachment.view")
    assert (event.actor_id, event.object_id) == (teller.pk, str(attachment.pk))


def test_staff_of_another_branch_get_a_404_and_nothing_is_audited() -> None:
    _customer, attachment, _content = _screenshot()
    outsider = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=BranchFactory())

    response = admin_client_for(outsider).get(
        f"/admin/feedback/feedback/{attachment.feedback_id}/attachments/{attachment.public_id}/"
    )

    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="feedback.attachment.view").count() == 0


def test_keyword_list_changes_are_audited() -> None:
    marketing = StaffFactory(roles=[StaffRole.MARKETING], branch=None)
    client = admin_client_for(marketing)

    added = client.post(
        "/admin/feedback/surveykeywordlist/add/", {"tag": "到账", "keywords": "到账\n转账", "active": "on"}
    )
    kl = SurveyKeywordList.objects.get()
    deleted = client.post(f"/admin/feedback/surveykeywordlist/{kl.pk}/delete/", {"post": "yes"})

    assert (added.status_code, deleted.status_code) == (302, 302)
    assert list(
        AuditEvent.objects.filter(action__startswith="feedback.keywords")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "feedback.keywords.add",
        "feedback.keywords.delete",
    ]


def test_a_teller_cannot_edit_keyword_lists() -> None:
    teller = StaffFactory(roles=[StaffRole.TELLER], branch=BranchFactory())

    response = admin_client_for(teller).post("/admin/feedback/surveykeywordlist/add/", {"tag": "x", "keywords": "y"})

    assert response.status_code == 403
    assert SurveyKeywordList.objects.count() == 0
