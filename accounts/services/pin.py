"""Payment PIN: set, change, verify with a lockout.

The failure counter must survive the caller's rollback (a wrong PIN followed by a failed payment
must still count), so ``customer_payment_pin_verify`` commits on its own: call it OUTSIDE any
transaction, before the money transaction.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.errors import PaymentPinInvalid, PaymentPinLocked, PaymentPinMalformed, PaymentPinNotSet
from accounts.hashers import PaymentPinHasher
from accounts.models import Customer

PIN_MAX_ATTEMPTS = 5
PIN_LOCK_DURATION = timedelta(minutes=30)
_PIN_RE = re.compile(r"[0-9]{6}")  # fullmatch, ASCII digits only: "123456\n" and full-width digits are not a PIN
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


# One statement takes the attempt before any comparison: it locks the row, counts the try and, on
# the try that reaches the limit, sets the lock. Concurrent callers queue on the row lock.
_RESERVE_SQL = """
UPDATE {table} SET
    pin_failed_attempts = CASE WHEN pin_failed_attempts >= %(max)s THEN 1 ELSE pin_failed_attempts + 1 END,
    pin_locked_until = CASE
        WHEN (CASE WHEN pin_failed_attempts >= %(max)s THEN 1 ELSE pin_failed_attempts + 1 END) >= %(max)s
        THEN %(lock_until)s ELSE pin_locked_until END
WHERE id = %(pk)s AND payment_pin <> '' AND (pin_locked_until IS NULL OR pin_locked_until <= %(now)s)
RETURNING payment_pin, pin_failed_attempts, pin_locked_until
"""


def customer_payment_pin_verify(*, customer: Customer, pin: str) -> None:
    """Check ``pin`` against the customer's hashed payment PIN; raise on failure.

    Contract: call it OUTSIDE any transaction, before the money transaction. It runs its own short
    transaction (``durable=True`` refuses nesting) so a wrong try is committed even when the
    payment is rolled back.

    The attempt is taken BEFORE the comparison, by one ``UPDATE ... RETURNING`` that locks the
    customer's row, counts the try and, on the try that reaches ``PIN_MAX_ATTEMPTS``, locks the PIN
    for ``PIN_LOCK_DURATION``; a locked or PIN-less row is not updated, and its PIN never compared.
    Parallel tries queue on the row lock, so at most ``PIN_MAX_ATTEMPTS`` wrong PINs are ever
    compared, and a right PIN after the limit is refused unread. A wrong PIN commits the count; a
    right PIN with nothing to reset rolls the reservation back (one statement on the payment path);
    a right PIN after earlier failures, or stored under an old key, resets the count (and re-hashes).

    Raises ``PaymentPinNotSet`` (400), ``PaymentPinInvalid`` (403, ``attempts_left``) or
    ``PaymentPinLocked`` (423, ``locked_until``).
    """
    now = timezone.now()
    sql = _RESERVE_SQL.format(table=connection.ops.quote_name(Customer._meta.db_table))
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute(
                sql, {"max": PIN_MAX_ATTEMPTS, "lock_until": now + PIN_LOCK_DURATION, "pk": customer.pk, "now": now}
            )
            row = cursor.fetchone()
        if row is None:
            state = Customer.objects.filter(pk=customer.pk).values("payment_pin", "pin_locked_until").get()
            if not state["payment_pin"]:
                raise PaymentPinNotSet()
            raise _locked_error(state["pin_locked_until"] or now + PIN_LOCK_DURATION)
        encoded, failed, locked_until = row
        correct = isinstance(pin, str) and bool(_PIN_RE.fullmatch(pin)) and check_password(pin, encoded)
        if correct:
            rehash = _pin_needs_rehash(encoded)
            if failed == 1 and locked_until is None and not rehash:
                transaction.set_rollback(True)  # nothing to reset: drop the reservation
            else:
                update: dict[str, object] = {"pin_failed_attempts": 0, "pin_locked_until": None}
                if rehash:
                    update["payment_pin"] = payment_pin_hash(pin)
                Customer.objects.filter(pk=customer.pk).update(**update)
    if correct:
        customer.pin_failed_attempts = 0
        customer.pin_locked_until = None
        return
    customer.pin_failed_attempts = failed
    customer.pin_locked_until = locked_until
    if failed >= PIN_MAX_ATTEMPTS:
        raise _locked_error(locked_until)
    raise PaymentPinInvalid(details={"attempts_left": PIN_MAX_ATTEMPTS - failed})


def _pin_needs_rehash(encoded: str) -> bool:
    """Stored by the earlier argon2 scheme, or under a PIN key that is no longer the newest."""
    if not encoded.startswith(f"{PaymentPinHasher.algorithm}$"):
        return True
    return PaymentPinHasher().must_update(encoded)


def payment_pin_hash(pin: str) -> str:
    """The stored form of a PIN (``accounts.hashers.PaymentPinHasher``)."""
    return make_password(pin, hasher=PaymentPinHasher.algorithm)


def payment_pin_validate(pin: object) -> str:
    """6 digits, not a trivial sequence; returns the PIN or raises ``PaymentPinMalformed``."""
    if not isinstance(pin, str) or not _PIN_RE.fullmatch(pin):
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


def payment_pin_candidate(*, stored: str, pin: object) -> str | None:
    """The stored form ``pin`` would have under the stored PIN's salt and key, for the database to
    compare under the customer's row lock while it counts the attempt (``payments_pay``).

    None when that comparison cannot be made: no PIN on the snapshot (it may have been set since),
    or one stored by an earlier scheme or under an older key (the caller then verifies with
    ``customer_payment_pin_verify``, which re-hashes). A malformed PIN gets a form that never
    matches, so it counts as a wrong try, as in ``customer_payment_pin_verify``."""
    if not stored or _pin_needs_rehash(stored):
        return None
    if not isinstance(pin, str) or not _PIN_RE.fullmatch(pin):
        return "-"
    return PaymentPinHasher().encode(pin, PaymentPinHasher().decode(stored)["salt"])


def payment_pin_refusal(outcome: str, *, failed: int = 0, locked_until: datetime | None = None) -> Exception:
    """The error for the database's PIN answer (``pin_not_set``, ``pin_locked``, ``pin_invalid``),
    the same as ``customer_payment_pin_verify`` raises."""
    if outcome == "pin_not_set":
        return PaymentPinNotSet()
    if outcome == "pin_locked" or failed >= PIN_MAX_ATTEMPTS:
        return _locked_error(locked_until or timezone.now() + PIN_LOCK_DURATION)
    return PaymentPinInvalid(details={"attempts_left": PIN_MAX_ATTEMPTS - failed})
