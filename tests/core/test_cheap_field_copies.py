"""``core.fields.CheapFieldCopiesMixin``: a serializer whose fields are shallow copies validates
exactly as DRF's deep copies do, and never binds nor changes the declared fields it copies.

What makes it fail (seen): the mixin handing out the declared field itself instead of a copy (bound
once, then shared by every request: DRF's second bind asserts, and the declared field is changed);
a validation that differs from DRF's deep copies on any body of the table.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from rest_framework import serializers

from core.errors import DomainError
from core.fields import CheapFieldCopiesMixin
from payments.api.views_bills import BillPaymentCreateApi
from payments.api.views_merchants import MerchantPaymentCreateApi
from payments.api.views_transfers import TransferCreateApi

CHEAP = [
    TransferCreateApi.InputSerializer,
    MerchantPaymentCreateApi.InputSerializer,
    BillPaymentCreateApi.InputSerializer,
]

BODIES: list[dict[str, Any]] = [
    {"to_wallet_id": str(uuid.uuid4()), "amount": "12.34", "currency": "CNY", "pin": "123456"},
    {"to_phone": "13800138000", "amount": "0.01", "pin": "123456", "memo": "lunch"},
    {"to_phone": "13800138000", "amount": 12, "pin": "123456"},
    {"to_phone": 13800138000, "amount": "1.00", "pin": 123456},
    {"to_wallet_id": "not-a-uuid", "amount": "1.00", "pin": "123456"},
    {"amount": "1.00", "pin": "123456"},
    {"to_phone": "13800138000", "amount": "1.00"},
    {"to_phone": "13800138000", "amount": "1.00", "passkey": {"challenge_id": str(uuid.uuid4()), "credential": {}}},
    {"to_phone": "13800138000", "amount": "1.00", "passkey": {"challenge_id": 5, "credential": []}},
    {"to_phone": "13800138000", "amount": "1.00", "pin": "1", "step_up_challenge": "x" * 40},
    {"to_phone": "13800138000", "amount": "1.00", "pin": "1", "memo": "4111 1111 1111 1111"},
    {"merchant_id": str(uuid.uuid4()), "amount": "1.00", "pin": "123456"},
    {"qr": "x", "amount": "1.00", "pin": "123456"},
]


def _deep(cls: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The same serializer with DRF's own deep copies (the mixin's method skipped)."""

    class Deep(cls):  # type: ignore[valid-type,misc]
        def get_fields(self) -> dict[str, serializers.Field]:
            return serializers.Serializer.get_fields(self)

    return Deep


def _outcome(cls: type[serializers.Serializer], body: dict[str, Any]) -> Any:
    serializer = cls(data=body)
    try:
        valid = serializer.is_valid()
    except DomainError as exc:  # raised from validate (e.g. invalid_amount)
        return ("raised", type(exc).__name__, str(exc))
    return ("valid", serializer.validated_data) if valid else ("invalid", serializer.errors)


@pytest.mark.parametrize("cls", CHEAP, ids=lambda c: c.__qualname__)
def test_shallow_copies_validate_as_deep_copies(cls: type[serializers.Serializer]) -> None:
    assert issubclass(cls, CheapFieldCopiesMixin)
    for body in BODIES:
        assert _outcome(cls, body) == _outcome(_deep(cls), body), body


@pytest.mark.parametrize("cls", CHEAP, ids=lambda c: c.__qualname__)
def test_declared_fields_are_never_bound_nor_changed(cls: type[serializers.Serializer]) -> None:
    before = {name: dict(vars(field)) for name, field in cls._declared_fields.items()}
    errors: list[str] = []

    def hammer() -> None:
        for _ in range(50):
            for body in BODIES:
                try:
                    _outcome(cls, body)
                except Exception as exc:  # noqa: BLE001 - any error in a thread is reported below
                    errors.append(repr(exc))

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for name, field in cls._declared_fields.items():
        assert getattr(field, "field_name", None) is None, name
        assert getattr(field, "parent", None) is None, name
        assert vars(field) == before[name], name


def test_each_instance_gets_its_own_bound_copies() -> None:
    cls = TransferCreateApi.InputSerializer
    a, b = cls(data=BODIES[0]), cls(data=BODIES[1])
    for name in cls._declared_fields:
        assert a.fields[name] is not b.fields[name]
        assert a.fields[name].parent is a and b.fields[name].parent is b
    assert a.fields["passkey"].fields["challenge_id"] is not b.fields["passkey"].fields["challenge_id"]
