"""Helpers and fixtures of the messages, products and usage tests (imported by each test module:
tests/feedback/conftest.py belongs to the feedback/tickets slice)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Branch, Consent, Customer, StaffRole
from feedback import integrations_push
from feedback.models_messages import Article, Lead, Message, MessageDelivery, Product
from tests.factories import CustomerFactory, StaffFactory


@pytest.fixture(autouse=True)
def _messages_reference_data(request: pytest.FixtureRequest) -> None:
    """KYC tiers and the role groups with their permissions (a transactional test's flush empties them)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    from django.contrib.auth.models import Group

    from tests.payments.conftest import reference_data_ensure
    from tests.reference_data import reference_data_restore

    reference_data_ensure()
    marketing = Group.objects.filter(name="MARKETING").first()
    if marketing is None or not marketing.permissions.filter(codename="approve_message").exists():
        reference_data_restore()


@pytest.fixture(autouse=True)
def pushed(settings: Any) -> Iterator[list[integrations_push.PushNotification]]:
    settings.FEEDBACK_PUSH_BACKEND = "feedback.integrations_push.LocmemPushBackend"
    integrations_push.sent.clear()
    yield integrations_push.sent
    integrations_push.sent.clear()


def marketer() -> Any:
    return StaffFactory(roles=[StaffRole.MARKETING], branch=None)


def customer(*, consent: bool = False, branch: Branch | None = None, **fields: Any) -> Customer:
    made = CustomerFactory(**({"home_branch": branch} if branch else {}), **fields)
    if consent:
        Consent.objects.create(customer=made, purpose=Consent.Purpose.MARKETING, version="2026-01")
    return made


def token_client(who: Customer) -> APIClient:
    from tests.accounts.conftest import bearer_client

    return bearer_client(who, device_id=f"msg-{secrets.token_hex(6)}")


def scheduled_message(
    *, kind: str = Message.Kind.SERVICE, segment: dict[str, Any] | None = None, customers: list[Customer] | None = None
) -> Message:
    """A message written by a marketer and approved by a second person, due now (through the
    services): another marketer for MARKETING, a risk officer for a notice that ignores consent."""
    from feedback.services.messages import message_approve, message_create, message_submit

    maker = marketer()
    approver = (
        marketer() if kind == Message.Kind.MARKETING else StaffFactory(roles=[StaffRole.RISK_OFFICER], branch=None)
    )
    data = {
        "kind": kind,
        "audience": Message.Audience.CUSTOMERS if customers is not None else Message.Audience.SEGMENT,
        "title_zh": "账户安全提醒",
        "title_en": "Account security notice",
        "body_zh": "请勿向任何人透露验证码。",
        "body_en": "Never tell anyone your one-time code.",
        "segment": segment or {},
        "send_at": timezone.now() - timedelta(seconds=1),
    }
    message = message_create(by=maker, data=data, customer_ids=[c.pk for c in customers or []])
    message_submit(message_id=message.pk, by=maker)
    return message_approve(message_id=message.pk, by=approver)


def delivered_to(message: Message) -> set[int]:
    return set(MessageDelivery.objects.filter(message=message).values_list("customer_id", flat=True))


def inbox_item(owner: Customer, *, kind: str = Message.Kind.SERVICE, title: str = "通知") -> MessageDelivery:
    """An inbox item of ``owner`` (a sent message's delivery row, as the dispatcher writes it)."""
    message = Message.objects.create(
        kind=kind,
        title_zh=title,
        title_en="Notice",
        body_zh="正文",
        body_en="Body",
        audience=Message.Audience.CUSTOMERS,
        send_at=timezone.now(),
        status=Message.Status.SENT,
        created_by=marketer(),
    )
    return MessageDelivery.objects.create(message=message, customer=owner, created_at=timezone.now())


def product(code: str | None = None, **fields: Any) -> Product:
    defaults: dict[str, Any] = {
        "category": Product.Category.DEPOSIT,
        "name_zh": "三年期定期存款",
        "name_en": "3-year deposit",
        "description_zh": "到期支取。",
        "description_en": "Withdraw at maturity.",
        "lead_sla_hours": 48,
    }
    return Product.objects.create(code=code or f"P-{secrets.token_hex(4)}", **{**defaults, **fields})


def published_article(slug: str | None = None, kind: str = Article.Kind.SECURITY_TIP) -> Article:
    return Article.objects.create(
        slug=slug or f"a-{secrets.token_hex(4)}",
        kind=kind,
        title_zh="验证码不要告诉任何人",
        title_en="Never share your code",
        body_zh="正文",
        body_en="Body",
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )


def open_lead(owner: Customer) -> Lead:
    from feedback.services.products import lead_create

    return lead_create(customer=owner, product_id=product().public_id, kind=Lead.Kind.INTEREST)
