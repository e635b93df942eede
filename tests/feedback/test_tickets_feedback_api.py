"""Sending feedback through the API: categories, the transaction reference (mine only), screenshots
sniffed from their bytes and kept outside the web root, and bad input refused with nothing stored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from feedback.models import Feedback, FeedbackAttachment, Ticket
from tests.accounts.conftest import bearer_client
from tests.evidence.world import fund, make_actor
from tests.factories import CustomerFactory
from tests.feedback.factories_tickets import PNG_MAGIC, image_bytes, upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback"


def _stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def _nothing_stored(root: Path) -> None:
    assert Feedback.objects.count() == 0
    assert FeedbackAttachment.objects.count() == 0
    assert Ticket.objects.count() == 0
    assert _stored_files(root) == []


def _own_transfer(actor: Any) -> Any:
    from payments.models import Posting

    wallet = fund(actor, "10.00")
    return Posting.objects.filter(account=wallet).select_related("transfer").latest("id").transfer


def test_praise_is_stored_and_opens_no_ticket() -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(URL, {"category": "PRAISE", "rating": 5, "text": "  很好用  "}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["category"], body["rating"], body["text"], body["ticket_id"]) == ("PRAISE", 5, "很好用", None)
    assert Ticket.objects.count() == 0


def test_a_complaint_opens_a_ticket_for_the_home_branch_due_by_the_normal_sla() -> None:
    customer = CustomerFactory()
    client = bearer_client(customer)

    response = client.post(URL, {"category": "COMPLAINT", "rating": 1, "text": "客服电话打不通"}, format="json")

    assert response.status_code == 201
    ticket = Ticket.objects.get(public_id=response.json()["ticket_id"])
    assert (ticket.branch_id, ticket.status, ticket.priority) == (customer.home_branch_id, "OPEN", "NORMAL")
    assert ticket.due_at - ticket.created_at == pytest.approx(timedelta(hours=72), abs=timedelta(seconds=5))
    assert list(ticket.messages.values_list("author", "text")) == [("CUSTOMER", "客服电话打不通")]


def test_a_complaint_about_my_own_transaction_is_high_priority() -> None:
    actor = make_actor()
    transfer = _own_transfer(actor)
    client = bearer_client(actor.customer)

    response = client.post(
        URL,
        {"category": "COMPLAINT", "rating": 1, "text": "到账慢", "transaction_id": str(transfer.public_id)},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["transaction_id"] == str(transfer.public_id)
    ticket = Ticket.objects.get()
    assert ticket.priority == "HIGH"
    assert ticket.due_at - ticket.created_at == pytest.approx(timedelta(hours=24), abs=timedelta(seconds=5))


def test_another_customers_transaction_is_the_same_404_as_none_and_stores_nothing(private_dir: Path) -> None:
    owner, other = make_actor(), make_actor()
    theirs = _own_transfer(owner)
    client = bearer_client(other.customer)
    body = {"category": "COMPLAINT", "rating": 1, "text": "这笔不是我的"}

    foreign = client.post(URL, {**body, "transaction_id": str(theirs.public_id)}, format="json")
    missing = client.post(URL, {**body, "transaction_id": "00000000-0000-4000-8000-000000000001"}, format="json")

    assert (foreign.status_code, missing.status_code) == (404, 404)
    assert foreign.json()["code"] == missing.json()["code"] == "transaction_not_found"
    assert foreign.json()["message"] == missing.json()["message"]
    _nothing_stored(private_dir)


@pytest.mark.parametrize(
    "body,field",
    [
        ({"category": "PROBLEM", "rating": 3, "text": ""}, "text"),
        ({"category": "PROBLEM", "rating": 3, "text": "   "}, "text"),
        ({"category": "PROBLEM", "rating": 0, "text": "x"}, "rating"),
        ({"category": "PROBLEM", "rating": 6, "text": "x"}, "rating"),
        ({"category": "PROBLEM", "rating": "5", "text": 12345}, "text"),
        ({"category": "RANT", "rating": 3, "text": "x"}, "category"),
        ({"category": "PROBLEM", "rating": 3, "text": "x" * 2001}, "text"),
        ({"category": "PROBLEM", "rating": 3, "text": "x", "transaction_id": "nope"}, "transaction_id"),
    ],
)
def test_bad_input_is_a_400_in_the_error_format_and_stores_nothing(
    body: dict[str, Any], field: str, private_dir: Path
) -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"
    assert field in response.json()["details"]
    _nothing_stored(private_dir)


def test_a_screenshot_is_sniffed_stored_privately_and_served_to_its_owner_only(private_dir: Path) -> None:
    customer, stranger = CustomerFactory(), CustomerFactory()
    client = bearer_client(customer)
    content = image_bytes("JPEG")

    response = client.post(
        URL,
        # Declared as PNG with a .png name: the stored type is what the bytes are.
        {
            "category": "PROBLEM",
            "rating": 2,
            "text": "页面报错",
            "attachments": [upload(content, "a.png", "image/png")],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    (attachment,) = response.json()["attachments"]
    assert (attachment["content_type"], attachment["size_bytes"]) == ("image/jpeg", len(content))
    stored = FeedbackAttachment.objects.get()
    files = _stored_files(private_dir)
    assert [f.read_bytes() for f in files] == [content]
    assert stored.storage_name in files[0].name and "." not in files[0].name
    assert not str(settings.FEEDBACK_PRIVATE_DIR).startswith(str(settings.STATIC_ROOT))

    mine = client.get(f"/api/v1/feedback/attachments/{attachment['id']}")
    theirs = bearer_client(stranger).get(f"/api/v1/feedback/attachments/{attachment['id']}")

    assert mine.status_code == 200
    assert b"".join(mine.streaming_content) == content
    assert (mine["Content-Type"], mine["X-Content-Type-Options"]) == ("image/jpeg", "nosniff")
    assert mine["Content-Disposition"].startswith("attachment;")
    assert theirs.status_code == 404 and theirs.json()["code"] == "not_found"


@pytest.mark.parametrize("fmt,content_type", [("PNG", "image/png"), ("WEBP", "image/webp"), ("JPEG", "image/jpeg")])
def test_png_jpeg_and_webp_are_accepted(fmt: str, content_type: str) -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(
        URL,
        {
            "category": "PROBLEM",
            "rating": 2,
            "text": "x",
            "attachments": [upload(image_bytes(fmt), "s.bin", "application/octet-stream")],
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["attachments"][0]["content_type"] == content_type


WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 200
    + b"This program cannot be run in DOS mode"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300


@pytest.mark.parametrize(
    "content,name",
    [
        (WINDOWS_EXE, "screenshot.png"),
        (ELF, "photo.jpg"),
        (b"<html><script>alert(1)</script></html>", "x.webp"),
        (PNG_MAGIC + b"\x00" * 64 + b"MZ not really a png", "polyglot.png"),
        (b"GIF89a" + image_bytes("GIF")[6:], "anim.png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 garbage", "fake.webp"),
    ],
    ids=["renamed-exe", "renamed-elf", "html", "png-header-garbage", "gif", "webp-header-garbage"],
)
def test_a_file_that_is_not_a_png_jpeg_or_webp_is_a_415_and_nothing_is_stored(
    content: bytes, name: str, private_dir: Path
) -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(
        URL,
        {
            "category": "COMPLAINT",
            "rating": 1,
            "text": "看截图",
            "attachments": [upload(image_bytes()), upload(content, name)],
        },
        format="multipart",
    )

    assert response.status_code == 415
    assert response.json()["code"] == "attachment_type_not_allowed"
    _nothing_stored(private_dir)


def test_an_oversized_screenshot_is_a_413_and_nothing_is_stored(settings: Any, private_dir: Path) -> None:
    settings.FEEDBACK_ATTACHMENT_MAX_BYTES = 2048
    client = bearer_client(CustomerFactory())
    big = image_bytes("PNG", size=(600, 600))
    assert len(big) > 2048

    response = client.post(
        URL, {"category": "PROBLEM", "rating": 2, "text": "x", "attachments": [upload(big)]}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json()["code"] == "attachment_too_large"
    assert response.json()["details"]["max_bytes"] == 2048
    _nothing_stored(private_dir)


def test_too_many_screenshots_is_a_400_and_nothing_is_stored(private_dir: Path) -> None:
    client = bearer_client(CustomerFactory())
    files = [upload(image_bytes(), f"{i}.png") for i in range(settings.FEEDBACK_ATTACHMENTS_PER_FEEDBACK + 1)]

    response = client.post(
        URL, {"category": "PROBLEM", "rating": 2, "text": "x", "attachments": files}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_attachments"
    _nothing_stored(private_dir)


def test_a_failure_after_files_were_written_removes_them(monkeypatch: Any, private_dir: Path) -> None:
    """Atomic across the database and the disk: a database error after the files were written
    leaves neither rows nor files."""
    from feedback.models import TicketMessage

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(TicketMessage.objects, "create", boom)
    customer = CustomerFactory()

    from feedback.services.tickets import feedback_create

    with pytest.raises(RuntimeError):
        feedback_create(customer=customer, category="COMPLAINT", rating=1, text="x", files=[upload(image_bytes())])

    _nothing_stored(private_dir)


def test_my_feedback_list_shows_mine_only() -> None:
    mine, theirs = CustomerFactory(), CustomerFactory()
    bearer_client(theirs).post(URL, {"category": "PRAISE", "rating": 5, "text": "别人的"}, format="json")
    client = bearer_client(mine)
    client.post(URL, {"category": "SUGGESTION", "rating": 4, "text": "加个夜间模式"}, format="json")

    response = client.get(URL)

    assert response.status_code == 200
    assert [f["text"] for f in response.json()["results"]] == ["加个夜间模式"]


def test_a_truncated_image_is_refused() -> None:
    from feedback.errors_tickets import AttachmentTypeNotAllowed
    from feedback.services.attachments import attachment_sniff

    whole = image_bytes("JPEG", size=(300, 200))

    assert attachment_sniff(whole).content_type == "image/jpeg"
    with pytest.raises(AttachmentTypeNotAllowed):
        attachment_sniff(whole[: len(whole) // 2])
    with pytest.raises(AttachmentTypeNotAllowed):
        attachment_sniff(image_bytes("PNG", size=(300, 200))[:-40])
