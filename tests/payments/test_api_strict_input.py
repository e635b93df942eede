"""The API takes its input exactly as documented, on every money endpoint (issue 8, item 9).

Amounts are decimal strings: a JSON integer or float, a trailing newline or space, an exponent or
full-width digits are a 400 ``invalid_amount``. PINs and other text fields are JSON strings: a
number is a 400. A body nested past ``core.parsers.MAX_JSON_DEPTH`` is a 400, not a
RecursionError 500. In every case nothing moves. Each endpoint is first shown to accept its
valid body, so a refusal cannot come from some other field being wrong.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.models import Customer
from payments.services.merchant_payments import merchant_static_qr
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, ledger_snapshot, wallet_fund
from tests.payments.factories_movements import ELECTRICITY_ACCOUNT, biller_make, card_for, merchant_make

pytestmark = pytest.mark.django_db

Body = dict[str, Any]


def _endpoints(alice: Customer, bob: Customer) -> dict[str, tuple[str, Body, int]]:
    card = card_for(alice)
    merchant = merchant_make()
    biller = biller_make()
    base = {"currency": "CNY", "pin": PAYMENT_PIN}
    return {
        "transfer": ("/api/v1/transfers", {**base, "to_phone": bob.phone, "amount": "1.00"}, 201),
        "topup": ("/api/v1/topups", {**base, "card": str(card.public_id), "amount": "1.00"}, 202),
        "withdrawal": ("/api/v1/withdrawals", {**base, "card": str(card.public_id), "amount": "1.00"}, 202),
        "merchant": ("/api/v1/payments", {**base, "qr": merchant_static_qr(merchant), "amount": "1.00"}, 201),
        "bill": (
            "/api/v1/bill-payments",
            {**base, "biller": biller.code, "account_number": ELECTRICITY_ACCOUNT, "amount": "1.00"},
            201,
        ),
    }


def _post(client: APIClient, url: str, body: Any) -> Any:
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))


@pytest.fixture
def world(alice: Customer, bob: Customer) -> tuple[APIClient, dict[str, tuple[str, Body, int]]]:
    wallet_fund(alice, "1000.00")
    client = customer_client(alice)
    endpoints = _endpoints(alice, bob)
    for name, (url, body, status) in endpoints.items():  # the valid body works: refusals below are real
        response = _post(client, url, body)
        assert response.status_code == status, (name, response.json())
    return client, endpoints


_decimal = st.builds(
    lambda whole, frac: f"{whole}.{frac:02d}", st.integers(min_value=1, max_value=99999), st.integers(0, 99)
)
_bad_amounts = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.lists(st.just("1.00"), max_size=2),
    st.dictionaries(st.just("amount"), st.just("1.00"), max_size=1),
    st.builds(lambda d, s: d + s, _decimal, st.sampled_from(["\n", " ", "\t", "\r\n", "\x00", "\u3000"])),
    st.builds(lambda s, d: s + d, st.sampled_from(["\n", " ", "+", "\u3000"]), _decimal),
    st.sampled_from(["1e2", "1E2", "０.５０", "12.", ".5", "1_000.00", "0x10", "Infinity", "NaN", ""]),
)
_not_strings = st.one_of(
    st.integers(min_value=0, max_value=999999),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(st.just(PAYMENT_PIN), max_size=1),
)

_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], database=None
)


def _assert_refused(
    world: tuple[APIClient, dict[str, tuple[str, Body, int]]], mutate: Callable[[Body], Body], codes: set[str]
) -> None:
    client, endpoints = world
    for name, (url, body, _status) in endpoints.items():
        before = ledger_snapshot()
        response = _post(client, url, mutate(dict(body)))
        assert response.status_code == 400, (name, response.json())
        assert response.json()["code"] in codes, (name, response.json())
        assert ledger_snapshot() == before, name


@_SETTINGS
@given(amount=_bad_amounts)
def test_amount_that_is_not_a_plain_decimal_string_is_400_everywhere(world: Any, amount: Any) -> None:
    _assert_refused(world, lambda body: {**body, "amount": amount}, {"invalid_amount", "invalid_request"})


@_SETTINGS
@given(pin=_not_strings)
def test_pin_that_is_not_a_json_string_is_400_everywhere(world: Any, pin: Any) -> None:
    _assert_refused(world, lambda body: {**body, "pin": pin}, {"invalid_request"})


@_SETTINGS
@given(currency=_not_strings)
def test_currency_that_is_not_a_json_string_is_400_everywhere(world: Any, currency: Any) -> None:
    _assert_refused(world, lambda body: {**body, "currency": currency}, {"invalid_request", "invalid_amount"})


@pytest.mark.parametrize("depth", [33, 1000, 5000])
def test_deeply_nested_body_is_400_not_500(world: Any, depth: int) -> None:
    client, endpoints = world
    for name, (url, body, _status) in endpoints.items():
        text = json.dumps(body)[:-1] + ', "memo": ' + "[" * depth + '"x"' + "]" * depth + "}"  # too deep for json.dumps
        before = ledger_snapshot()

        response = client.post(url, text, content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))

        assert response.status_code == 400 and response.json()["code"] == "malformed_request", name
        assert ledger_snapshot() == before, name


def test_deeply_nested_body_is_400_on_an_unauthenticated_endpoint_too() -> None:
    body = "[" * 1000 + "]" * 1000

    response = APIClient().post("/api/v1/auth/login", body, content_type="application/json")

    assert response.status_code == 400 and response.json()["code"] == "malformed_request"


def test_moderately_nested_body_still_parses(world: Any) -> None:
    client, endpoints = world
    url, body, status = endpoints["transfer"]
    nested: Any = "x"
    for _ in range(20):
        nested = {"k": nested}

    response = _post(client, url, {**body, "extra": nested})  # unknown fields are ignored, as before

    assert response.status_code == status
