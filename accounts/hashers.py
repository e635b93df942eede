"""The payment PIN hasher: HMAC-SHA256 keyed with ``PIN_HASH_KEY`` from the environment.

A PIN has 10^6 values, so no work factor protects it from an offline search: argon2 with
Django's parameters costs ~0.45 s and 100 MiB per check on a 2-core machine (80 % of a payment
request, measured) and still falls to a day of cores. What protects a PIN is (1) a key the
database does not hold, so a stolen table cannot be searched offline, and (2) the 5-try lockout
online. Banks do the same with an HSM-held key; this is the software form of it.
Passwords keep argon2: they have the entropy for a work factor to matter.

Stored form: ``pin_hmac_sha256$<key id>$<salt>$<digest>``. The key id names the key (a keyed
fingerprint of it, never the key), so keys rotate: ``PIN_HASH_KEY`` is the newest and hashes new
PINs; ``PIN_HASH_KEYS_PREVIOUS`` (newest first) still verify, and ``must_update`` tells the PIN
service to re-hash under the newest key on the next correct entry. The first form, without a
key id (``pin_hmac_sha256$<salt>$<digest>``), verifies against every configured key.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import BasePasswordHasher, mask_hash
from django.utils.crypto import constant_time_compare, get_random_string
from django.utils.translation import gettext_noop


def pin_hash_keys() -> list[str]:
    """Configured PIN keys, newest first (``PIN_HASH_KEY`` then ``PIN_HASH_KEYS_PREVIOUS``)."""
    previous = list(getattr(settings, "PIN_HASH_KEYS_PREVIOUS", []) or [])
    return [key for key in [settings.PIN_HASH_KEY, *previous] if key]


def pin_key_id(key: str) -> str:
    """A short public name of ``key``: an HMAC of a fixed label, so it tells nothing about the key."""
    return hmac.new(key.encode(), b"tongbao-pin-key-id", hashlib.sha256).hexdigest()[:8]


class PaymentPinHasher(BasePasswordHasher):
    algorithm = "pin_hmac_sha256"

    def salt(self) -> str:
        return get_random_string(16)

    @staticmethod
    def _digest(key: str, password: str, salt: str) -> str:
        return hmac.new(key.encode(), f"{salt}:{password}".encode(), hashlib.sha256).hexdigest()

    def encode(self, password: str, salt: str) -> str:
        if password is None or not salt or "$" in salt:
            raise ValueError("A PIN and a salt without '$' are required")
        keys = pin_hash_keys()
        if not keys:
            raise ValueError("PIN_HASH_KEY is not set")
        return f"{self.algorithm}${pin_key_id(keys[0])}${salt}${self._digest(keys[0], password, salt)}"

    def decode(self, encoded: str) -> dict[str, Any]:
        parts = encoded.split("$")
        assert parts[0] == self.algorithm
        if len(parts) == 3:  # the first form, before key ids
            return {"algorithm": parts[0], "key_id": None, "salt": parts[1], "hash": parts[2]}
        algorithm, key_id, salt, digest = parts
        return {"algorithm": algorithm, "key_id": key_id, "salt": salt, "hash": digest}

    def verify(self, password: str, encoded: str) -> bool:
        decoded = self.decode(encoded)
        keys = [k for k in pin_hash_keys() if decoded["key_id"] is None or pin_key_id(k) == decoded["key_id"]]
        matched = False
        for key in keys:  # no early exit: the same work whichever key matches
            matched |= constant_time_compare(self._digest(key, password, decoded["salt"]), decoded["hash"])
        return matched

    def safe_summary(self, encoded: str) -> dict[Any, Any]:
        decoded = self.decode(encoded)
        return {
            gettext_noop("algorithm"): decoded["algorithm"],
            gettext_noop("key id"): decoded["key_id"] or "-",
            gettext_noop("hash"): mask_hash(decoded["hash"]),
        }

    def must_update(self, encoded: str) -> bool:
        keys = pin_hash_keys()
        return bool(keys) and self.decode(encoded)["key_id"] != pin_key_id(keys[0])
