"""One-time codes by SMS: short-lived, stored as a keyed hash, single use, attempt-limited, rate-limited.

Flow for an action protected by a code (register, new-device login, password reset, step-up):
``otp_check`` runs OUTSIDE the action's transaction (a wrong try is counted and committed even
when the action fails), then ``otp_consume`` runs INSIDE it (single use under concurrency: a
conditional ``UPDATE ... WHERE consumed_at IS NULL``), so a failed action leaves the code unused.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts import errors
from accounts.integrations import sms_send
from accounts.models import Customer, OtpChallenge
from accounts.pii import InvalidPhone, mask_phone, normalize_phone, phone_index

logger = logging.getLogger(__name__)

OTP_TTL = timedelta(seconds=getattr(settings, "ACCOUNTS_OTP_TTL_SECONDS", 300))
OTP_MAX_ATTEMPTS = getattr(settings, "ACCOUNTS_OTP_MAX_ATTEMPTS", 5)
OTP_RESEND_SECONDS = getattr(settings, "ACCOUNTS_OTP_RESEND_SECONDS", 60)
OTP_MAX_PER_PHONE_PER_HOUR = getattr(settings, "ACCOUNTS_OTP_MAX_PER_PHONE_PER_HOUR", 5)
OTP_MAX_PER_IP_PER_HOUR = getattr(settings, "ACCOUNTS_OTP_MAX_PER_IP_PER_HOUR", 20)
_CODE_RE = re.compile(r"[0-9]{6}")  # fullmatch, ASCII digits only


@dataclass(frozen=True)
class OtpSent:
    expires_in_seconds: int
    resend_after_seconds: int


def phone_normalize_or_error(raw: object) -> str:
    """E.164 or ``InvalidPhone`` (400)."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 32:
        raise errors.InvalidPhone()
    try:
        return normalize_phone(raw.strip())
    except InvalidPhone:
        raise errors.InvalidPhone() from None


def _code_hash(index: str, purpose: str, code: str) -> str:
    # Keyed (HMAC) rather than a slow hash: 10^6 codes are trivial to brute-force offline from any
    # unkeyed hash, but not without the server's key.
    digest = hmac.new(settings.OTP_HASH_KEY.encode(), f"otp:{index}:{purpose}:{code}".encode(), hashlib.sha256)
    return f"hmac-sha256${digest.hexdigest()}"


def _hit(key: str, limit: int, window_seconds: int) -> bool:
    """Fixed-window counter in the cache (Redis: atomic INCR). True while under ``limit``."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def _rate_limit(index: str, ip: str | None) -> None:
    if not cache.add(f"acc:otp:gap:{index}", 1, timeout=OTP_RESEND_SECONDS):
        raise errors.OtpRateLimited(details={"retry_after_seconds": OTP_RESEND_SECONDS})
    if not _hit(f"acc:otp:phone:{index}", OTP_MAX_PER_PHONE_PER_HOUR, 3600):
        raise errors.OtpRateLimited(details={"retry_after_seconds": 3600})
    if ip and not _hit(f"acc:otp:ip:{ip}", OTP_MAX_PER_IP_PER_HOUR, 3600):
        raise errors.OtpRateLimited(details={"retry_after_seconds": 3600})


def otp_request(*, phone: str, purpose: str, ip: str | None = None) -> OtpSent:
    """Create a challenge and hand its SMS to ``otp_sms_dispatch``, rate-limited per phone and address.

    Answers the same (body, status, work done) whether the phone has an account or not, so the
    endpoint cannot be used to learn who is a customer: every call looks the phone up, creates one
    challenge and dispatches one SMS job, and the SMS goes out after the answer. What differs is
    only what that job sends: REGISTER for a registered phone sends "this number already has an
    account" and no code (the challenge's code is never sent, so no registration can follow);
    LOGIN and RESET_PASSWORD for an unknown phone send nothing.
    """
    if purpose not in (OtpChallenge.Purpose.REGISTER, OtpChallenge.Purpose.LOGIN, OtpChallenge.Purpose.RESET_PASSWORD):
        raise errors.OtpInvalid(gettext("Unknown verification purpose."), code="otp_purpose_invalid")
    e164 = phone_normalize_or_error(phone)
    index = phone_index(e164)
    _rate_limit(index, ip)
    registered = Customer.objects.filter(phone_index=index).exclude(status=Customer.Status.CLOSED).exists()
    code = _challenge_create(index=index, purpose=purpose, ip=ip)
    if purpose == OtpChallenge.Purpose.REGISTER:
        body: str | None = _already_registered_body() if registered else _code_body(code)
    else:
        body = _code_body(code) if registered else None
    otp_sms_dispatch(phone=e164, body=body)
    return OtpSent(int(OTP_TTL.total_seconds()), OTP_RESEND_SECONDS)


def otp_request_step_up(*, customer: Customer, ip: str | None = None) -> OtpSent:
    """A STEP_UP code to the customer's own phone (PIN reset without the old PIN, a passkey, a new
    phone). A payment's step-up has its own code, bound to its challenge (``otp_request_payment``)."""
    _rate_limit(customer.phone_index, ip)
    code = _challenge_create(index=customer.phone_index, purpose=OtpChallenge.Purpose.STEP_UP, ip=ip)
    otp_sms_dispatch(phone=customer.phone, body=_code_body(code))
    return OtpSent(int(OTP_TTL.total_seconds()), OTP_RESEND_SECONDS)


def payment_otp_index(customer: Customer, binding: str) -> str:
    """The index under which a payment's code is stored: the phone's, keyed with what it confirms
    (a step-up challenge's public id). No other flow looks a code up there, so the code confirms
    that one payment and nothing else (no other payment, no PIN reset, no passkey)."""
    return hashlib.sha256(f"{customer.phone_index}\x00payment\x00{binding}".encode()).hexdigest()


def otp_request_payment(*, customer: Customer, binding: str, payment: Any, ip: str | None = None) -> OtpSent:
    """A code that confirms one payment (``binding``: its challenge's public id), sent to the
    customer's phone with the payment's amount in the SMS, so they see what they authorise
    (dynamic linking). Rate-limited with every other code of the phone (``OtpRateLimited``)."""
    _rate_limit(customer.phone_index, ip)
    code = _challenge_create(index=payment_otp_index(customer, binding), purpose=OtpChallenge.Purpose.STEP_UP, ip=ip)
    otp_sms_dispatch(phone=customer.phone, body=_payment_code_body(code, payment))
    return OtpSent(int(OTP_TTL.total_seconds()), OTP_RESEND_SECONDS)


def customer_payment_otp_check(*, customer: Customer, binding: str, code: object) -> OtpChallenge:
    """Check the code of the payment ``binding`` names (``otp_request_payment``); consume it with
    ``otp_consume``. Same attempt accounting as every code (``otp_check``)."""
    return otp_check(index=payment_otp_index(customer, binding), purpose=OtpChallenge.Purpose.STEP_UP, code=code)


def _challenge_create(*, index: str, purpose: str, ip: str | None) -> str:
    """Store a new challenge (its code hashed) and return the code."""
    code = f"{secrets.randbelow(1_000_000):06d}"
    OtpChallenge.objects.create(
        phone_index=index,
        purpose=purpose,
        code_hash=_code_hash(index, purpose, code),
        expires_at=timezone.now() + OTP_TTL,
        request_ip=ip,
    )
    return code


def _code_body(code: str) -> str:
    minutes = int(OTP_TTL.total_seconds() // 60)
    return gettext(
        "[Tongbao] Your verification code is %(code)s, valid for %(minutes)d minutes. Never share it with anyone."
    ) % {"code": code, "minutes": minutes}


def _payment_code_body(code: str, payment: Any) -> str:
    minutes = int(OTP_TTL.total_seconds() // 60)
    return gettext(
        "[Tongbao] %(code)s is your code to confirm a payment of %(amount)s %(currency)s, valid for "
        "%(minutes)d minutes. Never share it: Tongbao never asks for it by phone."
    ) % {"code": code, "amount": payment.amount_str(), "currency": payment.currency, "minutes": minutes}


def _already_registered_body() -> str:
    return gettext(
        "[Tongbao] This number already has a Tongbao account. Sign in, or reset your password if you "
        "forgot it. If you did not ask for this, ignore this message."
    )


def otp_sms_dispatch(*, phone: str, body: str | None) -> None:
    """Send ``body`` to ``phone`` after the request has answered (``body=None``: send nothing).

    Called exactly once by every OTP request, whatever the branch, so the request does the same
    work for known and unknown phones. ``ACCOUNTS_SMS_DELIVERY``: ``thread`` (default) sends from
    a background thread started when the current transaction commits, so the SMS gateway's
    latency is never part of the answer; ``inline`` sends at once (tests read the outbox).
    """
    if getattr(settings, "ACCOUNTS_SMS_DELIVERY", "thread") == "inline":
        _sms_deliver(phone, body)
        return
    thread = threading.Thread(target=_sms_deliver, args=(phone, body), name="otp-sms", daemon=True)
    transaction.on_commit(thread.start)


def _sms_deliver(phone: str, body: str | None) -> None:
    if body is None:
        return
    try:
        sms_send(phone=phone, body=body)
    except Exception:
        logger.exception("OTP SMS to %s failed", mask_phone(phone))


# One statement takes the attempt on the newest live challenge before any comparison (and locks
# its row until our transaction ends, so parallel checks of one challenge queue).
_RESERVE_SQL = """
UPDATE {table} SET attempts = attempts + 1
WHERE id = (
    SELECT id FROM {table} WHERE phone_index = %(index)s AND purpose = %(purpose)s
    ORDER BY created_at DESC, id DESC LIMIT 1
) AND attempts < %(max)s AND consumed_at IS NULL AND expires_at > %(now)s
RETURNING id, code_hash, attempts
"""


def otp_check(*, index: str, purpose: str, code: object) -> OtpChallenge:
    """Check ``code`` against the newest challenge of this phone and purpose; return it, unconsumed.

    Call OUTSIDE any transaction (``durable=True``). The attempt is taken BEFORE the comparison
    with one ``UPDATE ... RETURNING`` on the newest live challenge, so of any number of parallel
    tries at most ``OTP_MAX_ATTEMPTS`` are compared; a wrong try is committed at once, a right one
    gives its attempt back (the reservation is rolled back). Raises ``OtpInvalid`` (wrong, expired,
    used: codes ``otp_invalid``/``otp_expired``/``otp_used``) or ``OtpTooManyAttempts``.
    """
    now = timezone.now()
    sql = _RESERVE_SQL.format(table=connection.ops.quote_name(OtpChallenge._meta.db_table))
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute(sql, {"index": index, "purpose": purpose, "max": OTP_MAX_ATTEMPTS, "now": now})
            row = cursor.fetchone()
        if row is None:
            _otp_refusal_raise(index=index, purpose=purpose, now=now)
        challenge_id, code_hash, attempts = row
        correct = (
            isinstance(code, str)
            and bool(_CODE_RE.fullmatch(code))
            and hmac.compare_digest(code_hash, _code_hash(index, purpose, code))
        )
        if correct:
            challenge = OtpChallenge.objects.get(pk=challenge_id)
            challenge.attempts -= 1
            transaction.set_rollback(True)  # a right code gives its attempt back
    if correct:
        return challenge
    if attempts >= OTP_MAX_ATTEMPTS:
        raise errors.OtpTooManyAttempts()
    raise errors.OtpInvalid(details={"attempts_left": OTP_MAX_ATTEMPTS - attempts})


def _otp_refusal_raise(*, index: str, purpose: str, now: datetime) -> NoReturn:
    """Why no attempt could be taken on the newest challenge (none, used, expired, used up)."""
    challenge = OtpChallenge.objects.filter(phone_index=index, purpose=purpose).order_by("-created_at", "-id").first()
    if challenge is None:
        raise errors.OtpInvalid()
    if challenge.consumed_at is not None:
        # The same answer as "no code": a used REGISTER or RESET_PASSWORD code would otherwise tell
        # anyone that this phone has an account.
        raise errors.OtpInvalid()
    if challenge.expires_at <= now:
        raise errors.OtpInvalid(gettext("This verification code has expired. Request a new one."), code="otp_expired")
    raise errors.OtpTooManyAttempts()


def otp_consume(challenge: OtpChallenge) -> None:
    """Mark the challenge used. Call INSIDE the protected action's transaction; a second use is refused."""
    updated = OtpChallenge.objects.filter(
        pk=challenge.pk, consumed_at__isnull=True, expires_at__gt=timezone.now()
    ).update(consumed_at=timezone.now())
    if updated != 1:
        raise errors.OtpInvalid(gettext("This verification code has already been used."), code="otp_used")


def customer_step_up_check(*, customer: Customer, code: object) -> OtpChallenge:
    """Check a STEP_UP code of this customer (outside a transaction); consume it with ``otp_consume``."""
    return otp_check(index=customer.phone_index, purpose=OtpChallenge.Purpose.STEP_UP, code=code)
