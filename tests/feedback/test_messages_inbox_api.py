"""The customer's inbox API (list, unread count, one item, mark read) and the articles list: own
messages only, cursor pages, clear 4xx on bad input."""

from __future__ import annotations

import uuid

import pytest

from feedback.models_messages import Article, Message, MessageDelivery
from feedback.services.messages import messages_dispatch_due
from tests.feedback.fixtures_messages import (  # noqa: F401 - fixtures
    _messages_reference_data,
    customer,
    inbox_item,
    published_article,
    pushed,
    scheduled_message,
    token_client,
)

pytestmark = pytest.mark.django_db


def test_my_inbox_lists_my_messages_newest_first_in_my_language() -> None:
    me = customer()
    older = inbox_item(me, title="旧通知")
    newer = inbox_item(me, title="新通知")
    client = token_client(me)

    chinese = client.get("/api/v1/inbox", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english = client.get("/api/v1/inbox?page_size=1", HTTP_ACCEPT_LANGUAGE="en").json()

    assert [i["id"] for i in chinese["results"]] == [str(newer.public_id), str(older.public_id)]
    assert chinese["results"][0]["title"] == "新通知" and chinese["results"][0]["read_at"] is None
    assert english["results"][0]["title"] == "Notice" and english["next_cursor"]
    following = client.get(f"/api/v1/inbox?page_size=1&cursor={english['next_cursor']}").json()
    assert [i["id"] for i in following["results"]] == [str(older.public_id)]


def test_unread_count_and_mark_read_are_idempotent() -> None:
    me = customer()
    first, _second = inbox_item(me), inbox_item(me)
    client = token_client(me)

    before = client.get("/api/v1/inbox/unread-count").json()
    marked = client.post(f"/api/v1/inbox/{first.public_id}/read")
    again = client.post(f"/api/v1/inbox/{first.public_id}/read")
    after = client.get("/api/v1/inbox/unread-count").json()
    unread = client.get("/api/v1/inbox?unread=true").json()

    assert (before, after) == ({"unread": 2}, {"unread": 1})
    assert marked.status_code == again.status_code == 200
    assert marked.json()["read_at"] == again.json()["read_at"] is not None
    assert [i["id"] for i in unread["results"]] == [str(_second.public_id)]


def test_another_customers_message_is_a_404_and_stays_unread() -> None:
    owner, other = customer(), customer()
    item = inbox_item(owner)
    client = token_client(other)

    read = client.post(f"/api/v1/inbox/{item.public_id}/read")
    shown = client.get(f"/api/v1/inbox/{item.public_id}")
    unknown = client.get(f"/api/v1/inbox/{uuid.uuid4()}")
    listed = client.get("/api/v1/inbox").json()
    count = client.get("/api/v1/inbox/unread-count").json()

    assert (read.status_code, read.json()["code"]) == (404, "not_found")
    assert shown.status_code == unknown.status_code == 404
    assert listed["results"] == [] and count == {"unread": 0}
    item.refresh_from_db()
    assert item.read_at is None
    assert token_client(owner).get(f"/api/v1/inbox/{item.public_id}").status_code == 200


def test_a_dispatched_message_arrives_in_the_inbox_with_its_article() -> None:
    me = customer()
    article = published_article()
    message = scheduled_message(kind=Message.Kind.SECURITY, customers=[me])
    Message.objects.filter(pk=message.pk).update(article=article)
    messages_dispatch_due()

    body = token_client(me).get("/api/v1/inbox").json()

    assert [(i["kind"], i["title"], i["article_id"]) for i in body["results"]] == [
        ("SECURITY", "账户安全提醒", str(article.public_id))
    ]


@pytest.mark.parametrize(
    "query,code",
    [("unread=maybe", "invalid_request"), ("page_size=0", "invalid_page_size"), ("cursor=nope", "invalid_cursor")],
)
def test_bad_inbox_queries_are_a_clear_400(query: str, code: str) -> None:
    response = token_client(customer()).get(f"/api/v1/inbox?{query}")

    assert (response.status_code, response.json()["code"]) == (400, code)


def test_the_inbox_is_for_signed_in_customers_only() -> None:
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/inbox").status_code == 401
    assert MessageDelivery.objects.count() == 0


def test_articles_lists_published_ones_only_and_filters_by_kind() -> None:
    tip = published_article(kind=Article.Kind.SECURITY_TIP)
    tutorial = published_article(kind=Article.Kind.TUTORIAL)
    Article.objects.create(
        slug="draft", kind=Article.Kind.TUTORIAL, title_zh="草稿", title_en="Draft", body_zh="x", body_en="x"
    )
    client = token_client(customer())

    everything = client.get("/api/v1/articles", HTTP_ACCEPT_LANGUAGE="en").json()
    tips = client.get("/api/v1/articles?kind=SECURITY_TIP").json()
    bad = client.get("/api/v1/articles?kind=GOSSIP")

    assert {a["id"] for a in everything["results"]} == {str(tip.public_id), str(tutorial.public_id)}
    assert everything["results"][0]["title"] == "Never share your code"
    assert [a["id"] for a in tips["results"]] == [str(tip.public_id)]
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_request")


def test_an_inbox_page_costs_the_same_queries_for_2_or_20_messages() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(n: int) -> int:
        me = customer()
        for _ in range(n):
            inbox_item(me)
        client = token_client(me)
        client.get("/api/v1/inbox")  # warm the token cache and the like
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/inbox").status_code == 200
        return len(captured.captured_queries)

    assert queries_for(2) == queries_for(20)
