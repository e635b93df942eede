"""Accounts test helpers on top of the shared tests/factories.py."""

from __future__ import annotations

from accounts.pii import _ID_CHECK, _ID_WEIGHTS


def national_id(first17: str = "11010519900307123") -> str:
    """A mainland ID number with a correct check digit."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]


def bad_checksum(value: str) -> str:
    wrong = "0" if value[-1] != "0" else "1"
    return value[:-1] + wrong
