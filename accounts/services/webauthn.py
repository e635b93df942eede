"""WebAuthn ceremonies shared by the customer API and the staff admin (py_webauthn underneath).

py_webauthn (``webauthn``) parses the CBOR attestation and the COSE keys and checks, for every
answer: the challenge, the origin (one of ours), the RP id hash, user presence, user verification
(required here: the fingerprint, face or device PIN), the signature, and that the sign counter moved
forward. What the library leaves to the relying party is here:

- challenges are random, stored in PostgreSQL (``WebAuthnChallenge``), bound to a purpose and a
  subject, expire after ``WEBAUTHN_CHALLENGE_TTL_SECONDS`` and are consumed by one
  ``DELETE ... RETURNING`` in their own transaction BEFORE anything is verified: a challenge, and any
  answer signed over it, is used at most once under any concurrency, and a failed verification
  burns it too (no second try against one challenge);
- failures become ``PasskeyRejected`` / ``PasskeyCounterInvalid`` with a ``reason`` the client can
  act on; the payload itself is never logged.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.authentication.verify_authentication_response import VerifiedAuthentication
from webauthn.helpers import options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    COSEAlgorithmIdentifier,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)
from webauthn.registration.verify_registration_response import VerifiedRegistration

from accounts import errors
from accounts.models import WebAuthnChallenge

logger = logging.getLogger(__name__)

MAX_CREDENTIAL_ID_BYTES = 1023


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origins: tuple[str, ...]


def customer_relying_party() -> RelyingParty:
    return RelyingParty(
        id=settings.WEBAUTHN_CUSTOMER_RP_ID,
        name=settings.WEBAUTHN_CUSTOMER_RP_NAME,
        origins=tuple(settings.WEBAUTHN_CUSTOMER_ORIGINS),
    )


def staff_relying_party() -> RelyingParty:
    return RelyingParty(
        id=settings.OTP_WEBAUTHN_RP_ID,
        name=settings.OTP_WEBAUTHN_RP_NAME,
        origins=tuple(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS),
    )


def challenge_ttl() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "WEBAUTHN_CHALLENGE_TTL_SECONDS", 180)))


def _algorithms() -> list[COSEAlgorithmIdentifier]:
    return [COSEAlgorithmIdentifier(a) for a in getattr(settings, "WEBAUTHN_ALGORITHMS", [-7, -8, -257])]


# --- challenges ---------------------------------------------------------------------------------


def challenge_issue(
    *,
    purpose: str,
    customer: Any = None,
    device: Any = None,
    user: Any = None,
    device_key: str = "",
    binding: str = "",
    user_handle: bytes | None = None,
    suffix: bytes = b"",
) -> WebAuthnChallenge:
    """A new challenge: 32 random bytes (then ``suffix``, e.g. the payment fingerprint the
    authenticator will sign over), stored with what it is bound to."""
    now = timezone.now()
    return WebAuthnChallenge.objects.create(
        purpose=purpose,
        challenge=secrets.token_bytes(32) + suffix,
        customer=customer,
        device=device,
        user=user,
        device_key=device_key,
        binding=binding,
        user_handle=user_handle,
        created_at=now,
        expires_at=now + challenge_ttl(),
    )


@dataclass(frozen=True)
class ConsumedChallenge:
    id: uuid.UUID
    challenge: bytes
    customer_id: int | None
    device_id: int | None
    user_id: int | None
    device_key: str
    binding: str
    user_handle: bytes | None


_CONSUME_SQL = """
DELETE FROM {table} WHERE id = %s AND purpose = %s AND expires_at > %s
RETURNING challenge, customer_id, device_id, user_id, device_key, binding, user_handle
"""


def challenge_consume(*, challenge_id: object, purpose: str) -> ConsumedChallenge:
    """Take the challenge for good: one ``DELETE ... RETURNING`` committed at once.

    Call OUTSIDE any transaction (``durable=True`` refuses nesting): the deletion must commit even
    when what follows fails, or a failed verification would leave the challenge reusable. Unknown,
    used, expired or of another purpose: ``PasskeyChallengeInvalid`` (one answer for all)."""
    try:
        key = uuid.UUID(str(challenge_id))
    except (TypeError, ValueError):
        raise errors.PasskeyChallengeInvalid() from None
    sql = _CONSUME_SQL.format(table=connection.ops.quote_name(WebAuthnChallenge._meta.db_table))
    with transaction.atomic(durable=True), connection.cursor() as cursor:
        cursor.execute(sql, [key, purpose, timezone.now()])
        row = cursor.fetchone()
    if row is None:
        raise errors.PasskeyChallengeInvalid()
    challenge, customer_id, device_id, user_id, device_key, binding, user_handle = row
    return ConsumedChallenge(
        id=key,
        challenge=bytes(challenge),
        customer_id=customer_id,
        device_id=device_id,
        user_id=user_id,
        device_key=device_key,
        binding=binding,
        user_handle=bytes(user_handle) if user_handle is not None else None,
    )


def challenges_purge() -> int:
    """Delete expired challenges (a periodic task); a consumed one is already gone."""
    deleted, _ = WebAuthnChallenge.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted


# --- options ------------------------------------------------------------------------------------


def registration_options(
    rp: RelyingParty,
    *,
    challenge: bytes,
    user_handle: bytes,
    user_name: str,
    display_name: str,
    exclude: list[bytes],
    resident_key: ResidentKeyRequirement = ResidentKeyRequirement.REQUIRED,
) -> dict[str, Any]:
    """``PublicKeyCredentialCreationOptions`` as JSON: attestation "none", user verification required."""
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle,
        user_name=user_name,
        user_display_name=display_name,
        challenge=challenge,
        timeout=int(challenge_ttl().total_seconds() * 1000),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=resident_key, user_verification=UserVerificationRequirement.REQUIRED
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c) for c in exclude],
        supported_pub_key_algs=_algorithms(),
    )
    return options_to_json_dict(options)


def authentication_options(rp: RelyingParty, *, challenge: bytes, allow: list[bytes]) -> dict[str, Any]:
    """``PublicKeyCredentialRequestOptions`` as JSON, user verification required. ``allow`` empty:
    the authenticator offers its discoverable passkeys for our RP id (nobody's list is disclosed)."""
    options = generate_authentication_options(
        rp_id=rp.id,
        challenge=challenge,
        timeout=int(challenge_ttl().total_seconds() * 1000),
        allow_credentials=[PublicKeyCredentialDescriptor(id=c) for c in allow],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json_dict(options)


# --- reading and verifying answers --------------------------------------------------------------


def credential_id_hash(raw_id: bytes) -> str:
    return hashlib.sha256(raw_id).hexdigest()


def credential_raw_id(credential: object, *, status_code: int) -> bytes:
    """The credential id an answer names (``rawId``), before anything is verified; malformed: rejected."""
    raw = credential.get("rawId") if isinstance(credential, dict) else None
    if not isinstance(raw, str) or not raw or len(raw) > 2 * MAX_CREDENTIAL_ID_BYTES:
        raise errors.PasskeyRejected(details={"reason": "malformed"}, status_code=status_code)
    try:
        raw_id = base64url_to_bytes(raw)
    except (ValueError, TypeError):
        raise errors.PasskeyRejected(details={"reason": "malformed"}, status_code=status_code) from None
    if not 1 <= len(raw_id) <= MAX_CREDENTIAL_ID_BYTES:
        raise errors.PasskeyRejected(details={"reason": "malformed"}, status_code=status_code)
    return raw_id


def credential_user_handle(credential: dict[str, Any]) -> bytes | None:
    """The user handle a discoverable passkey returns with an assertion (None when absent)."""
    response = credential.get("response")
    handle = response.get("userHandle") if isinstance(response, dict) else None
    if not isinstance(handle, str) or not handle:
        return None
    try:
        return base64url_to_bytes(handle)
    except (ValueError, TypeError):
        return b""


# Which check failed, from py_webauthn's messages (tests/accounts/test_passkeys_*.py pin each one).
_REASONS = (
    ("sign count", "counter"),
    ("origin", "origin"),
    ("RP ID", "rp_id"),
    ("User verification", "user_verification"),
    ("not present", "user_presence"),
    ("challenge", "challenge"),
    ("signature", "signature"),
)


def _reason(exc: Exception) -> str:
    message = str(exc)
    return next((reason for needle, reason in _REASONS if needle in message), "malformed")


def _refusal(exc: Exception, *, status_code: int, ceremony: str) -> errors.DomainError:
    reason = _reason(exc)
    logger.info("Passkey %s refused: %s", ceremony, reason)
    if reason == "counter":
        return errors.PasskeyCounterInvalid(status_code=status_code)
    return errors.PasskeyRejected(details={"reason": reason}, status_code=status_code)


def registration_verify(
    rp: RelyingParty, *, credential: object, expected_challenge: bytes, status_code: int = 400
) -> VerifiedRegistration:
    """Verify a ``navigator.credentials.create()`` answer (attestation "none" or a self-attestation)."""
    if not isinstance(credential, dict):
        raise errors.PasskeyRejected(details={"reason": "malformed"}, status_code=status_code)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=expected_challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            require_user_presence=True,
            require_user_verification=True,
            supported_pub_key_algs=_algorithms(),
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise _refusal(exc, status_code=status_code, ceremony="registration") from None
    if len(verified.credential_id) > MAX_CREDENTIAL_ID_BYTES:
        raise errors.PasskeyRejected(details={"reason": "malformed"}, status_code=status_code)
    return verified


def assertion_verify(
    rp: RelyingParty,
    *,
    credential: object,
    expected_challenge: bytes,
    public_key: bytes,
    sign_count: int,
    status_code: int,
) -> VerifiedAuthentication:
    """Verify a ``navigator.credentials.get()`` answer against a stored public key and counter."""
    if not isinstance(credential, dict):
        raise errors.PasskeyRejected(details={"reason": "malformed"}, status_code=status_code)
    try:
        return verify_authentication_response(
            credential=credential,
            expected_challenge=expected_challenge,
            expected_rp_id=rp.id,
            expected_origin=list(rp.origins),
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise _refusal(exc, status_code=status_code, ceremony="assertion") from None
