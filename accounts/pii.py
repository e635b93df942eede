"""Normalising, indexing and masking personal data. Pure functions: no database."""

from __future__ import annotations

import phonenumbers

from core.crypto import blind_index

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str, default_region: str = "CN") -> str:
    """E.164 (``+8613812345678``) or ``InvalidPhone``."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(raw) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_index(e164: str) -> str:
    return blind_index(e164, purpose="phone")


def device_index(device_id: str) -> str:
    """Keyed hash of an app's device id: what events carry so that risk can see one physical device
    used by several customers (anti-fraud only) without the identifier itself."""
    return blind_index(device_id, purpose="device")


def national_id_index(national_id: str) -> str:
    return blind_index(national_id.upper(), purpose="national_id")


def national_id_is_valid(value: str) -> bool:
    """Mainland resident ID: 17 digits plus a check character (GB 11643-1999, ISO 7064 MOD 11-2)."""
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return False
    total = sum(int(digit) * weight for digit, weight in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***, John Smith -> J*********."""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_phone(e164: str) -> str:
    """+8613812345678 -> 138****5678 (national number, middle hidden)."""
    national = e164[3:] if e164.startswith("+86") else e164.lstrip("+")
    if len(national) <= 7:
        return "*" * len(national)
    return f"{national[:3]}****{national[-4:]}"


def mask_national_id(value: str) -> str:
    """110101199003071234 -> 1101**********1234."""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"
