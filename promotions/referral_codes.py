"""Referral codes: a keyed permutation of the customer's id, so a code needs no table and a GET
writes nothing (STYLE: selectors only read).

code = Crockford base32 (8 characters, 40 bits) of a 4-round Feistel network over the customer's
primary key (< 2**40), each round ``HMAC-SHA256(key, round || half)`` truncated to 20 bits. The
key is ``PROMOTIONS_REFERRAL_CODE_KEY`` (default: derived from ``SECRET_KEY``; changing it changes
every code, so it is set once per installation). A code is not a secret (it is shared on purpose):
the permutation only keeps codes from being consecutive. ``code_decode`` answers the customer id
the code stands for, or None for anything malformed.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

__all__ = ["CODE_LENGTH", "code_decode", "code_encode", "code_normalize"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)} | {"O": 0, "I": 1, "L": 1}
CODE_LENGTH = 8
_HALF_BITS = 20
_MASK = (1 << _HALF_BITS) - 1
_ROUNDS = 4


def _key() -> bytes:
    configured = getattr(settings, "PROMOTIONS_REFERRAL_CODE_KEY", "")
    if configured:
        return str(configured).encode()
    return hashlib.sha256(f"referral-code:{settings.SECRET_KEY}".encode()).digest()


def _round(key: bytes, number: int, half: int) -> int:
    digest = hmac.new(key, f"{number}:{half}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & _MASK


def _permute(value: int, *, inverse: bool) -> int:
    key = _key()
    left, right = value >> _HALF_BITS, value & _MASK
    rounds = range(_ROUNDS - 1, -1, -1) if inverse else range(_ROUNDS)
    for number in rounds:
        if inverse:
            left, right = right ^ _round(key, number, left), left
        else:
            left, right = right, left ^ _round(key, number, right)
    return (left << _HALF_BITS) | right


def code_encode(customer_id: int) -> str:
    if not 0 < customer_id < (1 << (2 * _HALF_BITS)):
        raise ValueError("customer id out of the code space")
    value = _permute(customer_id, inverse=False)
    return "".join(_ALPHABET[(value >> (5 * i)) & 31] for i in range(CODE_LENGTH - 1, -1, -1))


def code_normalize(code: object) -> str | None:
    """Upper case, without spaces and dashes; None unless 8 Crockford base32 characters."""
    if not isinstance(code, str):
        return None
    text = code.strip().upper().replace("-", "").replace(" ", "")
    if len(text) != CODE_LENGTH or any(c not in _DECODE for c in text):
        return None
    return "".join(_ALPHABET[_DECODE[c]] for c in text)


def code_decode(code: object) -> int | None:
    text = code_normalize(code)
    if text is None:
        return None
    value = 0
    for char in text:
        value = (value << 5) | _DECODE[char]
    customer_id = _permute(value, inverse=True)
    return customer_id or None
