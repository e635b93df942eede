"""Idempotent execution of money-moving requests (ARCHITECTURE §5).

``idempotent_execute`` owns the request's durable transaction. Under a transaction-scoped
advisory lock on (customer, key):

* not acquired: another request with this key is running: ``IdempotencyInFlight`` (409);
* a record exists: same fingerprint: its status and body again (``replayed=True``);
  different fingerprint: ``IdempotencyKeyReused`` (422). A replayed error body carries the
  *current* request's ``request_id`` (the one in its ``X-Request-ID`` header); the original
  request's id is in ``original_request_id`` (the view sends it as ``Idempotent-Original-Request-ID``);
* otherwise the operation runs in a savepoint. A ``DomainError`` rolls the savepoint back and
  its error response is STORED (a business failure replays too), except an error marked
  ``replayable = False`` (``StepUpRequired``), which rolls everything back and is raised, like a
  wrong PIN; success stores the response.
  Record and money movement commit together. Any other exception rolls everything back, with
  no record, so the client may retry.

Because the lock is released at commit and the record is committed in the same transaction,
exactly one of several concurrent requests with one key executes; the others get 409 or, once
it committed, the replay. The unique (customer, key) constraint backs this up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from core.errors import DomainError
from core.request_context import current_request_id
from payments.errors import IdempotencyInFlight, IdempotencyKeyInvalid, IdempotencyKeyReused
from payments.models import IdempotencyRecord

if TYPE_CHECKING:
    from accounts.models import Customer
    from payments.ledger.money_step import MoneyStepResult

__all__ = [
    "IDEMPOTENCY_KEY_MAX_LENGTH",
    "IDEMPOTENCY_TTL",
    "IdempotentResult",
    "idempotency_records_purge",
    "idempotency_replay_lookup",
    "idempotent_answer",
    "idempotent_execute",
    "request_fingerprint",
]

IDEMPOTENCY_KEY_MAX_LENGTH = 255
IDEMPOTENCY_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class IdempotentResult:
    status: int
    body: dict[str, Any]
    replayed: bool
    original_request_id: str = ""


def _replay(status: int, stored_body: dict[str, Any]) -> IdempotentResult:
    """The stored response again. An error body's ``request_id`` names the request being answered
    (so body and ``X-Request-ID`` agree); the stored one is kept as ``original_request_id``."""
    body = stored_body
    original = ""
    if isinstance(body, dict) and "request_id" in body:
        original = str(body["request_id"])
        body = {**body, "request_id": current_request_id()}
    return IdempotentResult(status, body, replayed=True, original_request_id=original)


_LOOKUP_SQL = """
SELECT request_fingerprint, response_status, response_body FROM payments_idempotencyrecord
 WHERE customer_id = %s AND key = %s
"""


def idempotency_replay_lookup(*, customer: Customer, key: str, fingerprint: str) -> IdempotentResult | None:
    """The stored result for (customer, key) if the request already ran, without locking: lets a
    retry be answered before anything that only matters when the operation would run (the payment
    PIN, whose lock may have been set since). ``IdempotencyKeyReused`` (422) for a different body;
    None when nothing is stored yet (``idempotent_execute`` then decides under its lock)."""
    _validate_key(key)
    with connection.cursor() as cursor:
        cursor.execute(_LOOKUP_SQL, [customer.pk, key])
        row = cursor.fetchone()
    if row is None:
        return None
    stored_fingerprint, status, body = row
    if stored_fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if isinstance(body, str):  # psycopg returns jsonb decoded; a text cast would not be
        body = json.loads(body)
    return _replay(int(status), body)


def idempotent_answer(result: MoneyStepResult) -> IdempotentResult:
    """The answer to a request the database's money step ran (``payments_pay``): its stored or
    replayed response, or the error for a key in flight (409), a key reused with another body
    (422) or the payment PIN (``accounts.services.payment_pin_refusal``)."""
    from accounts.services import payment_pin_refusal

    outcome = result.outcome
    if outcome in ("done", "failed"):
        return IdempotentResult(result.status, result.body, replayed=False)
    if outcome == "replay":
        return _replay(result.status, result.body)
    if outcome == "in_flight":
        raise IdempotencyInFlight()
    if outcome == "reused":
        raise IdempotencyKeyReused()
    locked_until = result.raw.get("locked_until")
    raise payment_pin_refusal(
        outcome,
        failed=int(result.raw.get("failed") or 0),
        locked_until=datetime.fromisoformat(locked_until) if locked_until else None,
    )


def request_fingerprint(*, method: str, path: str, body: Any) -> str:
    """sha256 of method, path and the canonical JSON of the body (keys sorted)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256(f"{method.upper()}\n{path}\n{canonical}".encode()).hexdigest()


def _validate_key(key: str) -> None:
    if not isinstance(key, str) or not key or len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or not key.isprintable():
        raise IdempotencyKeyInvalid()


# The request's lock: one 64-bit key, the customer in the high half and the key's hash in the low
# half, so two customers never share a lock (a single 32-bit hash of both made spurious 409s
# possible). ``payments_pay`` (payments 0009) takes the same lock; keep them equal.
_IDEMPOTENCY_LOCK_SQL = (
    "SELECT pg_try_advisory_xact_lock(((%s::bigint %% 2147483648) << 32) | (hashtext(%s)::bigint & 4294967295))"
)


def idempotent_execute(
    *,
    customer: Customer,
    key: str,
    fingerprint: str,
    operation: Callable[[], tuple[int, dict[str, Any]]],
) -> IdempotentResult:
    """Run ``operation`` at most once per (customer, key); see the module docstring.

    Opens ``transaction.atomic(durable=True)``: call it outside any transaction (the view does),
    and let ``operation`` use the ledger API inside it (``transaction.atomic()`` nests as savepoints).
    """
    _validate_key(key)
    with transaction.atomic(durable=True):
        with connection.cursor() as cursor:
            cursor.execute(_IDEMPOTENCY_LOCK_SQL, [customer.pk, key])
            acquired = cursor.fetchone()[0]
        if not acquired:
            raise IdempotencyInFlight()
        record = IdempotencyRecord.objects.filter(customer=customer, key=key).first()
        if record is not None:
            if record.request_fingerprint != fingerprint:
                raise IdempotencyKeyReused()
            return _replay(record.response_status, record.response_body)

        try:
            with transaction.atomic():
                status, body = operation()
        except DomainError as error:
            if not getattr(error, "replayable", True):
                raise  # a step-up: nothing stored, the client repeats this request with its challenge
            status, body = error.status_code, error.as_body()

        # No other transaction can be here with this key (we hold its advisory lock until commit);
        # the unique constraint stays as the last line of defence (an IntegrityError rolls back all).
        now = timezone.now()
        IdempotencyRecord.objects.create(
            customer=customer,
            key=key,
            request_fingerprint=fingerprint,
            response_status=status,
            response_body=body,
            created_at=now,
            expires_at=now + IDEMPOTENCY_TTL,
        )
        return IdempotentResult(status, body, replayed=False)


def idempotency_records_purge(*, batch_size: int = 5000) -> int:
    """Delete expired records (records are not money). Returns how many were deleted."""
    deleted = 0
    while True:
        ids = list(
            IdempotencyRecord.objects.filter(expires_at__lt=timezone.now()).values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        deleted += IdempotencyRecord.objects.filter(pk__in=ids).delete()[0]
