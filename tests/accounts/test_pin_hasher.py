"""Payment PINs are stored as a keyed HMAC; the key is not in the database."""

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings

from accounts.models import Customer
from accounts.services import customer_payment_pin_verify
from accounts.services.pin import payment_pin_hash
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_pin_hash_is_salted_and_keyed() -> None:
    first, second = payment_pin_hash("482913"), payment_pin_hash("482913")

    assert first.startswith("pin_hmac_sha256$") and "482913" not in first
    assert first != second
    assert check_password("482913", first)
    assert not check_password("482914", first)
    with override_settings(PIN_HASH_KEY="another-key-another-key-another-key"):
        assert not check_password("482913", first)


def test_a_pin_stored_with_argon2_still_works_and_is_restored_under_the_keyed_hasher() -> None:
    customer = CustomerFactory(payment_pin=make_password("482913"))

    customer_payment_pin_verify(customer=customer, pin="482913")

    stored = Customer.objects.values_list("payment_pin", flat=True).get(pk=customer.pk)
    assert stored.startswith("pin_hmac_sha256$")
    customer_payment_pin_verify(customer=customer, pin="482913")
