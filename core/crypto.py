"""Encryption of personal data at rest, and keyed hashes (blind indexes) for look-ups.

Keys come from the environment (``PII_ENCRYPTION_KEYS``: Fernet keys, newest first). Old keys
still decrypt; ``manage.py rotate_pii_keys`` re-encrypts every value under the newest key.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise RuntimeError("PII_ENCRYPTION_KEYS is empty")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.PII_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise RuntimeError("Personal data could not be decrypted with any configured key") from None


def rotate(token: str) -> str:
    """Re-encrypt under the newest key (MultiFernet.rotate)."""
    return fernet().rotate(token.encode()).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed hash for equality look-ups; ``purpose`` separates phones from ID numbers."""
    key = settings.PII_BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores Fernet ciphertext; Python sees plaintext. Not searchable: pair it with a blind index."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
