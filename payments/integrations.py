"""The bank gateway: the only place payments talks to the outside (card charges and payouts).

``bank_gateway()`` returns the adapter named by ``settings.BANK_GATEWAY`` (a dotted path). Every
adapter implements ``BankGateway``:

- ``charge`` pulls money from a linked card into the bank's settlement account (top-up);
- ``payout`` pushes money from settlement to a linked card (withdrawal);
- ``query`` asks for the final outcome of an earlier operation (the polling task uses it);
- ``verify_callback_signature`` checks the bank's signed asynchronous confirmation.

A synchronous answer is PENDING (final outcome comes later, by callback or query), SUCCEEDED or
DECLINED. ``GatewayTimeout`` means the outcome is unknown: the bank may still have done it, so the
caller must keep the operation open and let the callback or the poll settle it (never retry a
charge blindly, never assume failure).

Callbacks are signed: header ``X-Gateway-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`` over
``"<t>." + raw body`` with ``settings.BANK_GATEWAY_CALLBACK_SECRET``; a timestamp more than
``CALLBACK_TOLERANCE_SECONDS`` away is refused (replay window). Duplicate deliveries are normal and
the receiving service treats them idempotently.

``SimulatedCoreBankingGateway`` stands in for the bank's core system in development and tests.
Its behaviour is chosen by ``settings.BANK_GATEWAY_SIM_MODE``; in the default ``auto`` mode the
minor-unit remainder of the amount picks a deterministic scenario (see ``SIM_AMOUNT_TRIGGERS``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.integrations import CardTokenCheck, SimulatedCardTokenVerifier
from core.money import Money

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Gateway-Signature"
CALLBACK_TOLERANCE_SECONDS = 300


class GatewayStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    DECLINED = "DECLINED"


class GatewayOperation(StrEnum):
    CHARGE = "CHARGE"
    PAYOUT = "PAYOUT"


@dataclass(frozen=True)
class GatewayResult:
    status: GatewayStatus
    gateway_ref: str
    reference: str = ""
    decline_code: str = ""
    message: str = ""


class GatewayError(Exception):
    """The gateway could not be asked (connection refused, 5xx): nothing happened at the bank."""


class GatewayTimeout(GatewayError):
    """The request was sent but no answer came: the outcome is UNKNOWN (the bank may have done it)."""


@dataclass(frozen=True)
class GatewayCallback:
    """A verified callback: which operation (our ``reference``) ended how."""

    operation: GatewayOperation
    reference: str
    gateway_ref: str
    status: GatewayStatus
    amount: Money
    decline_code: str = ""


class BankGateway(Protocol):
    def charge(self, *, card_token: str, amount: Money, reference: str) -> GatewayResult: ...

    def payout(self, *, card_token: str, amount: Money, reference: str) -> GatewayResult: ...

    def query(self, *, reference: str) -> GatewayResult | None: ...

    def verify_callback_signature(self, *, body: bytes, signature: str) -> bool: ...

    def verify_card_token(self, *, gateway_token: str) -> CardTokenCheck: ...


def bank_gateway() -> BankGateway:
    """The configured adapter (``settings.BANK_GATEWAY``), a fresh instance per call."""
    return import_string(str(settings.BANK_GATEWAY))()  # type: ignore[no-any-return]


class BankGatewayCardTokenVerifier:
    """``accounts.integrations.CardTokenVerifier`` backed by the configured bank gateway: linking a
    payout card asks the bank whether the SDK token is real (``settings.CARD_TOKEN_VERIFIER``)."""

    def verify_card_token(self, *, gateway_token: str) -> CardTokenCheck:
        return bank_gateway().verify_card_token(gateway_token=gateway_token)


# --- signing (shared by the simulator and by any real adapter using the same scheme) --------------
def _callback_secret() -> bytes:
    return str(settings.BANK_GATEWAY_CALLBACK_SECRET).encode()


def callback_sign(body: bytes, *, timestamp: int | None = None) -> str:
    """The ``X-Gateway-Signature`` header value for ``body``."""
    ts = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(_callback_secret(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={ts},v1={mac}"


_SIGNATURE_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII only: "١٢" or "²" are str.isdigit() too
_SIGNATURE_MAC = re.compile(r"[0-9a-f]{64}")


def callback_signature_parse(signature: object) -> tuple[str, str] | None:
    """``(timestamp digits, hex mac)`` from an ``X-Gateway-Signature`` header, or ``None`` if malformed.

    Never raises: the header is attacker-controlled (non-ASCII digits, 400-digit timestamps, no
    ``=``). Unknown keys are ignored; a repeated ``t`` or ``v1`` is malformed.
    """
    if not isinstance(signature, str) or not signature or len(signature) > 512:
        return None
    parts: dict[str, str] = {}
    for item in signature.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep or key in parts:
            return None
        parts[key] = value
    ts_text, mac = parts.get("t", ""), parts.get("v1", "")
    if not _SIGNATURE_TIMESTAMP.fullmatch(ts_text) or not _SIGNATURE_MAC.fullmatch(mac):
        return None
    return ts_text, mac


def callback_signature_is_valid(body: bytes, signature: str, *, now: float | None = None) -> bool:
    """Constant-time check of the header; refuses a missing, malformed, stale or wrong signature."""
    parsed = callback_signature_parse(signature)
    if parsed is None:
        return False
    ts_text, mac = parsed
    current = time.time() if now is None else now
    if abs(current - int(ts_text)) > CALLBACK_TOLERANCE_SECONDS:  # 12 digits at most: no float overflow
        return False
    expected = hmac.new(_callback_secret(), f"{ts_text}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, mac)


_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")
_PRINTABLE_ASCII_OR_EMPTY = re.compile(r"[\x20-\x7e]*")


def callback_parse(body: bytes) -> GatewayCallback:
    """Parse a (verified) callback body; raises ``ValueError`` on anything unexpected."""
    try:
        data = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise ValueError("callback body is nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError("callback body is not an object")
    try:
        operation = GatewayOperation(data["operation"])
        status = GatewayStatus(data["status"])
        reference = data["reference"]
        gateway_ref = data["gateway_ref"]
        amount = Money.parse(data["amount"], data["currency"])
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise ValueError(f"callback field missing or malformed: {type(exc).__name__}") from None
    # Printable ASCII only: a NUL or a lone surrogate (valid JSON escapes) is refused here, as
    # malformed and logged, instead of failing in PostgreSQL after the signature was accepted.
    if not isinstance(reference, str) or not _PRINTABLE_ASCII.fullmatch(reference) or len(reference) > 64:
        raise ValueError("callback reference is malformed")
    if (
        not isinstance(gateway_ref, str)
        or not _PRINTABLE_ASCII_OR_EMPTY.fullmatch(gateway_ref)
        or len(gateway_ref) > 64
    ):
        raise ValueError("callback gateway_ref is malformed")
    decline_code = str(data.get("decline_code", ""))[:40]
    if not _PRINTABLE_ASCII_OR_EMPTY.fullmatch(decline_code):
        raise ValueError("callback decline_code is malformed")
    return GatewayCallback(
        operation=operation,
        reference=reference,
        gateway_ref=gateway_ref,
        status=status,
        amount=amount,
        decline_code=decline_code,
    )


def callback_body(
    *,
    operation: GatewayOperation,
    reference: str,
    gateway_ref: str,
    status: GatewayStatus,
    amount: Money,
    decline_code: str = "",
) -> bytes:
    """The JSON body the bank posts (documented in docs/payments-movements.md)."""
    payload: dict[str, Any] = {
        "operation": str(operation),
        "reference": reference,
        "gateway_ref": gateway_ref,
        "status": str(status),
        "amount": amount.amount_str(),
        "currency": amount.currency,
        "occurred_at": timezone.now().isoformat(),
    }
    if decline_code:
        payload["decline_code"] = decline_code
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


# --- the simulator ------------------------------------------------------------------------------
class SimScenario(StrEnum):
    SUCCESS = "success"  # PENDING now; SUCCEEDED by query and one callback
    DECLINE = "decline"  # DECLINED synchronously
    TIMEOUT = "timeout"  # GatewayTimeout now; the bank did it: SUCCEEDED later (late success)
    DUPLICATE_CALLBACK = "duplicate_callback"  # PENDING now; the SUCCEEDED callback arrives twice
    LATE_DECLINE = "late_decline"  # PENDING now; DECLINED by query and callback
    HANG = "hang"  # GatewayTimeout now and the bank never answers (query: unknown)


# In ``auto`` mode: minor units modulo 100 (the "cents") -> scenario; anything else succeeds.
SIM_AMOUNT_TRIGGERS: dict[int, SimScenario] = {
    13: SimScenario.DECLINE,
    14: SimScenario.TIMEOUT,
    15: SimScenario.DUPLICATE_CALLBACK,
    16: SimScenario.LATE_DECLINE,
    17: SimScenario.HANG,
}

_SIM_TTL_SECONDS = 7 * 24 * 3600


def _sim_key(reference: str) -> str:
    return f"payments:gatewaysim:{reference}"


class SimulatedCoreBankingGateway:
    """A stand-in for the bank's core system (development and tests only).

    It remembers each operation's final outcome in the cache (Redis), as the bank would in its own
    database, so ``query`` and ``pending_callbacks`` can answer later from another process. With
    ``settings.BANK_GATEWAY_SIM_AUTODELIVER`` it also delivers its callbacks through a Celery task
    after the configured latency (development); tests call ``pending_callbacks`` and post them.
    """

    def __init__(self) -> None:
        self.mode = str(getattr(settings, "BANK_GATEWAY_SIM_MODE", "auto"))
        self.latency_seconds = int(getattr(settings, "BANK_GATEWAY_SIM_LATENCY_MS", 0)) / 1000

    # -- BankGateway --
    def charge(self, *, card_token: str, amount: Money, reference: str) -> GatewayResult:
        return self._operate(GatewayOperation.CHARGE, card_token=card_token, amount=amount, reference=reference)

    def payout(self, *, card_token: str, amount: Money, reference: str) -> GatewayResult:
        return self._operate(GatewayOperation.PAYOUT, card_token=card_token, amount=amount, reference=reference)

    def query(self, *, reference: str) -> GatewayResult | None:
        record = cache.get(_sim_key(reference))
        if record is None or record["scenario"] == SimScenario.HANG:
            return None
        return GatewayResult(
            status=GatewayStatus(record["final"]),
            gateway_ref=record["gateway_ref"],
            reference=reference,
            decline_code=record.get("decline_code", ""),
        )

    def verify_callback_signature(self, *, body: bytes, signature: str) -> bool:
        return callback_signature_is_valid(body, signature)

    def verify_card_token(self, *, gateway_token: str) -> CardTokenCheck:
        return SimulatedCardTokenVerifier().verify_card_token(gateway_token=gateway_token)

    # -- simulator controls --
    def scenario_for(self, amount: Money) -> SimScenario:
        if self.mode != "auto":
            return SimScenario(self.mode)
        return SIM_AMOUNT_TRIGGERS.get(abs(amount.minor) % 100, SimScenario.SUCCESS)

    def pending_callbacks(self, *, reference: str) -> list[tuple[bytes, str]]:
        """The signed callbacks the bank would post for ``reference``: ``[(body, signature), ...]``."""
        record = cache.get(_sim_key(reference))
        if record is None or record["scenario"] in (SimScenario.DECLINE, SimScenario.HANG):
            return []
        body = callback_body(
            operation=GatewayOperation(record["operation"]),
            reference=reference,
            gateway_ref=record["gateway_ref"],
            status=GatewayStatus(record["final"]),
            amount=Money(record["minor"], record["currency"]),
            decline_code=record.get("decline_code", ""),
        )
        copies = 2 if record["scenario"] == SimScenario.DUPLICATE_CALLBACK else 1
        return [(body, callback_sign(body))] * copies

    def _operate(self, operation: GatewayOperation, *, card_token: str, amount: Money, reference: str) -> GatewayResult:
        if not card_token or not reference:
            raise GatewayError("card token and reference are required")
        if self.latency_seconds:
            time.sleep(self.latency_seconds)
        existing = cache.get(_sim_key(reference))
        if existing is not None:  # the bank deduplicates on our reference, like a real gateway
            return GatewayResult(GatewayStatus(existing["sync"]), existing["gateway_ref"], reference)
        scenario = self.scenario_for(amount)
        gateway_ref = f"SIM{secrets.token_hex(8).upper()}"
        declined = scenario in (SimScenario.DECLINE, SimScenario.LATE_DECLINE)
        record = {
            "operation": str(operation),
            "scenario": str(scenario),
            "gateway_ref": gateway_ref,
            "minor": amount.minor,
            "currency": amount.currency,
            "final": str(GatewayStatus.DECLINED if declined else GatewayStatus.SUCCEEDED),
            "sync": str(GatewayStatus.DECLINED if scenario == SimScenario.DECLINE else GatewayStatus.PENDING),
            "decline_code": "insufficient_funds_at_issuer" if declined else "",
        }
        cache.set(_sim_key(reference), record, timeout=_SIM_TTL_SECONDS)
        logger.info("gateway sim %s %s scenario=%s ref=%s", operation, reference, scenario, gateway_ref)
        if scenario == SimScenario.DECLINE:
            return GatewayResult(
                GatewayStatus.DECLINED, gateway_ref, reference, decline_code=str(record["decline_code"])
            )
        if getattr(settings, "BANK_GATEWAY_SIM_AUTODELIVER", False) and scenario != SimScenario.HANG:
            self._schedule_delivery(reference)
        if scenario in (SimScenario.TIMEOUT, SimScenario.HANG):
            raise GatewayTimeout(f"no answer from the simulated bank for {reference}")
        return GatewayResult(GatewayStatus.PENDING, gateway_ref, reference)

    def _schedule_delivery(self, reference: str) -> None:
        try:
            from payments.tasks_movements import gateway_sim_deliver_callbacks

            gateway_sim_deliver_callbacks.apply_async(
                kwargs={"reference": reference}, countdown=max(1, int(self.latency_seconds) + 1)
            )
        except Exception:  # noqa: BLE001 - broker down: the polling task settles it instead
            logger.warning("gateway sim could not schedule callback delivery for %s", reference)
