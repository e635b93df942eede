"""Every list of the customer API pages the same way (issue 16, core.pagination): ``cursor`` and
``page_size`` in, ``results``/``next_cursor``/``previous_cursor``/``next``/``previous`` out, keyset
cursors both ways, and one 400 for a cursor or page size the API did not issue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Consent
from core.pagination import KeysetCursor, sequence_page
from tests.accounts.conftest import bearer_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PAGE_KEYS = {"results", "next_cursor", "previous_cursor", "next", "previous"}


def _walk(client, url: str, **params: object) -> list[dict]:  # type: ignore[no-untyped-def]
    pages, cursor = [], None
    for _ in range(50):  # a cursor that does not advance must fail the test, not hang it
        body = client.get(url, {**params, **({"cursor": cursor} if cursor else {})}).json()
        assert set(body) == PAGE_KEYS
        pages.append(body)
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the cursor never reached the end")


def test_a_queryset_list_walks_every_item_once_forward_and_back() -> None:
    customer = CustomerFactory()
    now = timezone.now()
    for i in range(7):  # two consents share an instant: the id breaks the tie
        Consent.objects.create(
            customer=customer, purpose="MARKETING", version=f"v{i}", granted_at=now - timedelta(minutes=i // 2)
        )
    client = bearer_client(customer)

    pages = _walk(client, "/api/v1/me/consents", page_size=3)
    seen = [c["version"] for p in pages for c in p["results"]]
    back = client.get(pages[-1]["previous"]).json()

    assert seen == ["v1", "v0", "v3", "v2", "v5", "v4", "v6"]  # newest first; a tie: the later id first
    assert [len(p["results"]) for p in pages] == [3, 3, 1]
    assert pages[0]["previous_cursor"] is None and pages[-1]["next_cursor"] is None
    assert [c["version"] for c in back["results"]] == ["v2", "v5", "v4"]
    assert "cursor=" + pages[1]["next_cursor"] in pages[1]["next"]


def test_a_sequence_page_walks_both_ways() -> None:
    items = [("a",), ("b",), ("c",), ("d",), ("e",)]

    first = sequence_page(items, key=lambda i: i, token=None, size=2)
    second = sequence_page(items, key=lambda i: i, token=first.next, size=2)
    third = sequence_page(items, key=lambda i: i, token=second.next, size=2)
    back = sequence_page(items, key=lambda i: i, token=third.previous, size=2)

    assert [first.items, second.items, third.items] == [[("a",), ("b",)], [("c",), ("d",)], [("e",)]]
    assert third.next is None and first.previous is None
    assert back.items == [("c",), ("d",)]


@pytest.mark.parametrize(
    "url", ["/api/v1/me/consents", "/api/v1/me/devices", "/api/v1/cards", "/api/v1/wallets", "/api/v1/transactions"]
)
@pytest.mark.parametrize(
    "params,code",
    [
        ({"cursor": "bm90LWEtY3Vyc29y"}, "invalid_cursor"),
        ({"cursor": KeysetCursor(("not-a-date", "x", 1, 2, 3)).encode()}, "invalid_cursor"),
        ({"page_size": "ten"}, "invalid_page_size"),
        ({"page_size": "0"}, "invalid_page_size"),
    ],
)
def test_every_list_refuses_what_it_did_not_issue_the_same_way(url: str, params: dict, code: str) -> None:
    response = bearer_client(CustomerFactory()).get(url, params)

    assert response.status_code == 400
    assert response.json()["code"] == code


def test_page_size_above_the_maximum_is_capped() -> None:
    customer = CustomerFactory()
    for i in range(3):
        Consent.objects.create(customer=customer, purpose="MARKETING", version=f"v{i}")

    body = bearer_client(customer).get("/api/v1/me/consents", {"page_size": "1000"}).json()

    assert len(body["results"]) == 3
    assert body["next_cursor"] is None
