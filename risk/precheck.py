"""The risk pre-check on the payment path (``settings.PAYMENTS_RISK_PRECHECK =
"risk.precheck.risk_precheck"``; contract in ``payments/interfaces.py``: quick, no network I/O,
raises only ``DomainError``).

The rules live in ONE place, the database function ``risk_precheck_gate`` (risk 0006; docs/risk.md,
"The pre-check"): a blocked counterparty or a BLOCKED level refuses; an outgoing payment needs a
step-up for the first reason that applies (level HIGH, "step up on the next payment", level ELEVATED
above its amount, a large amount, a new payee, a new device), satisfied by a confirmed challenge of
this payment, by a passkey, or waived when ``RISK_PRECHECK_STEP_UP`` is off. This module only
prepares the gate's input (``gate_input``) and words its answers (``ANSWERS``).

Two ways to call it:

- ``ctx.in_statement`` (P2P and merchant payments: the money step is ONE statement, ``payments_pay``):
  nothing is read here. The decision is ``RiskDecision(allowed=True, statement=<input>)`` and
  ``payments_pay`` runs the gate inside its money block, under the customers' locks, where it used
  to take this pre-check's refusal: the refusal is stored under the Idempotency-Key like any other,
  a step-up is answered without storing anything, and a confirmed challenge is used up in the same
  statement (rolled back with a later refusal). Why: the pre-check's own round trip (0.20 ms of
  Python and 0.16 ms of PostgreSQL per payment) kept risk-on payments at 0.78-0.88x of risk-off
  ones; inside the statement it costs about the gate's index lookups (docs/risk.md has the figures).
- otherwise (bill payments, withdrawals, FX, top-ups: the ORM path, ``payments.step_up``): one
  statement, the gate with ``take`` false (reads only), and its answer as a ``RiskDecision``: a
  valid confirmed challenge turns a step-up into an allow with ``reason_code == STEP_UP_CONFIRMED``
  (the caller then uses it up, ``payments_step_up_take``), a passkey into ``STEP_UP_PASSKEY``.
  Kinds that move no money out (top-ups, refunds...) read nothing.

What the payment passes (``PaymentContext``): ``customer``, ``kind``, ``amount``, the
counterparty (``counterparty`` for P2P, ``merchant_id``, or ``counterparty_account``),
``device_id`` (the app's device id, as at sign-in), and in ``metadata``:
``step_up_challenge`` (the confirmed challenge's public id, when the client repeats the payment),
``payment_fingerprint`` (``payments.step_up.payment_fingerprint``) and ``step_up_factor``
("PASSKEY" when a passkey confirmed the payment).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.money import Money
from payments.interfaces import PaymentContext, RiskDecision

__all__ = [
    "ANSWERS",
    "OUTGOING_KINDS",
    "counterparty_keys",
    "gate_decision",
    "gate_input",
    "payee_key",
    "risk_precheck",
]

# Money leaving the customer's control: the step-up rules apply. FX moves between the customer's own
# wallets: only a BLOCKED level refuses it. Anything else (top-ups, refunds) is never stopped here.
OUTGOING_KINDS = frozenset({"P2P", "MERCHANT_PAYMENT", "BILL_PAYMENT", "WITHDRAWAL"})
_CHECKED_KINDS = OUTGOING_KINDS | {"FX_CONVERSION"}

_CONFIRM = _("For your security, confirm this payment with the code we send to your phone.")

# Every answer of ``risk_precheck_gate`` that stops a payment, and what the customer reads.
ANSWERS: dict[str, Any] = {
    "risk:COUNTERPARTY_BLOCKED": _(
        "Payments to this recipient are blocked by our fraud checks. Contact us if you think this is wrong."
    ),
    "risk:RISK_BLOCKED": _(
        "Outgoing payments from your account are suspended by our fraud checks. You can ask for a review."
    ),
    "step_up:RISK_LEVEL_HIGH": _CONFIRM,
    "step_up:RISK_REVIEW": _("We noticed unusual activity: confirm this payment with the code we send to your phone."),
    "step_up:RISK_LEVEL_ELEVATED": _CONFIRM,
    "step_up:LARGE_AMOUNT": _("This is a large payment: confirm it with the code we send to your phone."),
    "step_up:NEW_PAYEE": _("You have not paid this recipient before: confirm with the code we send to your phone."),
    "step_up:NEW_DEVICE": _("This device is new: confirm this payment with the code we send to your phone."),
    "step_up:STEP_UP_CHALLENGE_INVALID": _(
        "This verification is not valid for this payment. Confirm the payment again with a new code."
    ),
}

_GATE_SQL = "SELECT risk_precheck_gate(%s::jsonb, %s, %s)"


def counterparty_keys(ctx: PaymentContext) -> list[str]:
    """Every key the block list may name for this payment's counterparty."""
    keys = []
    if ctx.counterparty is not None:
        keys.append(f"customer:{ctx.counterparty.public_id}")
    if ctx.merchant_id:
        keys.append(f"merchant:{ctx.merchant_id}")
    account = ctx.counterparty_account
    if account is not None and account.code:
        keys.append(f"account:{account.code}")
    return keys


def payee_key(ctx: PaymentContext) -> str:
    """The payee as ``KnownPayee`` records it (the same key the risk consumer writes)."""
    if ctx.counterparty is not None:
        return f"customer:{ctx.counterparty.public_id}"
    if ctx.merchant_id:
        return f"merchant:{ctx.merchant_id}"
    biller = (ctx.metadata or {}).get("biller")
    if biller:
        return f"biller:{biller}"
    account = ctx.counterparty_account
    return f"account:{account.code}" if account is not None and account.code else ""


def _challenge_uuid(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


def _cny_minor(amount: Money) -> int | None:
    """The amount in CNY minor units (other currencies at the approved mid rate, rounded up);
    None when no rate is approved (then every amount threshold applies)."""
    if amount.currency == "CNY":
        return amount.minor
    from payments.limits import cny_equivalent

    try:
        return cny_equivalent(amount).minor
    except DomainError:
        return None


def gate_input(ctx: PaymentContext, *, take: bool) -> dict[str, Any]:
    """``risk_precheck_gate``'s ``p`` (risk 0006): what the rules need from this payment."""
    metadata = ctx.metadata or {}
    return {
        "keys": counterparty_keys(ctx),
        "payee": payee_key(ctx),
        "device": ctx.device_id or None,
        "challenge": _challenge_uuid(metadata.get("step_up_challenge")),
        "fingerprint": str(metadata.get("payment_fingerprint") or ""),
        "amount": ctx.amount.minor,
        "currency": ctx.amount.currency,
        "cny": _cny_minor(ctx.amount),
        "outgoing": ctx.kind in OUTGOING_KINDS,
        "step_up": bool(getattr(settings, "RISK_PRECHECK_STEP_UP", True)),
        "passkey": metadata.get("step_up_factor") == "PASSKEY",
        "take": take,
    }


def gate_decision(answer: str | None) -> RiskDecision:
    """The ``RiskDecision`` of one answer of the gate (``take`` false)."""
    if answer is None:
        return RiskDecision(allowed=True)
    kind, _sep, code = answer.partition(":")
    if kind == "ok":  # STEP_UP_CONFIRMED, STEP_UP_PASSKEY, STEP_UP_WAIVED:<reason>
        return RiskDecision(allowed=True, reason_code=code)
    message = str(ANSWERS[answer])
    if kind == "risk":
        return RiskDecision(allowed=False, reason_code=code, message=message)
    return RiskDecision(allowed=True, reason_code=code, message=message, requires_step_up=True)


def risk_precheck(ctx: PaymentContext) -> RiskDecision:
    """``payments.interfaces.RiskPrecheckFn`` (module docstring): left to the money statement when
    the caller runs one, else the gate's decision in one statement."""
    if ctx.kind not in _CHECKED_KINDS:
        return RiskDecision(allowed=True)
    if ctx.in_statement:
        return RiskDecision(allowed=True, statement=gate_input(ctx, take=True), answers=ANSWERS)
    from psycopg.types.json import Jsonb

    params: list[Any] = [Jsonb(gate_input(ctx, take=False)), ctx.customer.pk, timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(_GATE_SQL, params)
        answer = cursor.fetchone()[0]
    return gate_decision(answer)
