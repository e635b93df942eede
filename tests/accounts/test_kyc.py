"""KYC: name + ID checked by the pluggable verifier; tier 1; ID stored encrypted with a blind index."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from accounts.models import Customer
from accounts.pii import national_id_index
from tests.accounts.conftest import bearer_client
from tests.accounts.factories import bad_checksum, national_id
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ID = national_id("11010519950307123")


@pytest.fixture
def unverified() -> Customer:
    return CustomerFactory(legal_name="", kyc_tier_id=0)


def test_kyc_success_reaches_tier_1_with_the_id_encrypted(unverified):
    client = bearer_client(unverified)

    response = client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": ID})

    assert response.status_code == 200, response.json()
    assert response.json()["tier"] == 1
    assert response.json()["national_id_masked"] == f"1101**********{ID[-4:]}"
    customer = Customer.objects.get(pk=unverified.pk)
    assert customer.kyc_tier_id == 1 and customer.kyc_verified_at is not None
    assert customer.national_id == ID and customer.legal_name == "王小明"
    assert customer.national_id_index == national_id_index(ID)
    assert customer.date_of_birth == date(1995, 3, 7)
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id, legal_name FROM accounts_customer WHERE id = %s", [customer.pk])
        raw_id, raw_name = cursor.fetchone()
    assert ID not in raw_id and "王小明" not in raw_name


def test_bad_checksum_is_a_400_and_changes_nothing(unverified):
    client = bearer_client(unverified)

    response = client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": bad_checksum(ID)})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_national_id"
    assert Customer.objects.get(pk=unverified.pk).kyc_tier_id == 0


def test_verifier_mismatch_is_a_422(unverified):
    client = bearer_client(unverified)

    response = client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": national_id("00000019950307123")})

    assert response.status_code == 422
    assert response.json()["code"] == "kyc_mismatch"
    customer = Customer.objects.get(pk=unverified.pk)
    assert customer.kyc_tier_id == 0 and customer.national_id == "" and customer.national_id_index is None


def test_an_id_already_used_by_another_customer_is_a_409(unverified):
    CustomerFactory(national_id=ID, national_id_index=national_id_index(ID))
    client = bearer_client(unverified)

    response = client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": ID})

    assert response.status_code == 409
    assert response.json()["code"] == "national_id_already_registered"
    assert Customer.objects.get(pk=unverified.pk).kyc_tier_id == 0


def test_verified_customer_cannot_submit_again():
    client = bearer_client(CustomerFactory())  # tier 2

    response = client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": ID})

    assert response.status_code == 409
    assert response.json()["code"] == "kyc_already_verified"


def test_repeated_mismatches_are_locked_out(unverified):
    client = bearer_client(unverified)
    mismatch = national_id("00000019950307123")
    statuses = [
        client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": mismatch}).status_code for _ in range(5)
    ]

    response = client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": ID})

    assert statuses == [422] * 5
    assert response.status_code == 429
    assert response.json()["code"] == "kyc_too_many_attempts"


def test_kyc_status_is_readable():
    client = bearer_client(CustomerFactory(kyc_tier_id=0, legal_name=""))

    response = client.get("/api/v1/me/kyc")

    assert response.json() == {"tier": 0, "verified_at": None, "national_id_masked": ""}
