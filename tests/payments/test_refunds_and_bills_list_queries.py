"""Query counts of the movement list endpoints are pinned (no N+1 as lists grow)."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.models import Customer
from core.money import Money
from payments.services.bills import bill_payment_create
from payments.services.refunds import refund_create
from tests.payments.factories import customer_client, wallet_fund
from tests.payments.factories_movements import ELECTRICITY_ACCOUNT, biller_make

pytestmark = pytest.mark.django_db


def _bills_and_refunds(customer: Customer, n: int) -> None:
    biller = biller_make()
    for _ in range(n):
        with transaction.atomic():
            bill = bill_payment_create(
                customer=customer,
                biller_code=biller.code,
                account_number=ELECTRICITY_ACCOUNT,
                amount=Money(2_00, "CNY"),
            )
        refund_create(payment_transfer=bill.transfer, amount=Money(1_00, "CNY"), reason="x", initiated_by_staff=None)


@pytest.mark.parametrize("n", [1, 5])
def test_refund_list_query_count_does_not_grow(alice: Customer, n: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    wallet_fund(alice, "100.00")
    _bills_and_refunds(alice, n)
    client = customer_client(alice)

    with django_assert_num_queries(3):  # token auth (2: token + update last_used), refunds with joins (1)
        response = client.get("/api/v1/refunds")

    assert len(response.json()["results"]) == n


@pytest.mark.parametrize("n", [1, 4])
def test_biller_list_is_one_query(alice: Customer, n: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        biller_make(code=f"B{i}")
    client = customer_client(alice)

    with django_assert_num_queries(3):
        response = client.get("/api/v1/billers")

    assert len(response.json()["results"]) == n
