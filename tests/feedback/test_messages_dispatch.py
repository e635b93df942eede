"""Messages: consent filtering by kind, the due-message dispatcher (set-based, once per customer even
with a doubled beat), pushes through the channel, and the two-person approval."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Consent, Customer, StaffRole
from core.models import AuditEvent
from feedback.errors_messages import ContentInvalid, SelfApprovalRefused, StaffPermissionRequired
from feedback.models_messages import Article, Message, MessageDelivery
from feedback.services import messages as services
from feedback.services.articles import article_approve, article_create, article_submit, article_update
from tests.factories import BranchFactory, StaffFactory
from tests.feedback.fixtures_messages import (  # noqa: F401 - fixtures
    _messages_reference_data,
    customer,
    delivered_to,
    marketer,
    pushed,
    scheduled_message,
)

pytestmark = pytest.mark.django_db


# --- consent --------------------------------------------------------------------------------------
def test_a_marketing_message_reaches_only_customers_with_a_live_marketing_consent() -> None:
    consenting = customer(consent=True)
    withdrawn = customer(consent=True)
    Consent.objects.filter(customer=withdrawn).update(withdrawn_at=timezone.now())
    silent = customer()
    message = scheduled_message(kind=Message.Kind.MARKETING)

    services.messages_dispatch_due()

    assert delivered_to(message) == {consenting.pk}
    assert withdrawn.pk not in delivered_to(message) and silent.pk not in delivered_to(message)
    message.refresh_from_db()
    assert (message.status, message.recipients_count) == (Message.Status.SENT, 1)


@pytest.mark.parametrize("kind", [Message.Kind.SERVICE, Message.Kind.SECURITY])
def test_service_and_security_notices_reach_customers_without_consent_but_not_closed_ones(kind: str) -> None:
    consenting, silent = customer(consent=True), customer()
    frozen = customer(status=Customer.Status.FROZEN)
    closed = customer(status=Customer.Status.CLOSED)
    message = scheduled_message(kind=kind)

    services.messages_dispatch_due()

    assert {consenting.pk, silent.pk, frozen.pk} <= delivered_to(message)
    assert closed.pk not in delivered_to(message)


def test_a_segment_narrows_the_audience_with_the_promotions_criteria() -> None:
    here, there = BranchFactory(), BranchFactory()
    mine, theirs = customer(branch=here), customer(branch=there)
    business = customer(branch=here, customer_type=Customer.Type.SMALL_BUSINESS)

    message = scheduled_message(segment={"home_branches": [here.code], "customer_types": ["INDIVIDUAL"]})
    services.messages_dispatch_due()

    assert delivered_to(message) == {mine.pk}
    assert theirs.pk not in delivered_to(message) and business.pk not in delivered_to(message)


def test_a_marketing_message_to_named_customers_still_skips_those_without_consent() -> None:
    yes, no = customer(consent=True), customer()
    message = scheduled_message(kind=Message.Kind.MARKETING, customers=[yes, no])

    services.messages_dispatch_due()

    assert delivered_to(message) == {yes.pk}


# --- the dispatcher -------------------------------------------------------------------------------
def test_a_message_is_not_sent_before_its_time_nor_unless_approved() -> None:
    customer()
    later = scheduled_message()
    Message.objects.filter(pk=later.pk).update(send_at=timezone.now() + timedelta(hours=1))
    draft = scheduled_message()
    Message.objects.filter(pk=draft.pk).update(status=Message.Status.SUBMITTED)

    assert services.messages_dispatch_due() == []
    assert MessageDelivery.objects.count() == 0


def test_a_doubled_beat_tick_delivers_each_message_once_per_customer() -> None:
    people = [customer() for _ in range(5)]
    message = scheduled_message()

    first = services.messages_dispatch_due()
    second = services.messages_dispatch_due()
    # Even a forced second fan-out of the same message inserts nothing (unique per message, customer).
    with transaction.atomic():
        forced = services._fan_out(message, timezone.now())

    assert (first, second, forced) == ([message.pk], [], 0)
    assert MessageDelivery.objects.filter(message=message).count() >= len(people)
    assert MessageDelivery.objects.filter(message=message, customer__in=people).count() == 5


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_the_same_moment_deliver_once() -> None:
    people = [customer() for _ in range(20)]
    message = scheduled_message()
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def tick() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(services.messages_dispatch_due())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results, key=len) == [[], [message.pk]]
    rows = MessageDelivery.objects.filter(message=message)
    assert rows.count() == rows.values("customer").distinct().count() == len(people)
    message.refresh_from_db()
    assert (message.status, message.recipients_count) == (Message.Status.SENT, 20)


def test_the_fan_out_is_one_statement_whatever_the_audience_size() -> None:
    def statements_for(n: int) -> list[str]:
        for _ in range(n):
            customer()
        scheduled_message()
        with CaptureQueriesContext(connection) as queries:
            services.messages_dispatch_due(limit=1)
        return [q["sql"] for q in queries.captured_queries if "feedback_messagedelivery" in q["sql"]]

    small, large = statements_for(2), statements_for(40)

    assert len(small) == len(large) == 1
    assert large[0].startswith("INSERT INTO feedback_messagedelivery") and "SELECT" in large[0]


# --- pushes ---------------------------------------------------------------------------------------
def test_each_delivery_is_pushed_once_through_the_channel() -> None:
    from feedback.integrations_push import sent

    people = [customer() for _ in range(3)]
    message = scheduled_message(kind=Message.Kind.SECURITY, customers=people)
    services.messages_dispatch_due()

    first = services.messages_push_pending(message_id=message.pk)
    again = services.messages_push_pending(message_id=message.pk)

    assert (first, again) == (3, 0)
    assert sorted(p.customer_id for p in sent) == sorted(str(c.public_id) for c in people)
    assert {p.kind for p in sent} == {"SECURITY"}
    assert sent[0].title == {"zh-hans": "账户安全提醒", "en": "Account security notice"}
    assert not MessageDelivery.objects.filter(message=message, pushed_at__isnull=True).exists()


def test_an_unavailable_channel_gets_the_batch_back(settings: Any, monkeypatch: Any) -> None:
    from feedback import integrations_push

    def refuse(self: Any, notifications: Any) -> None:
        raise integrations_push.PushUnavailable

    monkeypatch.setattr(integrations_push.LocmemPushBackend, "send", refuse)
    message = scheduled_message(customers=[customer()])
    services.messages_dispatch_due()

    assert services.messages_push_pending() == 0
    assert MessageDelivery.objects.filter(message=message, pushed_at__isnull=True).count() == 1


# --- approval ---------------------------------------------------------------------------------------
def _draft(by: Any) -> Message:
    return services.message_create(
        by=by,
        data={
            "kind": Message.Kind.SERVICE,
            "audience": Message.Audience.SEGMENT,
            "title_zh": "维护通知",
            "title_en": "Maintenance",
            "body_zh": "周六凌晨系统维护。",
            "body_en": "Maintenance early on Saturday.",
            "segment": {},
            "send_at": timezone.now() + timedelta(days=1),
        },
    )


def test_nobody_approves_a_message_they_wrote_or_edited() -> None:
    author, editor = marketer(), marketer()
    approver = StaffFactory(roles=[StaffRole.RISK_OFFICER], branch=None)  # a notice: outside marketing
    message = _draft(author)
    data = {f: getattr(message, f) for f in services.MESSAGE_FIELDS}
    services.message_update(message_id=message.pk, by=editor, data={**data, "title_en": "Planned maintenance"})
    services.message_submit(message_id=message.pk, by=author)

    for who in (author, editor):
        with pytest.raises(SelfApprovalRefused):
            services.message_approve(message_id=message.pk, by=who)
    approved = services.message_approve(message_id=message.pk, by=approver)

    assert (approved.status, approved.approved_by) == (Message.Status.SCHEDULED, approver)
    assert list(
        AuditEvent.objects.filter(object_type="feedback.Message", object_id=str(message.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "feedback.message.create",
        "feedback.message.update",
        "feedback.message.submit",
        "feedback.message.approve",
    ]


def test_the_database_refuses_a_self_approved_message() -> None:
    author = marketer()
    message = _draft(author)

    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.filter(pk=message.pk).update(approved_by=author)


def test_a_teller_cannot_write_messages_and_bad_input_stores_nothing() -> None:
    teller = StaffFactory(roles=["TELLER"], branch=BranchFactory())

    with pytest.raises(StaffPermissionRequired):
        _draft(teller)
    with pytest.raises(ContentInvalid) as bad:
        services.message_create(
            by=marketer(),
            data={"kind": "SPAM", "audience": "SEGMENT", "title_zh": " ", "segment": {"age_bands": ["ancient"]}},
        )

    assert set(bad.value.details) >= {"kind", "title_zh", "title_en", "body_zh", "body_en", "send_at", "segment"}
    assert Message.objects.count() == 0


def test_an_article_is_published_only_by_a_second_staff_member() -> None:
    author, approver = marketer(), marketer()
    article = article_create(
        by=author,
        data={
            "kind": Article.Kind.SECURITY_TIP,
            "title_zh": "识别诈骗电话",
            "title_en": "Spotting fraud calls",
            "body_zh": "银行不会索要验证码。",
            "body_en": "The bank never asks for your code.",
        },
    )
    article_update(
        article_id=article.pk,
        by=author,
        data={
            "slug": article.slug,
            "kind": article.kind,
            "title_zh": article.title_zh,
            "title_en": article.title_en,
            "body_zh": article.body_zh,
            "body_en": "The bank never asks for your one-time code.",
        },
    )
    article_submit(article_id=article.pk, by=author)

    with pytest.raises(SelfApprovalRefused):
        article_approve(article_id=article.pk, by=author)
    published = article_approve(article_id=article.pk, by=approver)

    assert (published.slug, published.status) == ("spotting-fraud-calls", Article.Status.PUBLISHED)
    assert published.published_at is not None and published.approved_by == approver
    assert AuditEvent.objects.filter(action="feedback.article.approve", object_id=str(article.pk)).count() == 1


def test_the_beat_task_sends_and_pushes_and_a_second_tick_does_nothing(settings: Any) -> None:
    from feedback import tasks_messages
    from feedback.integrations_push import sent

    settings.CELERY_TASK_ALWAYS_EAGER = True
    from wallet_site.celery import app

    app.conf.task_always_eager = True
    try:
        people = [customer() for _ in range(3)]
        message = scheduled_message(kind=Message.Kind.SECURITY, customers=people)

        first = tasks_messages.messages_dispatch()
        second = tasks_messages.messages_dispatch()
        swept = tasks_messages.messages_push()
    finally:
        app.conf.task_always_eager = False

    assert (first, second, swept) == (1, 0, 0)
    assert len(sent) == 3 and delivered_to(message) == {p.pk for p in people}
