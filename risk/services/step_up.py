"""Step-up for one payment: issue (an SMS OTP through accounts), confirm (attempts taken before the
compare, by accounts' ``customer_payment_otp_check``), consume (once, inside the payment's money step).

Flow (README "Step-up"): the payment's pre-check answers ``requires_step_up`` → the payment calls
``step_up_challenge_issue`` and answers 403 ``step_up_required`` with ``details.challenge_id`` →
the app sends the SMS code to ``POST /api/v1/risk/challenges/{id}/confirm`` → the client repeats
the payment with the same Idempotency-Key and the challenge id → the pre-check sees a confirmed
challenge for this customer, payment fingerprint and amount (``STEP_UP_CONFIRMED``) → the money
step uses it up (``payments_step_up_take``, payments 0014, the PL/pgSQL form of
``STEP_UP_CONSUME_SQL``): it marks the challenge used, or the payment is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.errors import OtpRateLimited
from accounts.models import Customer
from accounts.services import customer_payment_otp_check, otp_consume, otp_request_payment
from core.money import Money
from core.timestamps import api_datetime
from payments.step_up import payment_fingerprint
from risk.errors import ChallengeExpired, ChallengeUsed
from risk.models import StepUpChallenge
from risk.selectors import step_up_challenge_get

__all__ = [
    "STEP_UP_CONSUME_SQL",
    "StepUpIssued",
    "step_up_challenge_confirm",
    "step_up_challenge_consume",
    "step_up_challenge_consume_sql",
    "step_up_challenge_issue",
    "step_up_payment_fingerprint",
    "step_up_payment_issue",
]


def _ttl() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "RISK_STEP_UP_TTL_SECONDS", 600)))


@dataclass(frozen=True)
class StepUpIssued:
    """What the payment's ``step_up_required`` answer carries in ``details``."""

    challenge_id: str
    expires_at: datetime
    sms_sent: bool
    resend_after_seconds: int = 0

    def as_details(self) -> dict[str, Any]:
        return {
            "challenge_id": self.challenge_id,
            "expires_at": self.expires_at.isoformat(),
            "sms_sent": self.sms_sent,
            "resend_after_seconds": self.resend_after_seconds,
        }


def step_up_payment_fingerprint(*, idempotency_key: str, request_fingerprint: str) -> str:
    """What binds a challenge to one payment: ``payments.step_up.payment_fingerprint`` (the
    Idempotency-Key and the body's fingerprint without ``pin``, ``passkey`` and the challenge id,
    so the repeated request has the same one). 64 hex characters."""
    return payment_fingerprint(idempotency_key=idempotency_key, request_fingerprint=request_fingerprint)


def step_up_payment_issue(
    *, customer: Customer, fingerprint: str, amount: Money, reason_code: str, ip: str | None
) -> dict[str, Any]:
    """``payments.interfaces.StepUpIssueFn`` (``settings.PAYMENTS_STEP_UP_ISSUE``): the challenge of
    a payment that answered ``step_up_required`` (``step_up_challenge_issue``), as the 403's
    ``details``: ``challenge_id``, ``expires_at`` (UTC, ``Z``), ``sms_sent``, ``resend_after_seconds``."""
    issued = step_up_challenge_issue(
        customer=customer, fingerprint=fingerprint, amount=amount, reason_code=reason_code, ip=ip
    )
    return {**issued.as_details(), "expires_at": api_datetime(issued.expires_at)}


def step_up_challenge_issue(
    *, customer: Customer, fingerprint: str, amount: Money, reason_code: str = "", ip: str | None = None
) -> StepUpIssued:
    """A challenge for this payment and an SMS code to the customer's phone. Call OUTSIDE the
    payment's transaction (it commits its own; the SMS leaves after commit).

    Each challenge has its own code (``accounts.services.otp_request_payment``, bound to the
    challenge's public id; the SMS names the amount): it confirms this payment and nothing else.
    A live, unconfirmed challenge for the same customer, fingerprint and amount is returned as is;
    a repeated payment sends its code again once the SMS minute has passed (``sms_sent``). When the
    SMS rate limit refuses the code (one a minute), the challenge is still issued with
    ``sms_sent`` false: the client sends the payment again after ``resend_after_seconds``."""
    if not fingerprint or len(fingerprint) > 128:
        raise ValueError("fingerprint: 1 to 128 characters")
    now = timezone.now()
    with transaction.atomic(durable=True):
        existing = (
            StepUpChallenge.objects.select_for_update()
            .filter(
                customer=customer,
                fingerprint=fingerprint,
                amount_minor=amount.minor,
                currency=amount.currency,
                confirmed_at__isnull=True,
                used_at__isnull=True,
                expires_at__gt=now,
            )
            .order_by("-created_at")
            .first()
        )
        if existing is not None:  # its code again once the SMS minute has passed (a lost SMS, a code
            try:  # never sent because the challenge was issued inside the minute)
                sent = otp_request_payment(customer=customer, binding=str(existing.public_id), payment=amount, ip=ip)
            except OtpRateLimited:
                return StepUpIssued(str(existing.public_id), existing.expires_at, sms_sent=False)
            return StepUpIssued(
                str(existing.public_id),
                existing.expires_at,
                sms_sent=True,
                resend_after_seconds=sent.resend_after_seconds,
            )
        challenge = StepUpChallenge.objects.create(
            customer=customer,
            fingerprint=fingerprint,
            amount_minor=amount.minor,
            currency=amount.currency,
            reason_code=reason_code[:40],
            expires_at=now + _ttl(),
        )
        try:
            sent = otp_request_payment(customer=customer, binding=str(challenge.public_id), payment=amount, ip=ip)
        except OtpRateLimited as exc:
            retry = int((exc.details or {}).get("retry_after_seconds", 60))
            return StepUpIssued(
                str(challenge.public_id), challenge.expires_at, sms_sent=False, resend_after_seconds=retry
            )
    return StepUpIssued(
        str(challenge.public_id), challenge.expires_at, sms_sent=True, resend_after_seconds=sent.resend_after_seconds
    )


def step_up_challenge_confirm(*, customer: Customer, challenge_id: Any, otp_code: object) -> StepUpChallenge:
    """Confirm the customer's challenge with the STEP_UP code sent to their phone.

    Call outside any transaction: the attempt is taken atomically before the code is compared
    (``accounts.services.customer_payment_otp_check``, the code bound to this challenge: of N parallel
    guesses at most 5 are compared),
    then the code is consumed and the challenge confirmed in one transaction (a conditional
    ``UPDATE``: a used or expired challenge is not confirmed). Confirming twice answers the same.
    Raises ``ChallengeNotFound`` (404, also another customer's), ``ChallengeUsed`` /
    ``ChallengeExpired`` (409), accounts' ``OtpInvalid`` (400) / ``OtpTooManyAttempts`` (429)."""
    challenge = step_up_challenge_get(customer=customer, challenge_id=challenge_id)
    if challenge.used_at is not None:
        raise ChallengeUsed()
    if challenge.confirmed_at is not None:
        return challenge
    if challenge.expires_at <= timezone.now():
        raise ChallengeExpired()
    otp = customer_payment_otp_check(customer=customer, binding=str(challenge.public_id), code=otp_code)
    with transaction.atomic(durable=True):
        now = timezone.now()
        updated = StepUpChallenge.objects.filter(
            pk=challenge.pk, confirmed_at__isnull=True, used_at__isnull=True, expires_at__gt=now
        ).update(confirmed_at=now)
        if updated != 1:
            challenge.refresh_from_db()
            if challenge.confirmed_at is not None and challenge.used_at is None:
                return challenge  # a parallel confirmation won; the code stays unused
            raise ChallengeUsed() if challenge.used_at is not None else ChallengeExpired()
        otp_consume(otp)
    challenge.confirmed_at = now
    return challenge


# The statement the payment's money step runs (inside its transaction, before the money moves) when
# the pre-check answered STEP_UP_CONFIRMED. Single use under concurrency: the conditional UPDATE
# marks the challenge used only if it is confirmed, unused, unexpired, this customer's, for this
# payment's fingerprint and amount; the row lock makes a concurrent second use wait, re-read the
# row and find it used. It also clears the "step-up on the next payment" flag. It returns 1 when the
# challenge was consumed, 0 when the payment must be refused (``step_up_required``). Rolled back
# with the payment when the payment is refused later on (insufficient funds...).
STEP_UP_CONSUME_SQL = """
WITH used AS (
    UPDATE risk_stepupchallenge
       SET used_at = %(now)s
     WHERE public_id = %(challenge)s
       AND customer_id = %(customer)s
       AND fingerprint = %(fingerprint)s
       AND amount_minor = %(amount_minor)s
       AND currency = %(currency)s
       AND confirmed_at IS NOT NULL
       AND used_at IS NULL
       AND expires_at > %(now)s
 RETURNING customer_id
), cleared AS (
    UPDATE risk_customerriskprofile p SET step_up_next = false
      FROM used WHERE p.customer_id = used.customer_id AND p.step_up_next
 RETURNING 1
)
SELECT count(*) FROM used
"""


def step_up_challenge_consume_sql() -> str:
    """``STEP_UP_CONSUME_SQL`` (named parameters: challenge, customer, fingerprint, amount_minor,
    currency, now). ``payments_pay`` runs its PL/pgSQL form, ``payments_step_up_take`` (payments 0014)."""
    return STEP_UP_CONSUME_SQL


def step_up_challenge_consume(
    *, challenge_id: Any, customer_id: int, fingerprint: str, amount: Money, now: datetime | None = None
) -> bool:
    """Run ``STEP_UP_CONSUME_SQL`` in the caller's transaction (a service path that is not one
    database function). True when the challenge was consumed by this call."""
    params: dict[str, Any] = {
        "challenge": str(challenge_id),
        "customer": customer_id,
        "fingerprint": fingerprint,
        "amount_minor": amount.minor,
        "currency": amount.currency,
        "now": now or timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(STEP_UP_CONSUME_SQL, params)
        return int(cursor.fetchone()[0]) == 1
