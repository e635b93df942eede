"""Linking a payout card needs step-up (PIN or STEP_UP code) and a token the bank gateway recognises."""

from __future__ import annotations

import pytest

from accounts.models import Customer, LinkedCard
from tests.accounts.conftest import bearer_client, last_code
from tests.factories import PAYMENT_PIN, CustomerFactory

pytestmark = pytest.mark.django_db

CARD = {"gateway_token": "gw_tok_3c9e5a7b", "bank_name": "建设银行", "last4": "4321", "card_type": "DEBIT"}


def test_without_pin_or_code_no_card_is_linked() -> None:
    client = bearer_client(CustomerFactory())

    response = client.post("/api/v1/cards", CARD, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "step_up_required"
    assert LinkedCard.objects.count() == 0


def test_a_wrong_pin_is_refused_and_counts_toward_the_lockout() -> None:
    customer = CustomerFactory()

    response = bearer_client(customer).post("/api/v1/cards", {**CARD, "pin": "135799"}, format="json")

    assert response.status_code in (400, 403)
    assert LinkedCard.objects.count() == 0
    assert Customer.objects.get(pk=customer.pk).pin_failed_attempts == 1


def test_the_payment_pin_links_the_card() -> None:
    customer = CustomerFactory()

    response = bearer_client(customer).post("/api/v1/cards", {**CARD, "pin": PAYMENT_PIN}, format="json")

    assert response.status_code == 201, response.json()
    assert LinkedCard.objects.get(customer=customer).gateway_token == CARD["gateway_token"]


def test_a_step_up_code_links_the_card_once() -> None:
    customer = CustomerFactory(payment_pin="")
    client = bearer_client(customer)
    assert client.post("/api/v1/me/otp").status_code == 202
    code = last_code()

    linked = client.post("/api/v1/cards", {**CARD, "otp_code": code}, format="json")
    replayed = client.post(
        "/api/v1/cards", {**CARD, "gateway_token": "gw_tok_99887766", "otp_code": code}, format="json"
    )

    assert linked.status_code == 201, linked.json()
    assert replayed.status_code == 400
    assert LinkedCard.objects.filter(customer=customer).count() == 1


def test_a_token_the_gateway_does_not_know_is_refused() -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(
        "/api/v1/cards", {**CARD, "gateway_token": "gw_tok_revoked77", "pin": PAYMENT_PIN}, format="json"
    )

    assert response.status_code == 400 and response.json()["code"] == "card_token_invalid"
    assert LinkedCard.objects.count() == 0


def test_last4_must_match_what_the_gateway_reports() -> None:
    client = bearer_client(CustomerFactory())

    response = client.post(
        "/api/v1/cards", {**CARD, "gateway_token": "gw_tok_abcdefgh_l9999", "pin": PAYMENT_PIN}, format="json"
    )

    assert response.status_code == 400 and response.json()["code"] == "card_token_mismatch"
    assert LinkedCard.objects.count() == 0


def test_the_verifier_is_pluggable_by_dotted_path(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CARD_TOKEN_VERIFIER = "accounts.integrations.SimulatedCardTokenVerifier"
    settings.CARD_TOKEN_SIMULATED_REJECT_PREFIX = "gw_tok_3c9e"
    client = bearer_client(CustomerFactory())

    response = client.post("/api/v1/cards", {**CARD, "pin": PAYMENT_PIN}, format="json")

    assert response.status_code == 400 and response.json()["code"] == "card_token_invalid"
