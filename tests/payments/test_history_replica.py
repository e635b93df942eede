"""Read replica routing: history, statement and insight reads go to ``replica`` when one is configured.

The ``replica`` alias is a test mirror of the test database (settings: TEST MIRROR), a second
connection to the same server, so rows must be committed to be seen (``transaction=True``).
"""

from __future__ import annotations

import pytest
from django.db import connections, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Customer
from core.db_router import read_alias
from core.money import Money
from payments.ledger import Leg, transfer_post, wallet_get_or_create
from payments.selectors_insight import spending_by_category
from tests.payments.factories import customer_client, wallet_fund

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


def _history_and_detail(alice: Customer, bob: Customer) -> tuple[CaptureQueriesContext, CaptureQueriesContext, list]:  # type: ignore[type-arg]
    wallet_fund(alice, "100.00")
    with transaction.atomic():
        transfer_post(
            kind="P2P",
            legs=[
                Leg(wallet_get_or_create(customer=alice, currency="CNY"), Money(-500, "CNY")),
                Leg(wallet_get_or_create(customer=bob, currency="CNY"), Money(500, "CNY")),
            ],
        )
    client = customer_client(alice)
    client.get("/api/v1/transactions?page_size=1")  # token's last_used_at touched once
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        results = client.get("/api/v1/transactions").json()["results"]
        detail = client.get(f"/api/v1/transactions/{results[0]['transaction_id']}")
        assert detail.status_code == 200
        spending_by_category(customer=alice, month=timezone.localdate().strftime("%Y-%m"))
    return primary, replica, results


@override_settings(READ_REPLICA_ALIAS="replica")
def test_history_page_and_insight_read_from_the_replica_when_configured(alice: Customer, bob: Customer) -> None:
    primary, replica, results = _history_and_detail(alice, bob)

    assert read_alias() == "replica"
    assert [r["amount"]["amount"] for r in results] == ["-5.00", "100.00"]
    replica_sql = [q["sql"] for q in replica.captured_queries]
    primary_sql = [q["sql"] for q in primary.captured_queries]
    assert sum("FROM page" in sql for sql in replica_sql) == 1  # the history page
    assert any("payments_merchantpayment" in sql for sql in replica_sql)  # spending insight (ORM, routed)
    assert not any("FROM page" in sql or "payments_merchantpayment" in sql for sql in primary_sql)
    # the token lookup and the transaction detail (read right after a payment) stay on the primary
    assert any("payments_transfer" in sql and "public_id" in sql for sql in primary_sql)
    assert not any("customertoken" in sql.lower() for sql in replica_sql)


def test_without_a_replica_every_read_uses_the_primary(alice: Customer, bob: Customer) -> None:
    primary, replica, results = _history_and_detail(alice, bob)

    assert read_alias() == "default"
    assert len(results) == 2
    assert replica.captured_queries == []
    assert any("FROM page" in q["sql"] for q in primary.captured_queries)
