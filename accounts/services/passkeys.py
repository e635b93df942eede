"""Customer passkeys (fingerprint / face sign-in, WebAuthn): register, list, revoke, sign in.
Confirming a payment with one: ``accounts.services.passkey_payments`` (shares the helpers here).

Every ceremony is two calls: ``*_begin`` issues a single-use challenge bound to its purpose and
subject (``accounts.services.webauthn``) and returns the options the app hands to the platform
authenticator; the second call consumes that challenge (one ``DELETE ... RETURNING``) and only then
verifies the authenticator's answer. Call every function here OUTSIDE any transaction: each commits
the consumption of its challenge on its own and then opens its own short transaction.

A passkey belongs to one trusted device of the customer (the one it was registered on): signing in
with it works on that device only, revoking the device revokes it, and user verification (the
biometric) is required every time.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from webauthn.helpers.structs import CredentialDeviceType

from accounts import errors
from accounts.models import Customer, CustomerPasskey, CustomerToken, Device, WebAuthnChallenge
from accounts.pii import mask_phone
from accounts.services.auth import IssuedToken, _device_id_validate, _token_issue
from accounts.services.otp import customer_step_up_check, otp_consume
from accounts.services.webauthn import (
    assertion_verify,
    authentication_options,
    challenge_consume,
    challenge_issue,
    credential_id_hash,
    credential_raw_id,
    credential_user_handle,
    customer_relying_party,
    registration_options,
    registration_verify,
)

Purpose = WebAuthnChallenge.Purpose
_LOGIN_REFUSED = 401  # sign-in: the caller is not authenticated
_REGISTER_REFUSED = 400  # a malformed or unverifiable registration


@dataclass(frozen=True)
class PasskeyOptions:
    """What ``*_begin`` returns: the challenge's id (sent back with the answer) and the options for
    ``navigator.credentials.create()`` / ``.get()`` (the platform's passkey API on a phone)."""

    challenge_id: uuid.UUID
    public_key: dict[str, Any]
    expires_at: datetime


# --- helpers ------------------------------------------------------------------------------------


def _trusted_device(*, customer: Customer, token: CustomerToken) -> Device:
    device = Device.objects.filter(pk=token.device_id, customer_id=customer.pk).first()
    if device is None or not device.trusted:
        raise errors.DeviceNotTrusted()
    return device


def _user_handle(customer: Customer) -> bytes:
    """One random handle per customer (the authenticator's "account"), kept on their passkeys."""
    existing = (
        CustomerPasskey.objects.filter(customer=customer).order_by("created_at").values_list("user_handle", flat=True)
    ).first()
    return bytes(existing) if existing is not None else secrets.token_bytes(32)


def _options(challenge: WebAuthnChallenge, public_key: dict[str, Any]) -> PasskeyOptions:
    return PasskeyOptions(challenge_id=challenge.pk, public_key=public_key, expires_at=challenge.expires_at)


_ADVANCE_SQL = """
UPDATE accounts_customerpasskey
   SET sign_count = %(new)s, backup_state = %(backed_up)s, last_used_at = %(now)s
 WHERE id = %(pk)s AND revoked_at IS NULL
   AND (sign_count < %(new)s OR (%(new)s = 0 AND sign_count = 0))
RETURNING id
"""


def _counter_advance(passkey: CustomerPasskey, *, new_count: int, backed_up: bool, status_code: int) -> None:
    """Move the sign counter forward, only while the passkey is live (one conditional UPDATE).

    Authenticators that keep no counter (synced passkeys) always send 0, and 0 stays 0. Call inside
    the transaction of what the assertion authorises: if another use moved the counter meanwhile, or
    the passkey was revoked meanwhile, nothing is authorised."""
    with connection.cursor() as cursor:
        cursor.execute(
            _ADVANCE_SQL, {"new": new_count, "backed_up": backed_up, "now": timezone.now(), "pk": passkey.pk}
        )
        row = cursor.fetchone()
    if row is None:
        live = CustomerPasskey.objects.filter(pk=passkey.pk, revoked_at__isnull=True).exists()
        if not live:
            raise errors.PasskeyRejected(details={"reason": "unknown_credential"}, status_code=status_code)
        raise errors.PasskeyCounterInvalid(status_code=status_code)


def _live_passkey(raw_id: bytes, *, status_code: int, **filters: Any) -> CustomerPasskey:
    """The live passkey an answer names (and matching ``filters``); anything else is one refusal:
    unknown, revoked and another customer's credential all answer ``unknown_credential``."""
    passkey = (
        CustomerPasskey.objects.select_related("device")
        .filter(credential_id_hash=credential_id_hash(raw_id), revoked_at__isnull=True, **filters)
        .first()
    )
    if passkey is None:
        raise errors.PasskeyRejected(details={"reason": "unknown_credential"}, status_code=status_code)
    return passkey


def _handle_matches(credential: dict[str, Any], passkey: CustomerPasskey) -> bool:
    handle = credential_user_handle(credential)
    return handle is None or handle == bytes(passkey.user_handle)


# --- registration -------------------------------------------------------------------------------


def passkey_registration_begin(*, customer: Customer, token: CustomerToken) -> PasskeyOptions:
    """Creation options for a new passkey on the device this token belongs to (it must be trusted)."""
    if customer.status != Customer.Status.ACTIVE:
        raise errors.AccountNotActive()
    device = _trusted_device(customer=customer, token=token)
    handle = _user_handle(customer)
    challenge = challenge_issue(purpose=Purpose.CUSTOMER_REGISTER, customer=customer, device=device, user_handle=handle)
    existing = [
        bytes(c)
        for c in CustomerPasskey.objects.filter(customer=customer, revoked_at__isnull=True).values_list(
            "credential_id", flat=True
        )
    ]
    label = mask_phone(customer.phone)
    public_key = registration_options(
        customer_relying_party(),
        challenge=bytes(challenge.challenge),
        user_handle=handle,
        user_name=label,
        display_name=customer.display_name or label,
        exclude=existing,
    )
    return _options(challenge, public_key)


def passkey_register(
    *,
    customer: Customer,
    token: CustomerToken,
    challenge_id: object,
    credential: object,
    otp_code: object,
    name: str = "",
) -> CustomerPasskey:
    """Register the passkey created for ``challenge_id``: step-up by a STEP_UP SMS code (checked
    first and consumed with the new passkey, as when linking a card), the challenge consumed, the
    attestation verified (origin, RP id, user verification), then the passkey stored on this device.

    Raises ``otp_invalid``/``otp_too_many_attempts`` (code), ``passkey_challenge_invalid`` (400),
    ``passkey_rejected`` (400, ``details.reason``), ``device_not_trusted`` (403),
    ``passkey_already_registered`` (409)."""
    if customer.status != Customer.Status.ACTIVE:
        raise errors.AccountNotActive()
    device = _trusted_device(customer=customer, token=token)
    otp = customer_step_up_check(customer=customer, code=otp_code)
    consumed = challenge_consume(challenge_id=challenge_id, purpose=Purpose.CUSTOMER_REGISTER)
    if consumed.customer_id != customer.pk or consumed.device_id != device.pk or consumed.user_handle is None:
        raise errors.PasskeyChallengeInvalid()
    verified = registration_verify(
        customer_relying_party(), credential=credential, expected_challenge=consumed.challenge
    )
    try:
        with transaction.atomic(durable=True):
            # The device first (lock order of device_revoke): revoked meanwhile, nothing is stored.
            if not Device.objects.select_for_update().filter(pk=device.pk, trusted=True).exists():
                raise errors.DeviceNotTrusted()
            otp_consume(otp)
            return CustomerPasskey.objects.create(
                customer=customer,
                device=device,
                name=(name or "").strip()[:64] or gettext("Passkey on %(device)s") % {"device": device.name or "-"},
                credential_id=verified.credential_id,
                credential_id_hash=credential_id_hash(verified.credential_id),
                public_key=verified.credential_public_key,
                user_handle=consumed.user_handle,
                sign_count=verified.sign_count,
                aaguid=str(verified.aaguid),
                backup_eligible=verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
                backup_state=verified.credential_backed_up,
            )
    except IntegrityError:
        raise errors.PasskeyAlreadyRegistered() from None


def passkey_revoke(*, customer: Customer, passkey: CustomerPasskey) -> None:
    """Revoke one of the customer's passkeys (idempotent); it is refused from the next use on."""
    if passkey.customer_id != customer.pk:
        raise errors.DomainError(code="not_found", status_code=404)
    CustomerPasskey.objects.filter(pk=passkey.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def passkeys_revoke_for_device(*, device: Device) -> int:
    """Revoke every live passkey of a device (the device was signed out). Call inside its transaction."""
    return CustomerPasskey.objects.filter(device=device, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- sign-in ------------------------------------------------------------------------------------


def passkey_login_begin(*, device_id: object) -> PasskeyOptions:
    """Request options for signing in on the app device ``device_id``. Nobody is named: the phone
    offers its own passkeys for our RP id, so the answer says nothing about who is a customer."""
    device_key = _device_id_validate(device_id)
    challenge = challenge_issue(purpose=Purpose.CUSTOMER_LOGIN, device_key=device_key)
    public_key = authentication_options(customer_relying_party(), challenge=bytes(challenge.challenge), allow=[])
    return _options(challenge, public_key)


def passkey_login(
    *, challenge_id: object, device_id: object, credential: object, device_name: str = "", ip: str | None = None
) -> IssuedToken:
    """Sign in with a passkey instead of password + code: the same token ``customer_login`` issues.

    The challenge must have been issued for this app device id, the passkey must be live and
    registered on this very device (still trusted), and the assertion must verify with user
    verification and a counter that moved forward. Every refusal is 401 ``passkey_rejected``
    (``details.reason``), ``passkey_counter_invalid`` or 400 ``passkey_challenge_invalid``; a
    closed account 403 ``account_not_active``."""
    device_key = _device_id_validate(device_id)
    consumed = challenge_consume(challenge_id=challenge_id, purpose=Purpose.CUSTOMER_LOGIN)
    if consumed.device_key != device_key:
        raise errors.PasskeyChallengeInvalid()
    raw_id = credential_raw_id(credential, status_code=_LOGIN_REFUSED)
    passkey = _live_passkey(raw_id, status_code=_LOGIN_REFUSED)
    assert isinstance(credential, dict)
    if passkey.device.device_id != device_key or not passkey.device.trusted:
        raise errors.PasskeyRejected(details={"reason": "device"}, status_code=_LOGIN_REFUSED)
    if not _handle_matches(credential, passkey):
        raise errors.PasskeyRejected(details={"reason": "user_handle"}, status_code=_LOGIN_REFUSED)
    verified = assertion_verify(
        customer_relying_party(),
        credential=credential,
        expected_challenge=consumed.challenge,
        public_key=bytes(passkey.public_key),
        sign_count=passkey.sign_count,
        status_code=_LOGIN_REFUSED,
    )
    customer = Customer.objects.get(pk=passkey.customer_id)
    if customer.status == Customer.Status.CLOSED:
        raise errors.AccountNotActive()
    with transaction.atomic(durable=True):
        # Lock order as in device_revoke: the device, then the passkey, then the tokens.
        device = Device.objects.select_for_update().filter(pk=passkey.device_id, trusted=True).first()
        if device is None:
            raise errors.PasskeyRejected(details={"reason": "device"}, status_code=_LOGIN_REFUSED)
        _counter_advance(
            passkey,
            new_count=verified.new_sign_count,
            backed_up=verified.credential_backed_up,
            status_code=_LOGIN_REFUSED,
        )
        device.last_seen_at = timezone.now()
        device.name = (device_name or device.name)[:100]
        device.save(update_fields=["last_seen_at", "name"])
        return _token_issue(customer=customer, device=device)
