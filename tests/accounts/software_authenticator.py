"""A software WebAuthn authenticator for tests: a real P-256 key and real payloads.

``register(options)`` answers ``navigator.credentials.create()`` with attestation "none": an
``authenticatorData`` carrying the RP id hash, flags, counter and the attested credential (AAGUID,
credential id, COSE_Key of the public key), CBOR-encoded in an attestation object, and the
``clientDataJSON``. ``assertion(options)`` answers ``navigator.credentials.get()``: ``authenticatorData``
with the next counter value and an ES256 signature (``cryptography``) over ``authenticatorData ||
SHA-256(clientDataJSON)``. The server verifies them with py_webauthn exactly as a phone's answer.

Every field a test wants to break (origin, RP id, user verification, the counter, the challenge,
the credential id) is a keyword argument.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ORIGIN = "http://localhost:8000"  # WEBAUTHN_CUSTOMER_ORIGINS[0] outside production
RP_ID = "localhost"

_UP, _UV, _BE, _BS, _AT = 0x01, 0x04, 0x08, 0x10, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftwareAuthenticator:
    def __init__(self, *, origin: str = ORIGIN, backup: bool = False) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.aaguid = bytes(16)
        self.sign_count = 0
        self.user_handle: bytes | None = None
        self.origin = origin
        self.backup = backup

    # --- keys ---------------------------------------------------------------------------------
    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def _flags(self, *, user_verified: bool, attested: bool = False) -> int:
        flags = _UP | (_UV if user_verified else 0)
        if self.backup:
            flags |= _BE | _BS
        return flags | (_AT if attested else 0)

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}, separators=(",", ":")
        ).encode()

    # --- ceremonies ---------------------------------------------------------------------------
    def register(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        challenge: str | None = None,
    ) -> dict[str, Any]:
        """The answer to ``navigator.credentials.create(options)`` (RegistrationResponseJSON)."""
        rp = rp_id or options["rp"]["id"]
        self.user_handle = unb64url(options["user"]["id"])
        client_data = self._client_data("webauthn.create", challenge or options["challenge"], origin or self.origin)
        attested = self.aaguid + len(self.credential_id).to_bytes(2, "big") + self.credential_id
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([self._flags(user_verified=user_verified, attested=True)])
            + self.sign_count.to_bytes(4, "big")
            + attested
            + self.cose_public_key()
        )
        attestation_object = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation_object),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def assertion(
        self,
        options: dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        user_verified: bool = True,
        sign_count: int | None = None,
        credential_id: bytes | None = None,
        challenge: str | None = None,
    ) -> dict[str, Any]:
        """The answer to ``navigator.credentials.get(options)`` (AuthenticationResponseJSON).
        The counter goes up by one unless ``sign_count`` is given."""
        if sign_count is None:
            self.sign_count += 1
            sign_count = self.sign_count
        rp = rp_id or options.get("rpId") or RP_ID
        client_data = self._client_data("webauthn.get", challenge or options["challenge"], origin or self.origin)
        auth_data = (
            hashlib.sha256(rp.encode()).digest()
            + bytes([self._flags(user_verified=user_verified)])
            + sign_count.to_bytes(4, "big")
        )
        signature = self.private_key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        raw_id = credential_id or self.credential_id
        response: dict[str, Any] = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if self.user_handle is not None:
            response["userHandle"] = b64url(self.user_handle)
        return {
            "id": b64url(raw_id),
            "rawId": b64url(raw_id),
            "type": "public-key",
            "response": response,
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
