"""History keyset pages: every filter with a cursor, both directions, several wallets, the posting kind."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.ledger import Leg, account_open, transfer_post, wallet_get_or_create
from payments.models import Posting
from tests.conftest import owner_db
from tests.factories import CustomerFactory
from tests.payments.factories import customer_client, wallet_fund

pytestmark = pytest.mark.django_db


def _post(kind: str, legs: list[Leg]) -> None:
    with transaction.atomic():
        transfer_post(kind=kind, legs=legs)


def _walk(client, url: str) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    for _ in range(100):  # a cursor that does not advance must fail the test, not hang it
        if not url:
            break
        response = client.get(url)
        assert response.status_code == 200, response.json()
        page = response.json()
        seen += [r["entry_id"] for r in page["results"]]
        url = page["next"]
    assert not url, "the cursor never reached the end"
    return seen


@pytest.fixture
def busy(alice: Customer, bob: Customer) -> dict[str, object]:
    """Alice: a top-up, 9 P2P (alternating out/in, growing amounts), 6 merchant payments, and a USD wallet."""
    merchant = account_open(kind="MERCHANT", currency="CNY", code="merchant:hist:CNY", name="Tea", is_hot=True)
    mine = wallet_fund(alice, "1000.00")
    theirs = wallet_fund(bob, "1000.00")
    for i in range(1, 10):
        a, b = (mine, theirs) if i % 2 else (theirs, mine)
        _post("P2P", [Leg(a, Money(-i * 100, "CNY")), Leg(b, Money(i * 100, "CNY"))])
    for i in range(1, 7):
        _post("MERCHANT_PAYMENT", [Leg(mine, Money(-i * 10, "CNY")), Leg(merchant, Money(i * 10, "CNY"))])
    wallet_fund(alice, "5.00", currency="USD")
    return {"wallet": mine, "bob_wallet": wallet_get_or_create(customer=bob, currency="CNY")}


def _expected(customer: Customer, **filters: object) -> list[int]:
    qs = Posting.objects.filter(account__customer=customer, **filters).order_by("-created_at", "-id")
    return list(qs.values_list("id", flat=True))


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("", {}),
        ("kind=P2P", {"kind": "P2P"}),
        ("kind=MERCHANT_PAYMENT&direction=out", {"kind": "MERCHANT_PAYMENT", "amount_minor__lt": 0}),
        ("kind=p2p,merchant_payment&direction=in", {"kind__in": ["P2P", "MERCHANT_PAYMENT"], "amount_minor__gt": 0}),
        ("direction=out&min_amount=3.00", {"amount_minor__lte": -300}),
        ("max_amount=0.40", {"amount_minor__gte": -40, "amount_minor__lte": 40}),
        ("currency=USD", {"currency": "USD"}),
        ("currency=CNY&kind=TOPUP", {"currency": "CNY", "kind": "TOPUP"}),
    ],
)
def test_every_filter_walks_each_matching_entry_once_newest_first(
    alice: Customer, busy: dict[str, object], query: str, filters: dict[str, object]
) -> None:
    expected = _expected(alice, **filters)

    seen = _walk(customer_client(alice), f"/api/v1/transactions?page_size=2&{query}")

    assert seen == expected and expected


def test_counterparty_and_date_filters_with_a_cursor(alice: Customer, busy: dict[str, object]) -> None:
    bob_wallet = busy["bob_wallet"]
    client = customer_client(alice)
    today = timezone.localdate()

    by_bob = _walk(client, f"/api/v1/transactions?page_size=2&counterparty={bob_wallet.public_id}&kind=P2P")  # type: ignore[attr-defined]
    this_day = _walk(client, f"/api/v1/transactions?page_size=3&date_from={today}&date_to={today}")
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    before_now = _walk(client, "/api/v1/transactions?page_size=3&" + f"created_before={later.replace('+', '%2B')}")

    assert by_bob == _expected(alice, counterparty_account=bob_wallet) and len(by_bob) == 9
    assert this_day == before_now == _expected(alice)
    assert _walk(client, f"/api/v1/transactions?date_to={today - timedelta(days=1)}") == []


def test_previous_link_walks_back_to_the_first_page(alice: Customer, busy: dict[str, object]) -> None:
    client = customer_client(alice)
    first = client.get("/api/v1/transactions?page_size=4").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    back_to_second = client.get(third["previous"]).json()
    back_to_first = client.get(back_to_second["previous"]).json()

    assert first["previous"] is None
    assert back_to_second["results"] == second["results"]
    assert back_to_first["results"] == first["results"]
    assert back_to_first["previous"] is None
    assert client.get(back_to_first["next"]).json()["results"] == second["results"]


def test_a_cursor_the_api_did_not_issue_is_a_400(alice: Customer) -> None:
    response = customer_client(alice).get("/api/v1/transactions?cursor=bm90LWEtY3Vyc29y")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_query_count_does_not_depend_on_filters_or_wallets(
    alice: Customer, busy: dict[str, object], django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = customer_client(alice)
    client.get("/api/v1/transactions?page_size=1")  # token's last_used_at touched once
    bob_wallet = busy["bob_wallet"]
    for query in ("", "kind=P2P,MERCHANT_PAYMENT&direction=out", f"counterparty={bob_wallet.public_id}&min_amount=1"):  # type: ignore[attr-defined]
        cursor_url = client.get(f"/api/v1/transactions?page_size=2&{query}").json()["next"]

        with django_assert_num_queries(2):  # token + the page
            response = client.get(cursor_url)

        assert response.status_code == 200 and response.json()["results"]


@pytest.mark.django_db(transaction=True)  # the owner's connection must see the transfer
def test_the_posting_carries_its_transfers_kind_whatever_the_writer_sends(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")
    mine = wallet_get_or_create(customer=alice, currency="CNY")
    theirs = wallet_get_or_create(customer=bob, currency="CNY")
    _post("P2P", [Leg(mine, Money(-100, "CNY")), Leg(theirs, Money(100, "CNY"))])
    transfer = Posting.objects.filter(account=mine).latest("id").transfer

    # As the schema owner (the application role may not insert postings at all since payments 0010),
    # in a transaction rolled back at the end: the trigger sets the kind whatever the INSERT says.
    db = owner_db()
    with db.transaction(force_rollback=True), db.cursor() as cursor:
        cursor.execute(
            "INSERT INTO payments_posting (transfer_id, account_id, amount_minor, currency, created_at, kind)"
            " VALUES (%s, %s, 1, 'CNY', %s, 'TOPUP'), (%s, %s, -1, 'CNY', %s, NULL) RETURNING kind",
            [transfer.pk, mine.pk, transfer.created_at, transfer.pk, theirs.pk, transfer.created_at],
        )
        kinds = [row[0] for row in cursor.fetchall()]

    assert kinds == ["P2P", "P2P"]


def test_counterparty_names_are_customer_facing(alice: Customer) -> None:
    """A merchant reads as its name; a person as a masked name; never a ledger code."""
    merchant = account_open(kind="MERCHANT", currency="CNY", code="merchant:internal-77:CNY", name="Tea House")
    mine = wallet_fund(alice, "10.00")
    _post("MERCHANT_PAYMENT", [Leg(mine, Money(-100, "CNY")), Leg(merchant, Money(100, "CNY"))])
    friend = CustomerFactory(legal_name="王小明")
    _post(
        "P2P",
        [Leg(mine, Money(-100, "CNY")), Leg(wallet_get_or_create(customer=friend, currency="CNY"), Money(100, "CNY"))],
    )

    results = customer_client(alice).get("/api/v1/transactions").json()["results"]

    names = [r["counterparty"]["name"] for r in results]
    assert names[:2] == ["王**", "Tea House"]
    assert all("internal-77" not in str(r["counterparty"]) for r in results)
