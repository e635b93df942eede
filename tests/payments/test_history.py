"""History: cursor pagination, filters, detail with postings (own only), CSV export, pinned query counts."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.db import transaction

from accounts.models import Customer
from core.money import Money
from payments.ledger import Leg, account_open, transfer_post, wallet_get_or_create
from tests.factories import CustomerFactory
from tests.payments.factories import customer_client, wallet_fund

pytestmark = pytest.mark.django_db


def _pay(sender: Customer, recipient: Customer, minor: int, memo: str = "") -> None:
    with transaction.atomic():
        transfer_post(
            kind="P2P",
            legs=[
                Leg(wallet_get_or_create(customer=sender, currency="CNY"), Money(-minor, "CNY")),
                Leg(wallet_get_or_create(customer=recipient, currency="CNY"), Money(minor, "CNY")),
            ],
            memo=memo,
            initiated_by=sender,
        )


def test_list_shows_own_entries_newest_first_with_masked_counterparty(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    _pay(alice, bob, 12_34, memo="lunch")

    response = customer_client(alice).get("/api/v1/transactions")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["kind"] for r in results] == ["P2P", "TOPUP"]
    p2p = results[0]
    assert p2p["direction"] == "out"
    assert p2p["amount"] == {"amount": "-12.34", "currency": "CNY"}
    assert p2p["balance_after"] == {"amount": "87.66", "currency": "CNY"}
    assert p2p["counterparty"]["name"] == "李*"
    assert "****" in p2p["counterparty"]["phone"]
    assert p2p["memo"] == "lunch"
    # bob sees the other side; nobody sees another customer's entries
    bob_results = customer_client(bob).get("/api/v1/transactions").json()["results"]
    assert [(r["direction"], r["amount"]["amount"]) for r in bob_results] == [("in", "12.34")]
    assert customer_client(CustomerFactory()).get("/api/v1/transactions").json()["results"] == []


def test_cursor_pagination_walks_every_entry_once(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    for i in range(1, 8):
        _pay(alice, bob, i)
    client = customer_client(alice)

    seen, url = [], "/api/v1/transactions?page_size=3"
    while url:
        page = client.get(url).json()
        seen += [r["entry_id"] for r in page["results"]]
        url = page["next"]

    assert len(seen) == 8 and len(set(seen)) == 8
    assert seen == sorted(seen, reverse=True)


def _page_queries(client, django_assert_max_num_queries, n: int) -> int:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/transactions?page_size={n}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == n
    return len(ctx.captured_queries)


def test_list_query_count_is_pinned_and_independent_of_page_size(
    alice: Customer,
    django_assert_num_queries,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    merchant = account_open(kind="MERCHANT", currency="CNY", code="merchant:q:CNY", name="Tea", is_hot=True)
    wallet = wallet_fund(alice, "500.00")
    for i in range(12):
        friend = CustomerFactory()
        _pay(alice, friend, 100 + i)
        with transaction.atomic():
            transfer_post(
                kind="MERCHANT_PAYMENT", legs=[Leg(wallet, Money(-50, "CNY")), Leg(merchant, Money(50, "CNY"))]
            )
    client = customer_client(alice)
    client.get("/api/v1/transactions?page_size=1")  # token's last_used_at touched once

    # token lookup (1) + the page itself (1): wallets, transfer and counterparty are in the page's
    # one statement, never fetched per row
    with django_assert_num_queries(2):
        response = client.get("/api/v1/transactions?page_size=20")
    assert len(response.json()["results"]) == 20
    assert _page_queries(client, django_assert_max_num_queries, 3) == _page_queries(
        client, django_assert_max_num_queries, 25
    )


def test_filters_kind_amount_direction_counterparty_and_dates(alice: Customer, bob: Customer) -> None:
    carol = CustomerFactory(legal_name="张伟")
    wallet_fund(alice, "100.00")
    _pay(alice, bob, 5_00)
    _pay(alice, carol, 20_00)
    _pay(bob, alice, 1_00)
    client = customer_client(alice)

    def amounts(query: str) -> list[str]:
        response = client.get(f"/api/v1/transactions?{query}")
        assert response.status_code == 200, response.json()
        return [r["amount"]["amount"] for r in response.json()["results"]]

    bob_wallet = wallet_get_or_create(customer=bob, currency="CNY")
    assert amounts("kind=P2P") == ["1.00", "-20.00", "-5.00"]
    assert amounts("kind=TOPUP") == ["100.00"]
    assert amounts("kind=TOPUP&kind=P2P") == amounts("kind=topup,p2p") == ["1.00", "-20.00", "-5.00", "100.00"]
    assert amounts("min_amount=5.00&max_amount=20") == ["-20.00", "-5.00"]
    assert amounts("direction=in") == ["1.00", "100.00"]
    assert amounts(f"counterparty={bob_wallet.public_id}") == ["1.00", "-5.00"]
    assert amounts("date_from=2000-01-01&date_to=2099-12-31") == ["1.00", "-20.00", "-5.00", "100.00"]
    assert amounts("date_to=2000-01-01") == []
    bad = client.get("/api/v1/transactions?min_amount=1.234")
    assert bad.status_code == 400 and bad.json()["code"] == "too_many_decimals"


def test_detail_shows_postings_and_hides_other_customers_transfers(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    _pay(alice, bob, 7_00)
    client = customer_client(alice)
    transfer_id = client.get("/api/v1/transactions?kind=P2P").json()["results"][0]["transaction_id"]

    detail = client.get(f"/api/v1/transactions/{transfer_id}")

    assert detail.status_code == 200
    postings = detail.json()["postings"]
    own = [p for p in postings if p["own"]]
    other = [p for p in postings if not p["own"]]
    assert own[0]["amount"] == {"amount": "-7.00", "currency": "CNY"}
    assert own[0]["balance_after"] == {"amount": "93.00", "currency": "CNY"}
    assert other[0]["balance_after"] is None  # the other side's balance is never shown
    assert other[0]["account"]["name"] == "李*"
    stranger = customer_client(CustomerFactory())
    assert stranger.get(f"/api/v1/transactions/{transfer_id}").status_code == 404
    assert client.get(f"/api/v1/transactions/{uuid.uuid4()}").status_code == 404


def test_csv_export_streams_filtered_entries(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    _pay(alice, bob, 3_00, memo="=HYPERLINK(evil)")

    response = customer_client(alice).get("/api/v1/transactions/export.csv?kind=P2P")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:5] == ["created_at", "transaction_id", "kind", "direction", "amount"]
    assert len(rows) == 2
    assert rows[1][2:6] == ["P2P", "out", "-3.00", "CNY"]
    assert rows[1][8] == "'=HYPERLINK(evil)"  # no spreadsheet formula injection


def test_wallets_list_and_detail(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    client = customer_client(alice)

    listing = client.get("/api/v1/wallets").json()["results"]
    by_currency = client.get("/api/v1/wallets/CNY").json()
    by_id = client.get(f"/api/v1/wallets/{wallet.public_id}").json()

    assert listing[0]["balance"]["available"] == {"amount": "100.00", "currency": "CNY"}
    assert by_currency == by_id == listing[0]
    assert client.get("/api/v1/wallets/USD").status_code == 404
    other = wallet_fund(CustomerFactory(), "1.00")
    assert client.get(f"/api/v1/wallets/{other.public_id}").status_code == 404


def test_new_customer_sees_an_empty_cny_wallet() -> None:
    customer = CustomerFactory()

    listing = customer_client(customer).get("/api/v1/wallets").json()["results"]

    assert [(w["currency"], w["balance"]["posted"]["amount"]) for w in listing] == [("CNY", "0.00")]


@pytest.mark.parametrize(
    "value", ["2026-11-01T00:00:00-17:53", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "not-a-date"]
)
def test_impossible_date_time_filters_are_a_400_not_a_500(alice: Customer, value: str) -> None:
    client = customer_client(alice)

    response = client.get("/api/v1/transactions", {"created_after": value})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_filter"
