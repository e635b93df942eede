"""The demo data of messages and products (``seed_demo``, run by ``make run``): idempotent, the
security tips published, the catalogue present, one security notice due for everyone."""

from __future__ import annotations

import io

import pytest

from feedback.demo_messages import ARTICLES, PRODUCTS, seed
from feedback.models_messages import Article, Message, Product
from tests.factories import StaffFactory
from tests.feedback.fixtures_messages import _messages_reference_data, pushed  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_demo_seed_is_idempotent_and_publishes_the_security_tips() -> None:
    StaffFactory(is_superuser=True)

    seed(io.StringIO())
    seed(io.StringIO())

    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    assert published.count() == len(ARTICLES)
    assert published.filter(kind=Article.Kind.SECURITY_TIP, slug="never-share-your-otp").exists()
    assert all(a.title_zh and a.title_en and a.body_zh and a.body_en for a in published)
    assert Product.objects.count() == len(PRODUCTS)
    notice = Message.objects.get()
    assert (notice.kind, notice.status, notice.segment) == ("SECURITY", "SCHEDULED", {})
