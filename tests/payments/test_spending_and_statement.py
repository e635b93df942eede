"""GET insights/spending/ and GET statements/YYYY-MM.pdf."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.services.bills import bill_payment_create
from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
from payments.services.refunds import refund_create
from payments.services.transfers import transfer_p2p_create
from tests.factories import CustomerFactory
from tests.payments.factories import customer_client, wallet_fund
from tests.payments.factories_movements import ELECTRICITY_ACCOUNT, biller_make, merchant_make

pytestmark = pytest.mark.django_db


def _month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def _activity(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "1000.00")
    cafe = merchant_make(name="咖啡馆", mcc="5814")
    grocer = merchant_make(name="超市", mcc="5411")
    with transaction.atomic():
        paid = merchant_payment_create(
            customer=alice, qr=merchant_static_qr(cafe), amount=Money(30_00, "CNY"), currency="CNY"
        )
    with transaction.atomic():
        merchant_payment_create(
            customer=alice, qr=merchant_static_qr(grocer), amount=Money(120_00, "CNY"), currency="CNY"
        )
    with transaction.atomic():
        bill_payment_create(
            customer=alice,
            biller_code=biller_make().code,
            account_number=ELECTRICITY_ACCOUNT,
            amount=Money(200_00, "CNY"),
        )
    with transaction.atomic():
        transfer_p2p_create(sender=alice, recipient=bob, amount=Money(50_00, "CNY"))
    refund_create(payment_transfer=paid.transfer, amount=Money(10_00, "CNY"), reason="x", initiated_by_staff=None)


def test_spending_by_category_net_of_refunds(alice: Customer, bob: Customer) -> None:
    _activity(alice, bob)

    response = customer_client(alice).get(f"/api/v1/insights/spending?month={_month()}")

    assert response.status_code == 200
    body = response.json()
    assert [(c["category"], c["amount"]["amount"], c["count"]) for c in body["categories"]] == [
        ("BILLS_ELECTRICITY", "200.00", 1),
        ("GROCERIES", "120.00", 1),
        ("P2P", "50.00", 1),
        ("DINING", "20.00", 1),
    ]
    assert body["totals"] == [{"amount": "390.00", "currency": "CNY"}]
    other = customer_client(bob).get(f"/api/v1/insights/spending?month={_month()}").json()
    assert other["categories"] == []


@pytest.mark.parametrize("month", ["2026-13", "26-11", "", "2026-1", "abcd-ef"])
def test_bad_month_is_400(alice: Customer, month: str) -> None:
    response = customer_client(alice).get(f"/api/v1/insights/spending?month={month}")

    assert response.status_code == 400 and response.json()["code"] == "invalid_month"


def test_statement_pdf_of_own_wallets(alice: Customer, bob: Customer) -> None:
    _activity(alice, bob)

    response = customer_client(alice).get(f"/api/v1/statements/{_month()}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_statement_sections_have_exact_balances(alice: Customer, bob: Customer) -> None:
    from payments.selectors_insight import statement_sections

    _activity(alice, bob)

    [section] = statement_sections(customer=alice, month=_month())

    assert section.opening == Money(0, "CNY")
    assert section.closing == Money(1000_00 - 30_00 - 120_00 - 200_00 - 50_00 + 10_00, "CNY")
    assert [r.amount.minor for r in section.rows] == [1000_00, -30_00, -120_00, -200_00, -50_00, 10_00]
    assert "咖啡馆" in section.rows[1].description


def test_statement_bad_month_is_400(alice: Customer) -> None:
    assert customer_client(alice).get("/api/v1/statements/2026-00.pdf").status_code == 400
    assert customer_client(CustomerFactory()).get("/api/v1/statements/1999-01.pdf").status_code == 400
