"""A card number typed into a customer's display name or device name is refused (400 card_number_in_text)."""

from __future__ import annotations

import pytest

from accounts.models import Device
from tests.accounts.conftest import bearer_client, otp_for, register_payload
from tests.factories import CustomerFactory

VISA = "4111111111111111"


@pytest.mark.django_db
def test_display_name_with_a_card_number_is_refused() -> None:
    customer = CustomerFactory()

    response = bearer_client(customer).patch("/api/v1/me", {"display_name": "4111 1111 1111 1111"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "card_number_in_text"
    customer.refresh_from_db()
    assert "4111" not in customer.display_name


@pytest.mark.django_db
def test_device_name_with_a_card_number_is_refused_at_registration() -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    phone = "+8613955550001"
    payload = {**register_payload(phone, otp_for(client, phone, "REGISTER")), "device_name": f"my {VISA}"}

    response = client.post("/api/v1/auth/register", payload, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "card_number_in_text"
    assert Device.objects.count() == 0
