"""Payment PIN: set, change, verify with a lockout.

The failure counter must survive the caller's rollback (a wrong PIN followed by a failed payment
must still count), so ``customer_payment_pin_verify`` commits on its own: call it OUTSIDE any
transaction, before the money transaction.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from accounts.errors import PaymentPinInvalid, PaymentPinLocked, PaymentPinMalformed, PaymentPinNotSet
from accounts.hashers import PaymentPinHasher
from accounts.models import Customer

PIN_MAX_ATTEMPTS = 5
PIN_LOCK_DURATION = timedelta(minutes=30)
_PIN_RE = re.compile(r"^\d{6}$")
_TRIVIAL_PINS = frozenset(
    {
        "000000",
        "111111",
        "222222",
        "333333",
        "444444",
        "555555",
        "666666",
        "777777",
        "888888",
        "999999",
        "123456",
        "654321",
        "012345",
        "543210",
    }
)


def _locked_error(locked_until: datetime) -> PaymentPinLocked:
    return PaymentPinLocked(details={"locked_until": locked_until.isoformat()})


def customer_payment_pin_verify(*, customer: Customer, pin: str) -> None:
    """Check ``pin`` against the customer's hashed payment PIN; raise on failure.

    Contract: call it OUTSIDE any transaction, before the money transaction. It commits its own
    short transaction (``durable=True`` refuses nesting) so a wrong try is counted even when the
    payment is rolled back. After ``PIN_MAX_ATTEMPTS`` consecutive wrong tries the PIN is locked
    for ``PIN_LOCK_DURATION``. The counter moves with a conditional ``UPDATE`` (no read-modify-write),
    so concurrent wrong tries are all counted. Success resets the counter.

    Raises ``PaymentPinNotSet`` (400), ``PaymentPinInvalid`` (403, ``attempts_left``) or
    ``PaymentPinLocked`` (423, ``locked_until``).
    """
    now = timezone.now()
    row = Customer.objects.filter(pk=customer.pk).values("payment_pin", "pin_locked_until", "pin_failed_attempts").get()
    if not row["payment_pin"]:
        raise PaymentPinNotSet()
    if row["pin_locked_until"] is not None and row["pin_locked_until"] > now:
        raise _locked_error(row["pin_locked_until"])

    if isinstance(pin, str) and _PIN_RE.match(pin) and check_password(pin, row["payment_pin"]):
        if row["pin_failed_attempts"] or row["pin_locked_until"] is not None:  # else nothing to reset: no write
            Customer.objects.filter(
                Q(pin_failed_attempts__gt=0) | Q(pin_locked_until__isnull=False), pk=customer.pk
            ).update(pin_failed_attempts=0, pin_locked_until=None)
        if not row["payment_pin"].startswith(f"{PaymentPinHasher.algorithm}$"):
            # A PIN stored by the earlier argon2 scheme: re-store it under the keyed hasher.
            Customer.objects.filter(pk=customer.pk, payment_pin=row["payment_pin"]).update(
                payment_pin=payment_pin_hash(pin)
            )
        customer.pin_failed_attempts = 0
        customer.pin_locked_until = None
        return

    reaches_limit = Q(pin_failed_attempts__gte=PIN_MAX_ATTEMPTS - 1)
    with transaction.atomic(durable=True):
        updated = Customer.objects.filter(
            Q(pin_locked_until__isnull=True) | Q(pin_locked_until__lte=now), pk=customer.pk
        ).update(
            pin_failed_attempts=Case(When(reaches_limit, then=Value(0)), default=F("pin_failed_attempts") + 1),
            pin_locked_until=Case(When(reaches_limit, then=Value(now + PIN_LOCK_DURATION)), default=Value(None)),
        )
        # The row is locked by our UPDATE until commit: this read sees exactly what we wrote.
        after = Customer.objects.filter(pk=customer.pk).values("pin_failed_attempts", "pin_locked_until").get()
    customer.pin_failed_attempts = after["pin_failed_attempts"]
    customer.pin_locked_until = after["pin_locked_until"]
    if updated == 0 or after["pin_locked_until"] is not None:
        raise _locked_error(after["pin_locked_until"] or now + PIN_LOCK_DURATION)
    raise PaymentPinInvalid(details={"attempts_left": PIN_MAX_ATTEMPTS - after["pin_failed_attempts"]})


def payment_pin_hash(pin: str) -> str:
    """The stored form of a PIN (``accounts.hashers.PaymentPinHasher``)."""
    return make_password(pin, hasher=PaymentPinHasher.algorithm)


def payment_pin_validate(pin: object) -> str:
    """6 digits, not a trivial sequence; returns the PIN or raises ``PaymentPinMalformed``."""
    if not isinstance(pin, str) or not _PIN_RE.match(pin):
        raise PaymentPinMalformed()
    if pin in _TRIVIAL_PINS:
        raise PaymentPinMalformed(
            gettext("This PIN is too easy to guess. Choose another one."), code="payment_pin_too_simple"
        )
    return pin


def customer_payment_pin_set(*, customer: Customer, pin: str) -> None:
    """Store a new hashed PIN and clear any lockout. The caller has already checked who is asking."""
    payment_pin_validate(pin)
    customer.payment_pin = payment_pin_hash(pin)
    customer.pin_failed_attempts = 0
    customer.pin_locked_until = None
    Customer.objects.filter(pk=customer.pk).update(
        payment_pin=customer.payment_pin, pin_failed_attempts=0, pin_locked_until=None, updated_at=timezone.now()
    )


def customer_payment_pin_change(
    *, customer: Customer, new_pin: str, old_pin: str | None = None, otp_code: str | None = None
) -> None:
    """Set the first PIN, or change it with the old PIN or a STEP_UP code. Call outside a transaction.

    A wrong old PIN counts toward the lockout like any PIN check.
    """
    from accounts.services.otp import customer_step_up_check, otp_consume

    payment_pin_validate(new_pin)
    current = Customer.objects.values_list("payment_pin", flat=True).get(pk=customer.pk)
    if not current:
        customer_payment_pin_set(customer=customer, pin=new_pin)
        return
    if old_pin:
        customer_payment_pin_verify(customer=customer, pin=old_pin)
        customer_payment_pin_set(customer=customer, pin=new_pin)
        return
    if otp_code:
        challenge = customer_step_up_check(customer=customer, code=otp_code)
        with transaction.atomic(durable=True):
            otp_consume(challenge)
            customer_payment_pin_set(customer=customer, pin=new_pin)
        return
    raise PaymentPinInvalid(
        gettext("Enter the current PIN or a verification code to change the PIN."),
        code="payment_pin_verification_required",
        status_code=400,
    )
