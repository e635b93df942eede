"""KYC: name + ID checked by the pluggable verifier; tier 1; ID stored encrypted with a blind index."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from accounts.models import Customer, KycReview
from accounts.pii import national_id_index
from core.models import OutboxEvent
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


def test_an_id_already_used_by_another_customer_goes_to_a_branch_review_without_saying_whose(unverified):
    """Issue 9 item 9: this was a 409 ``national_id_already_registered``, before verification."""
    holder = CustomerFactory(national_id=ID, national_id_index=national_id_index(ID))
    client = bearer_client(unverified)

    response = client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": ID})

    assert response.status_code == 200
    assert response.json()["review_pending"] is True and response.json()["tier"] == 0
    assert str(holder.public_id) not in response.content.decode() and ID[-4:] not in response.content.decode()
    review = KycReview.objects.get()
    assert (review.customer_id, review.existing_customer_id, review.status) == (unverified.pk, holder.pk, "OPEN")
    assert review.national_id == ID and review.branch_id == holder.home_branch_id
    assert OutboxEvent.objects.filter(topic="kyc.review_requested").count() == 1
    assert Customer.objects.get(pk=unverified.pk).kyc_tier_id == 0
    assert client.get("/api/v1/me/kyc").json()["review_pending"] is True


def test_an_id_held_by_another_customer_is_verified_first_and_counted(unverified, settings):
    CustomerFactory(national_id=ID, national_id_index=national_id_index(ID))
    held_mismatch = national_id("00000019950307123")
    CustomerFactory(national_id=held_mismatch, national_id_index=national_id_index(held_mismatch))
    client = bearer_client(unverified)

    mismatch = client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": held_mismatch})
    duplicates = [client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": ID}) for _ in range(4)]
    sixth = client.post("/api/v1/me/kyc", {"legal_name": "王小明", "national_id": ID})

    assert mismatch.status_code == 422 and mismatch.json()["code"] == "kyc_mismatch"  # not a 409: verified first
    assert [r.status_code for r in duplicates] == [200] * 4
    assert sixth.status_code == 429  # a duplicate counts like a failure
    assert KycReview.objects.count() == 1


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

    assert response.json() == {"tier": 0, "verified_at": None, "national_id_masked": "", "review_pending": False}
