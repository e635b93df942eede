"""A card number typed into a transfer memo is refused before anything (transfer, idempotent reply) is stored."""

from __future__ import annotations

import uuid

import pytest

from accounts.models import Customer
from payments.models import IdempotencyRecord, Transfer
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, wallet_fund


@pytest.mark.django_db
def test_transfer_memo_with_a_card_number_is_refused_and_nothing_is_stored(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    transfers_before = Transfer.objects.count()

    response = customer_client(alice).post(
        "/api/v1/transfers",
        {
            "to_phone": bob.phone,
            "amount": "1.00",
            "currency": "CNY",
            "pin": PAYMENT_PIN,
            "memo": "卡 6222 0212 3456 7890 128",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "card_number_in_text"
    assert list(response.json()["details"]) == ["memo"]
    assert "6222" not in response.content.decode()
    assert Transfer.objects.count() == transfers_before
    assert IdempotencyRecord.objects.count() == 0
