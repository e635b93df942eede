"""Passkey confirmation of one payment: the factor the payments app asks for before its money step.

``passkey_payment_begin`` binds a challenge to the customer, their device and the payment's
fingerprint (amount, currency, payee, Idempotency-Key), and makes the fingerprint the tail of the
challenge the authenticator signs; ``passkey_payment_verify`` consumes it and checks the answer.
How payments wires it: docs/accounts.md "Passkeys".
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts import errors
from accounts.models import Customer, CustomerPasskey, CustomerToken, WebAuthnChallenge
from accounts.services.passkeys import (
    PasskeyOptions,
    _counter_advance,
    _handle_matches,
    _live_passkey,
    _options,
    _trusted_device,
)
from accounts.services.webauthn import (
    assertion_verify,
    authentication_options,
    challenge_consume,
    challenge_issue,
    credential_raw_id,
    customer_relying_party,
)

Purpose = WebAuthnChallenge.Purpose
_PAYMENT_REFUSED = 403  # a signed-in customer whose passkey did not confirm the payment


@dataclass(frozen=True)
class PasskeyPaymentFactor:
    """A verified passkey confirmation of one payment (``passkey_payment_verify``).

    ``fingerprint`` is what was signed: SHA-256 of the customer, amount, currency, payee and
    idempotency key. ``replaces_pin``: the customer's KYC tier lets a passkey stand in for the
    payment PIN (``KycTier.passkey_replaces_pin``); otherwise the PIN is still asked. A verified
    passkey always satisfies a step-up (it is a second factor with user verification)."""

    customer_id: int
    passkey_id: uuid.UUID
    challenge_id: uuid.UUID
    fingerprint: str
    verified_at: datetime
    replaces_pin: bool
    satisfies_step_up: bool = True
    user_verified: bool = True
    factor: str = "PASSKEY"


# --- payment confirmation -----------------------------------------------------------------------


# Payee kinds whose value is a UUID: compared in canonical lower case (iOS writes UUIDs upper case).
_UUID_PAYEES = ("wallet", "card", "topup", "withdrawal")


def payee_normalised(payee: str) -> str:
    """The payee as both sides compare it: ``<kind>:<value>`` with the value's surrounding white
    space dropped (the payment endpoints trim a scanned QR or a typed phone number) and a UUID in
    lower case. The kind names the operation as well (``topup:`` vs ``withdrawal:``), so a
    confirmation given for one operation never confirms another."""
    kind, sep, value = payee.partition(":")
    value = value.strip()
    if kind in _UUID_PAYEES:
        value = value.lower()
    return f"{kind}{sep}{value}"


def payment_fingerprint(
    *, customer: Customer, amount_minor: int, currency: str, payee: str, idempotency_key: str
) -> str:
    """SHA-256 (hex) of the payment a passkey confirms: customer, amount in minor units, currency,
    payee and idempotency key, as canonical JSON. ``payee`` is the payment endpoint's own payee
    string (docs/accounts.md "Passkeys": ``qr:<qr text>``, ``phone:<to_phone>``, ...)."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise errors.DomainError(gettext("The amount must be positive."), code="invalid_amount")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isascii() or not currency.isupper():
        raise errors.DomainError(gettext("Unknown currency."), code="unknown_currency")
    if not isinstance(payee, str) or not 1 <= len(payee) <= 1100:
        raise errors.DomainError(gettext("The payee is missing."), code="invalid_payee")
    if (
        not isinstance(idempotency_key, str)
        or not 1 <= len(idempotency_key) <= 255
        or not idempotency_key.isprintable()
    ):
        raise errors.DomainError(gettext("The Idempotency-Key is invalid."), code="idempotency_key_invalid")
    canonical = json.dumps(
        {
            "v": 1,
            "customer": str(customer.public_id),
            "amount_minor": amount_minor,
            "currency": currency,
            "payee": payee_normalised(payee),
            "idempotency_key": idempotency_key,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def passkey_payment_begin(
    *, customer: Customer, token: CustomerToken, amount_minor: int, currency: str, payee: str, idempotency_key: str
) -> PasskeyOptions:
    """Request options to confirm one payment: the challenge is bound to this customer, device and
    payment fingerprint, and ends with the fingerprint, so the signed ``clientDataJSON`` itself
    names the payment (dynamic linking). Only this device's live passkeys are allowed."""
    device = _trusted_device(customer=customer, token=token)
    fingerprint = payment_fingerprint(
        customer=customer, amount_minor=amount_minor, currency=currency, payee=payee, idempotency_key=idempotency_key
    )
    allowed = [
        bytes(c)
        for c in CustomerPasskey.objects.filter(customer=customer, device=device, revoked_at__isnull=True).values_list(
            "credential_id", flat=True
        )
    ]
    if not allowed:
        raise errors.PasskeyNotRegistered()
    challenge = challenge_issue(
        purpose=Purpose.CUSTOMER_PAYMENT,
        customer=customer,
        device=device,
        binding=fingerprint,
        suffix=bytes.fromhex(fingerprint),
    )
    public_key = authentication_options(customer_relying_party(), challenge=bytes(challenge.challenge), allow=allowed)
    return _options(challenge, public_key)


def passkey_payment_verify(
    *,
    customer: Customer,
    token: CustomerToken,
    challenge_id: object,
    credential: object,
    amount_minor: int,
    currency: str,
    payee: str,
    idempotency_key: str,
) -> PasskeyPaymentFactor:
    """Verify a passkey confirmation of exactly this payment; return the verified factor.

    Contract: call OUTSIDE any transaction, before the money transaction (like
    ``customer_payment_pin_verify``), and only when no stored answer for the idempotency key is to
    be replayed. The challenge is consumed first (committed: a retry needs a new one), then the
    challenge's customer, device and fingerprint must be this payment's, the passkey must be this
    customer's, live and on this device, and the assertion must verify (origin, RP id, user
    verification, signature, counter forward); the counter is advanced in its own transaction.

    Raises 400 ``passkey_challenge_invalid``, 403 ``passkey_rejected`` (``details.reason``:
    ``binding``, ``unknown_credential``, ``device``, ``origin``, ``rp_id``, ``user_verification``,
    ``signature``, ``malformed``, ...) or 403 ``passkey_counter_invalid``; nothing else changes."""
    fingerprint = payment_fingerprint(
        customer=customer, amount_minor=amount_minor, currency=currency, payee=payee, idempotency_key=idempotency_key
    )
    consumed = challenge_consume(challenge_id=challenge_id, purpose=Purpose.CUSTOMER_PAYMENT)
    if consumed.customer_id != customer.pk or consumed.device_id != token.device_id:
        raise errors.PasskeyChallengeInvalid()
    if consumed.binding != fingerprint or not consumed.challenge.endswith(bytes.fromhex(fingerprint)):
        raise errors.PasskeyRejected(details={"reason": "binding"}, status_code=_PAYMENT_REFUSED)
    raw_id = credential_raw_id(credential, status_code=_PAYMENT_REFUSED)
    passkey = _live_passkey(raw_id, status_code=_PAYMENT_REFUSED, customer_id=customer.pk)
    assert isinstance(credential, dict)
    if passkey.device_id != token.device_id or not passkey.device.trusted:
        raise errors.PasskeyRejected(details={"reason": "device"}, status_code=_PAYMENT_REFUSED)
    if not _handle_matches(credential, passkey):
        raise errors.PasskeyRejected(details={"reason": "user_handle"}, status_code=_PAYMENT_REFUSED)
    verified = assertion_verify(
        customer_relying_party(),
        credential=credential,
        expected_challenge=consumed.challenge,
        public_key=bytes(passkey.public_key),
        sign_count=passkey.sign_count,
        status_code=_PAYMENT_REFUSED,
    )
    with transaction.atomic(durable=True):
        _counter_advance(
            passkey,
            new_count=verified.new_sign_count,
            backed_up=verified.credential_backed_up,
            status_code=_PAYMENT_REFUSED,
        )
    tier_allows = Customer.objects.filter(pk=customer.pk).values_list("kyc_tier__passkey_replaces_pin", flat=True).get()
    return PasskeyPaymentFactor(
        customer_id=customer.pk,
        passkey_id=passkey.public_id,
        challenge_id=consumed.id,
        fingerprint=fingerprint,
        verified_at=timezone.now(),
        replaces_pin=bool(tier_allows),
    )


def passkey_may_replace_pin(*, customer: Customer) -> bool:
    """Whether the customer's KYC tier lets a verified passkey stand in for the payment PIN."""
    return bool(
        Customer.objects.filter(pk=customer.pk).values_list("kyc_tier__passkey_replaces_pin", flat=True).first()
    )
