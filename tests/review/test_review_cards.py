"""Reviewer: card numbers in free text (ARCHITECTURE §6: never stored, never in a log)."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Customer
from core.validators import card_numbers_in, reject_card_numbers
from payments.models import BillPayment, GatewayCallbackLog
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, wallet_fund
from tests.payments.factories_movements import biller_make

VISA = "4111111111111111"

# Ways a person writes (or pastes) a card number that the validator does not see.
EVASIONS = [
    "4111\u200b1111\u200b1111\u200b1111",  # zero-width space (pasted from a chat app)
    "4111\u20131111\u20131111\u20131111",  # en dash
    "4111/1111/1111/1111",
    "4111_1111_1111_1111",
    "4111,1111,1111,1111",
    "41 11 11 11 11 11 11 11",  # pairs
    "0000" + VISA,  # 20 digits: 'an identifier', though it ends with the card
    "4111 1111 1111 1111".replace(" ", "\u00a0\u00a0\u00a0\u00a0"),  # 4 no-break spaces (> 3 separators)
]


@pytest.mark.parametrize("text", EVASIONS)
def test_validator_sees_card_numbers_written_with_other_separators(text: str) -> None:
    assert card_numbers_in(text), f"not detected: {text!r}"


@pytest.mark.django_db
def test_generic_biller_account_number_cannot_be_a_card_number(alice: Customer) -> None:
    """The bill account number is typed by the customer and stored (BillPayment.account_number,
    the receipt, the idempotent response); a generic/broadband biller takes any 4-30 alphanumerics."""
    wallet_fund(alice, "100.00")
    biller = biller_make(code="GEN-1", category="OTHER", validator="generic")
    client = customer_client(alice)
    response = client.post(
        "/api/v1/bill-payments/",
        {"biller": biller.code, "account_number": VISA, "amount": "10.00", "currency": "CNY", "pin": PAYMENT_PIN},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    stored = list(BillPayment.objects.values_list("account_number", flat=True))
    assert response.status_code == 400 and VISA not in stored, (response.status_code, stored)


@pytest.mark.django_db
def test_forged_gateway_callback_does_not_store_a_card_number() -> None:
    """Anyone can POST the unauthenticated callback; its body is stored (first 4,000 chars) even
    with a bad signature: free text written into the database by an anonymous caller."""
    cache.clear()
    body = json.dumps({"operation": "CHARGE", "reference": f"card {VISA}", "status": "SUCCEEDED"}).encode()
    APIClient(REMOTE_ADDR="198.51.100.7").post(
        "/api/v1/gateway/callbacks/", body, content_type="application/json", HTTP_X_GATEWAY_SIGNATURE="t=1,v1=" + "0" * 64
    )
    bodies = list(GatewayCallbackLog.objects.values_list("body", flat=True))
    assert bodies and not any(card_numbers_in(b) for b in bodies), bodies


@pytest.mark.parametrize(
    ("module", "form", "field"),
    [
        ("payments.admin", "FxRateForm", "override_reason"),
        ("accounts.admin_org", "StaffChangeRequestForm", "reason"),
        ("accounts.admin_org", "StaffChangeRequestForm", "first_name"),
        ("accounts.admin_org", "StaffChangeRequestForm", "device_name"),
    ],
)
@pytest.mark.django_db
def test_staff_free_text_fields_refuse_card_numbers(module: str, form: str, field: str) -> None:
    import importlib

    form_class = getattr(importlib.import_module(module), form)
    validators = form_class.base_fields[field].validators
    assert reject_card_numbers in validators, f"{module}.{form}.{field} stores a card number unchecked"
