"""Customer authentication: register, log in (OTP on a new device), tokens, log out, passwords.

Tokens: ``secrets.token_urlsafe(32)`` returned once; only its SHA-256 is stored; one live token per
device (a partial unique constraint), expiring after ``ACCOUNTS_TOKEN_TTL_DAYS``.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts import errors
from accounts.authentication import token_hash
from accounts.consent_texts import consent_version_validate
from accounts.models import Consent, Customer, CustomerToken, Device, KycTier, OtpChallenge
from accounts.pii import device_index, phone_index
from accounts.selectors import customer_get_by_public_id
from accounts.services.events import event_publish
from accounts.services.otp import otp_check, otp_consume, phone_normalize_or_error
from core.throttling import attempt_reset, attempt_take

TOKEN_TTL = timedelta(days=getattr(settings, "ACCOUNTS_TOKEN_TTL_DAYS", 30))
LOGIN_MAX_FAILURES = getattr(settings, "ACCOUNTS_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCK_SECONDS = getattr(settings, "ACCOUNTS_LOGIN_LOCK_SECONDS", 900)
# Compared against when the phone is unknown, so both paths cost one argon2 check (no timing oracle).
_DUMMY_HASH = make_password("tongbao-no-such-customer")


@dataclass(frozen=True)
class IssuedToken:
    customer: Customer
    device: Device
    token: str  # the raw token: returned to the client once, never stored
    expires_at: Any


def password_validate(password: object, *, phone: str = "") -> str:
    """Django's validators (12+ chars, not common, not numeric) plus: must not contain the phone number."""
    if not isinstance(password, str) or len(password) > 128:
        raise errors.WeakPassword(details={"password": [gettext("Enter a password of at most 128 characters.")]})
    try:
        validate_password(password)
    except ValidationError as exc:
        raise errors.WeakPassword(details={"password": list(exc.messages)}) from None
    national = phone[3:] if phone.startswith("+86") else phone.lstrip("+")
    if national and national[-8:] in password:
        raise errors.WeakPassword(details={"password": [gettext("The password must not contain your phone number.")]})
    return password


def _device_id_validate(device_id: object) -> str:
    if not isinstance(device_id, str) or not 8 <= len(device_id.strip()) <= 128:
        raise errors.DomainError(gettext("A device id of 8 to 128 characters is required."), code="invalid_device_id")
    return device_id.strip()


def _token_issue(*, customer: Customer, device: Device) -> IssuedToken:
    """Revoke the device's live token and create a new one. Call inside a transaction."""
    now = timezone.now()
    CustomerToken.objects.filter(device=device, revoked_at__isnull=True).update(revoked_at=now)
    raw = secrets.token_urlsafe(32)
    token = CustomerToken.objects.create(
        customer=customer, device=device, key_hash=token_hash(raw), expires_at=now + TOKEN_TTL
    )
    return IssuedToken(customer=customer, device=device, token=raw, expires_at=token.expires_at)


def _device_trust(*, customer: Customer, device_id: str, name: str) -> Device:
    """Trust the device (created on first use). Call inside a transaction: a device seen for the
    first time publishes ``customer.device_added`` in it."""
    now = timezone.now()
    device, created = Device.objects.select_for_update().get_or_create(
        customer=customer,
        device_id=device_id,
        defaults={"name": name[:100], "trusted": True, "first_seen_at": now, "last_seen_at": now},
    )
    if not created:
        device.trusted = True
        device.last_seen_at = now
        if name:
            device.name = name[:100]
        device.save(update_fields=["trusted", "last_seen_at", "name"])
    else:
        _device_event(topic="customer.device_added", customer=customer, device=device, at=now)
    return device


def _device_event(*, topic: str, customer: Customer, device: Device, at: Any, **extra: Any) -> None:
    """A sign-in / device event for risk monitoring (ARCHITECTURE §6: device data serves anti-fraud
    only): ids and the device's keyed hash, never the device id itself."""
    event_publish(
        topic=topic,
        key=str(customer.public_id),
        payload={
            "customer_id": str(customer.public_id),
            "device": str(device.public_id),
            "device_hash": device_index(device.device_id),
            "at": at.isoformat(),
            **extra,
        },
    )


_REFERRAL_CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{8}")


def customer_register(
    *,
    phone: str,
    password: str,
    otp_code: str,
    device_id: str,
    device_name: str = "",
    terms_version: str,
    privacy_version: str,
    marketing_version: str = "",
    referrer_id: Any = None,
    referral_code: str = "",
    ip: str | None = None,
) -> IssuedToken:
    """Register with a verified phone (REGISTER code) and sign in on this device.

    Everything (customer, consents, device, token, ``customer.registered`` event) commits together
    or not at all. Bad input is refused before the code is consumed.

    A registered phone gets no answer of its own: its REGISTER request sent no code (see
    ``otp_request``), so its registration fails on the code like any wrong code. Only a holder of
    a valid code for the phone (who owns the phone) can meet ``phone_already_registered``, when a
    concurrent registration of the same phone won the race.
    """
    e164 = phone_normalize_or_error(phone)
    index = phone_index(e164)
    device_id = _device_id_validate(device_id)
    password_validate(password, phone=e164)
    for version in (terms_version, privacy_version):
        if not isinstance(version, str) or not version.strip():
            raise errors.DomainError(gettext("Accept the terms and the privacy policy."), code="consent_required")
    terms_version = consent_version_validate(purpose=Consent.Purpose.TERMS, version=terms_version)
    privacy_version = consent_version_validate(purpose=Consent.Purpose.PRIVACY, version=privacy_version)
    if marketing_version:
        marketing_version = consent_version_validate(purpose=Consent.Purpose.MARKETING, version=marketing_version)
    referrer = None
    if referrer_id:
        referrer = customer_get_by_public_id(referrer_id)
        if referrer is None or referrer.status != Customer.Status.ACTIVE:
            raise errors.DomainError(gettext("The referral code is not valid."), code="invalid_referrer")
    # A referral code is only checked for its form here; promotions resolves it from the event
    # (accounts knows nothing of promotions) and records any refusal with its reason.
    referral_code = (referral_code or "").strip().upper().replace("-", "")
    if referral_code and not _REFERRAL_CODE.fullmatch(referral_code):
        raise errors.DomainError(gettext("The referral code is not valid."), code="invalid_referral_code")
    challenge = otp_check(index=index, purpose=OtpChallenge.Purpose.REGISTER, code=otp_code)

    try:
        with transaction.atomic(durable=True):
            otp_consume(challenge)
            now = timezone.now()
            customer = Customer.objects.create(
                phone=e164,
                phone_index=index,
                password=make_password(password),
                kyc_tier=KycTier.objects.get(level=0),
                onboarding_channel=Customer.Channel.REFERRAL if referrer else Customer.Channel.APP,
                referred_by=referrer,
                phone_verified_at=now,
            )
            consents = [(Consent.Purpose.TERMS, terms_version), (Consent.Purpose.PRIVACY, privacy_version)]
            if marketing_version:
                consents.append((Consent.Purpose.MARKETING, marketing_version))
            Consent.objects.bulk_create(
                [Consent(customer=customer, purpose=p, version=v.strip()[:20], granted_at=now) for p, v in consents]
            )
            device = _device_trust(customer=customer, device_id=device_id, name=device_name)
            issued = _token_issue(customer=customer, device=device)
            event_publish(
                topic="customer.registered",
                key=str(customer.public_id),
                payload={
                    "customer_id": str(customer.public_id),
                    "channel": customer.onboarding_channel,
                    "home_branch": None,
                    "registered_by": None,
                    "referred_by": str(referrer.public_id) if referrer else None,
                    "referral_code": referral_code or None,
                    "marketing_consent": bool(marketing_version),
                    "registered_at": now.isoformat(),
                },
            )
    except IntegrityError:
        # A concurrent registration of the same phone won the race: nothing of ours was written.
        raise errors.PhoneAlreadyRegistered() from None
    return issued


def _login_fail_key(index: str) -> str:
    return f"acc:login-fail:{index}"


def customer_login(
    *,
    phone: str,
    password: str,
    device_id: str,
    device_name: str = "",
    otp_code: str | None = None,
    ip: str | None = None,
) -> IssuedToken:
    """Phone + password; on a device not yet trusted, also a LOGIN code (``otp_required`` without one).

    ``LOGIN_MAX_FAILURES`` wrong passwords lock the phone for ``LOGIN_LOCK_SECONDS`` (423); the
    answer for an unknown phone and a wrong password is the same. Frozen customers may sign in
    (to read why); closed ones may not.

    The attempt is taken before the password is compared (an atomic Redis INCR per phone), so of
    any number of parallel tries at most ``LOGIN_MAX_FAILURES`` are compared; a right password
    resets the counter unless it is already over the limit (a burst that reached the lock while the
    right one was compared keeps it). Tries in flight at once count against each other, right ones
    included.
    """
    e164 = phone_normalize_or_error(phone)
    index = phone_index(e164)
    device_id = _device_id_validate(device_id)
    if attempt_take(_login_fail_key(index), LOGIN_LOCK_SECONDS) > LOGIN_MAX_FAILURES:
        raise errors.LoginLocked(details={"retry_after_seconds": LOGIN_LOCK_SECONDS})
    customer = Customer.objects.select_related("kyc_tier").filter(phone_index=index).first()
    password_ok = check_password(
        password if isinstance(password, str) else "", customer.password if customer is not None else _DUMMY_HASH
    )
    if customer is None or not password_ok:
        raise errors.InvalidCredentials()
    # The password was right: the count restarts, unless a burst took the lock meanwhile.
    attempt_reset(_login_fail_key(index), limit=LOGIN_MAX_FAILURES)
    if customer.status == Customer.Status.CLOSED:
        raise errors.AccountNotActive()

    device = Device.objects.filter(customer=customer, device_id=device_id).first()
    challenge = None
    if device is None or not device.trusted:
        if not otp_code:
            raise errors.OtpRequired()
        challenge = otp_check(index=index, purpose=OtpChallenge.Purpose.LOGIN, code=otp_code)

    with transaction.atomic(durable=True):
        if challenge is not None:
            otp_consume(challenge)
        device = _device_trust(customer=customer, device_id=device_id, name=device_name)
        issued = _token_issue(customer=customer, device=device)
        _device_event(
            topic="customer.logged_in",
            customer=customer,
            device=device,
            at=timezone.now(),
            with_otp=challenge is not None,
        )
    return issued


def customer_logout(*, token: CustomerToken) -> None:
    CustomerToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def customer_password_change(
    *, customer: Customer, current_token: CustomerToken | None, old_password: str, new_password: str
) -> None:
    """Change the password; every other device's token is revoked (this one stays signed in)."""
    if not isinstance(old_password, str) or not check_password(old_password, customer.password):
        raise errors.DomainError(gettext("The current password is wrong."), code="password_incorrect", status_code=403)
    password_validate(new_password, phone=customer.phone)
    with transaction.atomic(durable=True):
        customer.password = make_password(new_password)
        Customer.objects.filter(pk=customer.pk).update(password=customer.password, updated_at=timezone.now())
        others = CustomerToken.objects.filter(customer=customer, revoked_at__isnull=True)
        if current_token is not None:
            others = others.exclude(pk=current_token.pk)
        others.update(revoked_at=timezone.now())
        _password_event(topic="customer.password_changed", customer=customer)


def _password_event(*, topic: str, customer: Customer) -> None:
    event_publish(
        topic=topic,
        key=str(customer.public_id),
        payload={"customer_id": str(customer.public_id), "at": timezone.now().isoformat()},
    )


def customer_password_reset(*, phone: str, otp_code: str, new_password: str) -> None:
    """Reset by RESET_PASSWORD code: new password, every token revoked, login lockout cleared."""
    e164 = phone_normalize_or_error(phone)
    index = phone_index(e164)
    password_validate(new_password, phone=e164)
    challenge = otp_check(index=index, purpose=OtpChallenge.Purpose.RESET_PASSWORD, code=otp_code)
    customer = Customer.objects.filter(phone_index=index).first()
    if customer is None or customer.status == Customer.Status.CLOSED:
        raise errors.OtpInvalid()
    with transaction.atomic(durable=True):
        otp_consume(challenge)
        Customer.objects.filter(pk=customer.pk).update(password=make_password(new_password), updated_at=timezone.now())
        CustomerToken.objects.filter(customer=customer, revoked_at__isnull=True).update(revoked_at=timezone.now())
        _password_event(topic="customer.password_reset", customer=customer)
    cache.delete(_login_fail_key(index))


def device_revoke(*, customer: Customer, device: Device) -> None:
    """Sign a device out: revoke its token and its passkeys, and untrust it (the next login there
    needs a code). Locks the device row first, as passkey sign-in and registration do."""
    from accounts.services.passkeys import passkeys_revoke_for_device

    if device.customer_id != customer.pk:
        raise errors.DomainError(code="not_found", status_code=404)
    with transaction.atomic(durable=True):
        Device.objects.select_for_update().filter(pk=device.pk).update(trusted=False)
        CustomerToken.objects.filter(device=device, revoked_at__isnull=True).update(revoked_at=timezone.now())
        passkeys_revoke_for_device(device=device)
