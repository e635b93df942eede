"""Profile, consents (marketing reach), linked cards (never a card number)."""

from __future__ import annotations

import dataclasses

import pytest

from accounts.consent_texts import CONSENT_TEXTS
from accounts.models import Consent, Customer, LinkedCard
from accounts.selectors import customer_marketing_reachable_qs
from tests.accounts.conftest import bearer_client
from tests.factories import PAYMENT_PIN, CustomerFactory, LinkedCardFactory

pytestmark = pytest.mark.django_db

CARD = {
    "gateway_token": "gw_tok_8f2a9c1d",
    "bank_name": "中国银行",
    "last4": "8842",
    "card_type": "DEBIT",
    "pin": PAYMENT_PIN,
}


def test_me_shows_own_profile_and_the_reason_of_a_freeze():
    customer = CustomerFactory(status=Customer.Status.FROZEN, status_reason="可疑交易核查中")
    client = bearer_client(customer)

    body = client.get("/api/v1/me").json()

    assert body["public_id"] == str(customer.public_id)
    assert body["status"] == "FROZEN" and body["status_reason"] == "可疑交易核查中"
    assert body["kyc_tier"]["level"] == 2 and body["kyc_tier"]["per_transaction_limit"] == "50000.00"
    assert body["has_payment_pin"] is True
    assert "password" not in body and "payment_pin" not in body and "id" not in body


def test_patch_me_changes_safe_fields_only():
    customer = CustomerFactory()
    client = bearer_client(customer)

    ok = client.patch("/api/v1/me", {"display_name": "小明"})
    refused = client.patch("/api/v1/me", {"legal_name": "李四", "kyc_tier": 2})

    assert ok.status_code == 200 and ok.json()["display_name"] == "小明"
    assert refused.status_code == 400 and refused.json()["code"] == "field_not_editable"
    assert Customer.objects.get(pk=customer.pk).legal_name == "张三"


def test_consent_grant_withdraw_and_marketing_reach():
    customer = CustomerFactory()
    client = bearer_client(customer)

    granted = client.post("/api/v1/me/consents", {"purpose": "MARKETING", "version": "2026-01"})
    again = client.post("/api/v1/me/consents", {"purpose": "MARKETING", "version": "2026-01"})
    reachable_before = list(customer_marketing_reachable_qs())
    withdrawn = client.delete("/api/v1/me/consents/MARKETING")
    withdrawn_again = client.delete("/api/v1/me/consents/MARKETING")

    assert granted.status_code == again.status_code == 201
    assert Consent.objects.filter(customer=customer, purpose="MARKETING").count() == 1
    assert reachable_before == [customer]
    assert withdrawn.status_code == 204
    assert withdrawn_again.status_code == 404
    assert list(customer_marketing_reachable_qs()) == []
    listed = client.get("/api/v1/me/consents").json()["results"]
    assert listed[0]["purpose"] == "MARKETING" and listed[0]["live"] is False


def test_a_new_consent_version_supersedes_the_old(monkeypatch):
    customer = CustomerFactory()
    client = bearer_client(customer)
    client.post("/api/v1/me/consents", {"purpose": "PRIVACY", "version": "2026-01"})
    newer = dataclasses.replace(CONSENT_TEXTS["PRIVACY"], version="2026-07")
    monkeypatch.setitem(CONSENT_TEXTS, "PRIVACY", newer)

    client.post("/api/v1/me/consents", {"purpose": "PRIVACY", "version": "2026-07"})

    live = Consent.objects.filter(customer=customer, purpose="PRIVACY", withdrawn_at__isnull=True)
    assert list(live.values_list("version", flat=True)) == ["2026-07"]


@pytest.mark.parametrize("version", ["v1", "1", "2025-01", "2026-07"])
def test_a_consent_to_a_text_that_is_not_current_is_refused(version):
    customer = CustomerFactory()

    response = bearer_client(customer).post("/api/v1/me/consents", {"purpose": "MARKETING", "version": version})

    assert response.status_code == 400
    assert response.json()["code"] == "consent_version_invalid"
    assert response.json()["details"] == {"purpose": "MARKETING", "current_version": "2026-01"}
    assert not Consent.objects.filter(customer=customer).exists()


def test_frozen_customers_are_not_marketing_reachable():
    customer = CustomerFactory(status=Customer.Status.FROZEN)
    Consent.objects.create(customer=customer, purpose="MARKETING", version="1")

    assert list(customer_marketing_reachable_qs()) == []


def test_unknown_consent_purpose_is_a_400():
    client = bearer_client(CustomerFactory())

    assert client.post("/api/v1/me/consents", {"purpose": "SELL_DATA", "version": "1"}).status_code == 400


def test_link_list_and_remove_a_card():
    customer = CustomerFactory()
    client = bearer_client(customer)

    linked = client.post("/api/v1/cards", CARD)
    listed = client.get("/api/v1/cards").json()["results"]
    removed = client.delete(f"/api/v1/cards/{linked.json()['public_id']}")

    assert linked.status_code == 201, linked.json()
    assert linked.json()["last4"] == "8842" and "gateway_token" not in linked.json()
    assert [c["public_id"] for c in listed] == [linked.json()["public_id"]]
    assert removed.status_code == 204
    assert client.get("/api/v1/cards").json()["results"] == []
    assert LinkedCard.objects.get().status == LinkedCard.Status.REMOVED


@pytest.mark.parametrize(
    "field,value",
    [
        ("gateway_token", "6222021234567890123"),
        ("bank_name", "工行 6222 0212 3456 7890"),
        ("last4", "622202123456"),
        ("card_number", "6222-0212-3456-7890"),
        ("note", {"pan": 6222021234567890}),
    ],
)
def test_any_field_with_12_or_more_digits_is_refused_and_nothing_stored(field, value):
    client = bearer_client(CustomerFactory())

    response = client.post("/api/v1/cards", {**CARD, field: value}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "card_number_refused"
    assert "6222" not in str(response.json())
    assert LinkedCard.objects.count() == 0


@pytest.mark.parametrize(
    "field,value,code",
    [
        ("last4", "88a2", "invalid_last4"),
        ("gateway_token", "bad token!", "invalid_gateway_token"),
        ("card_type", "GOLD", "invalid_request"),
    ],
)
def test_malformed_card_fields_are_a_400(field, value, code):
    client = bearer_client(CustomerFactory())

    response = client.post("/api/v1/cards", {**CARD, field: value})

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert LinkedCard.objects.count() == 0


def test_the_same_gateway_token_twice_is_a_409():
    client = bearer_client(CustomerFactory())
    client.post("/api/v1/cards", CARD)

    response = client.post("/api/v1/cards", CARD)

    assert response.status_code == 409
    assert LinkedCard.objects.count() == 1


def test_another_customers_card_is_a_404_and_stays_linked():
    card = LinkedCardFactory()
    client = bearer_client(CustomerFactory())

    assert client.get(f"/api/v1/cards/{card.public_id}").status_code == 404
    assert client.delete(f"/api/v1/cards/{card.public_id}").status_code == 404
    assert LinkedCard.objects.get(pk=card.pk).status == LinkedCard.Status.ACTIVE
