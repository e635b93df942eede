"""POST /api/v1/bill-payments and the receipt: account-number checks, amounts, and nothing moved on refusal."""

from __future__ import annotations

import pytest

from accounts.models import Customer
from core.models import OutboxEvent
from payments.models import Biller, BillPayment
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.factories import customer_client, ledger_snapshot, wallet_fund
from tests.payments.factories_movements import ELECTRICITY_ACCOUNT, balance, biller_make, post_money, wallet_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/bill-payments"


def _pay(client, biller: str, account: str, amount: object = "120.50", **extra: object):  # type: ignore[no-untyped-def]
    return post_money(
        client,
        URL,
        {"biller": biller, "account_number": account, "amount": amount, "currency": "CNY", "pin": PAYMENT_PIN, **extra},
    )


def test_bill_payment_moves_money_and_gives_a_receipt(alice: Customer) -> None:
    wallet_fund(alice, "500.00")
    biller = biller_make()
    client = customer_client(alice)

    response = _pay(client, biller.code, f"{ELECTRICITY_ACCOUNT[:5]} {ELECTRICITY_ACCOUNT[5:]}")

    assert response.status_code == 201, response.json()
    receipt = response.json()
    assert receipt["receipt_no"].startswith("B")
    assert receipt["account_number"] == ELECTRICITY_ACCOUNT
    assert receipt["biller"] == {"code": "SGCC-BJ", "name": "国网北京电力", "category": "ELECTRICITY"}
    assert balance(wallet_of(alice)) == 379_50
    assert balance(biller.ledger_account) == 120_50
    assert client.get(f"{URL}/{receipt['id']}").json() == receipt
    assert OutboxEvent.objects.get(topic="payment.completed").payload["payment_type"] == "BILL"


def test_mobile_top_up_biller_checks_the_phone_number(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    biller = biller_make(code="CMCC", category=Biller.Category.MOBILE, validator="mobile")
    client = customer_client(alice)

    good = _pay(client, biller.code, "+86 139 1234 5678", amount="50.00")
    bad = _pay(client, biller.code, "010 1234 5678", amount="50.00")

    assert good.status_code == 201 and good.json()["account_number"] == "13912345678"
    assert bad.status_code == 400 and bad.json()["code"] == "bill_account_invalid"
    assert balance(wallet_of(alice)) == 50_00


def test_invalid_account_number_is_400_and_nothing_moves(alice: Customer) -> None:
    wallet_fund(alice, "500.00")
    biller = biller_make()
    before = ledger_snapshot()
    typo = ELECTRICITY_ACCOUNT[:-1] + str((int(ELECTRICITY_ACCOUNT[-1]) + 1) % 10)

    response = _pay(customer_client(alice), biller.code, typo)

    assert response.status_code == 400 and response.json()["code"] == "bill_account_invalid"
    assert ledger_snapshot() == before
    assert not BillPayment.objects.exists()


@pytest.mark.parametrize(
    ("amount", "code", "status"),
    [
        (120.5, "invalid_amount", 400),
        ("1.001", "too_many_decimals", 400),
        ("0", "amount_not_positive", 400),
        ("-3", "amount_not_positive", 400),
        ("50000.01", "bill_amount_out_of_range", 400),
        ("600.00", "insufficient_funds", 422),
    ],
)
def test_bad_amounts_change_nothing(alice: Customer, amount: object, code: str, status: int) -> None:
    wallet_fund(alice, "500.00")
    biller = biller_make()
    before = ledger_snapshot()

    response = _pay(customer_client(alice), biller.code, ELECTRICITY_ACCOUNT, amount=amount)

    assert response.status_code == status and response.json()["code"] == code
    after = ledger_snapshot()
    assert (after["transfers"], after["postings"], after["balances"]) == (
        before["transfers"],
        before["postings"],
        before["balances"],
    )


def test_unknown_or_suspended_biller(alice: Customer) -> None:
    wallet_fund(alice, "500.00")
    biller = biller_make()
    Biller.objects.filter(pk=biller.pk).update(status=Biller.Status.SUSPENDED)
    client = customer_client(alice)

    assert _pay(client, "NOPE", ELECTRICITY_ACCOUNT).json()["code"] == "biller_not_found"
    assert _pay(client, biller.code, ELECTRICITY_ACCOUNT).json()["code"] == "biller_unavailable"
    assert balance(wallet_of(alice)) == 500_00


def test_receipt_of_another_customer_is_404(alice: Customer) -> None:
    wallet_fund(alice, "500.00")
    response = _pay(customer_client(alice), biller_make().code, ELECTRICITY_ACCOUNT)

    other = customer_client(CustomerFactory()).get(f"{URL}/{response.json()['id']}")

    assert other.status_code == 404


def test_biller_list(alice: Customer) -> None:
    biller_make()

    response = customer_client(alice).get("/api/v1/billers")

    assert response.status_code == 200
    assert response.json()["results"][0]["code"] == "SGCC-BJ"
    assert response.json()["results"][0]["account_number_format"]["kind"] == "electricity"


def test_generic_biller_account_number_cannot_be_a_card_number(alice: Customer) -> None:
    """Review: a generic/broadband biller stored a card number typed as the bill account number."""
    wallet_fund(alice, "100.00")
    biller = biller_make(code="GEN-1", category="OTHER", validator="generic")
    client = customer_client(alice)
    response = _pay(client, biller.code, "4111111111111111", amount="10.00")
    stored = list(BillPayment.objects.values_list("account_number", flat=True))
    assert response.status_code == 400 and "4111111111111111" not in stored, (response.status_code, stored)
    assert response.json()["details"] == {"reason": "card_number"}
