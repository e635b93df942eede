"""The risk pre-check on the payment path (``settings.PAYMENTS_RISK_PRECHECK =
"risk.precheck.risk_precheck"``; contract in ``payments/interfaces.py``: quick, no network I/O,
writes nothing, raises only ``DomainError``).

Cost: at most ONE statement through a cursor (``risk_precheck_facts``, a database function whose
plans are cached per connection: no planning per payment), no ORM instance. It reads, by index: the customer's
risk profile (primary key), the step-up thresholds (the one policy row), whether any counterparty
key is on the block list (partial unique index of active keys), whether the customer paid this
payee before (``risk_known_payee_unique``), when the device was first seen
(``device_unique_per_customer``) and, when the payment carries one, its step-up challenge (unique
public id). Kinds that move no money out (top-ups, refunds...) read nothing.

What the payment passes (``PaymentContext``): ``customer``, ``kind``, ``amount``, the
counterparty (``counterparty`` for P2P, ``merchant_id``, or ``counterparty_account``),
``device_id`` (the app's device id, as at sign-in), and in ``metadata``:
``step_up_challenge`` (the confirmed challenge's public id, when the client repeats the payment),
``payment_fingerprint`` (``payments.step_up.payment_fingerprint``) and ``step_up_factor``
("PASSKEY" when a passkey confirmed the payment). A valid confirmed challenge turns a step-up into
an allow with ``reason_code == STEP_UP_CONFIRMED``: the money step then uses it up
(``payments_step_up_take``, payments 0014) or refuses; a passkey into ``STEP_UP_PASSKEY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import Money
from payments.interfaces import STEP_UP_CONFIRMED, STEP_UP_PASSKEY, PaymentContext, RiskDecision

__all__ = [
    "OUTGOING_KINDS",
    "PrecheckFacts",
    "counterparty_keys",
    "payee_key",
    "precheck_decide",
    "precheck_facts",
    "risk_precheck",
]

# Money leaving the customer's control: the step-up rules apply. FX moves between the customer's own
# wallets: only a BLOCKED level refuses it. Anything else (top-ups, refunds) is never stopped here.
OUTGOING_KINDS = frozenset({"P2P", "MERCHANT_PAYMENT", "BILL_PAYMENT", "WITHDRAWAL"})
_CHECKED_KINDS = OUTGOING_KINDS | {"FX_CONVERSION"}

# Defaults of ``PrecheckPolicy`` when its row is missing (a fresh database before migrate's data).
_DEFAULT_POLICY = (5_000_00, 500_00, 1_000_00, 72, 200_00)

# One call of the database function (risk 0003), whose statements' plans are cached per connection.
_SQL = (
    "SELECT * FROM risk_precheck_facts(%(customer)s, %(keys)s::text[], %(payee)s, %(device)s, %(challenge)s::uuid,"
    " %(fingerprint)s, %(amount)s, %(currency)s, %(now)s)"
)


@dataclass(frozen=True)
class PrecheckFacts:
    level: str
    step_up_next: bool
    step_up_amount_minor: int
    elevated_step_up_amount_minor: int
    new_payee_amount_minor: int
    new_device_hours: int
    new_device_amount_minor: int
    blocked_key: str | None
    known_payee: bool
    device_first_seen_at: datetime | None
    challenge_ok: bool | None  # None: no challenge given (or not this customer's)


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
    import uuid

    try:
        return str(uuid.UUID(str(value))) if value else None
    except ValueError:
        return None


def precheck_facts(ctx: PaymentContext, *, now: datetime | None = None) -> PrecheckFacts:
    """The one statement: everything the decision needs about this customer and payment."""
    now = now or timezone.now()
    metadata = ctx.metadata or {}
    params: dict[str, Any] = {
        "customer": ctx.customer.pk,
        "keys": counterparty_keys(ctx),
        "payee": payee_key(ctx),
        "device": ctx.device_id or None,
        "challenge": _challenge_uuid(metadata.get("step_up_challenge")),
        "fingerprint": str(metadata.get("payment_fingerprint") or ""),
        "amount": ctx.amount.minor,
        "currency": ctx.amount.currency,
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        row = cursor.fetchone()
    policy = row[2:7] if row[2] is not None else _DEFAULT_POLICY
    return PrecheckFacts(
        level=row[0] or "NORMAL",
        step_up_next=bool(row[1]),
        step_up_amount_minor=int(policy[0]),
        elevated_step_up_amount_minor=int(policy[1]),
        new_payee_amount_minor=int(policy[2]),
        new_device_hours=int(policy[3]),
        new_device_amount_minor=int(policy[4]),
        blocked_key=row[7],
        known_payee=bool(row[8]),
        device_first_seen_at=row[9],
        challenge_ok=row[10],
    )


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


def _step_up_reason(ctx: PaymentContext, facts: PrecheckFacts, now: datetime) -> tuple[str, str] | None:
    """(reason code, customer-facing message) of the first step-up rule that applies, or None."""
    if facts.level == "HIGH":
        return "RISK_LEVEL_HIGH", _("For your security, confirm this payment with the code we send to your phone.")
    if facts.step_up_next:
        return "RISK_REVIEW", _(
            "We noticed unusual activity: confirm this payment with the code we send to your phone."
        )
    cny = _cny_minor(ctx.amount)

    def above(threshold: int) -> bool:
        return cny is None or cny > threshold

    if facts.level == "ELEVATED" and above(facts.elevated_step_up_amount_minor):
        return "RISK_LEVEL_ELEVATED", _("For your security, confirm this payment with the code we send to your phone.")
    if above(facts.step_up_amount_minor):
        return "LARGE_AMOUNT", _("This is a large payment: confirm it with the code we send to your phone.")
    if not facts.known_payee and payee_key(ctx) and above(facts.new_payee_amount_minor):
        return "NEW_PAYEE", _("You have not paid this recipient before: confirm with the code we send to your phone.")
    if ctx.device_id and above(facts.new_device_amount_minor):
        first_seen = facts.device_first_seen_at
        if first_seen is None or first_seen > now - timedelta(hours=facts.new_device_hours):
            return "NEW_DEVICE", _("This device is new: confirm this payment with the code we send to your phone.")
    return None


def precheck_decide(ctx: PaymentContext, facts: PrecheckFacts, *, now: datetime | None = None) -> RiskDecision:
    """The decision from the facts (no I/O but the CNY rate of a foreign-currency payment)."""
    now = now or timezone.now()
    if facts.blocked_key is not None:
        return RiskDecision(
            allowed=False,
            reason_code="COUNTERPARTY_BLOCKED",
            message=_(
                "Payments to this recipient are blocked by our fraud checks. Contact us if you think this is wrong."
            ),
        )
    if facts.level == "BLOCKED":
        return RiskDecision(
            allowed=False,
            reason_code="RISK_BLOCKED",
            message=_(
                "Outgoing payments from your account are suspended by our fraud checks. You can ask for a review."
            ),
        )
    if ctx.kind not in OUTGOING_KINDS:
        return RiskDecision(allowed=True)
    reason = _step_up_reason(ctx, facts, now)
    if reason is None:
        return RiskDecision(allowed=True)
    if facts.challenge_ok:
        return RiskDecision(allowed=True, reason_code=STEP_UP_CONFIRMED)
    if (ctx.metadata or {}).get("step_up_factor") == "PASSKEY":
        return RiskDecision(allowed=True, reason_code=STEP_UP_PASSKEY)
    code, message = reason
    if not getattr(settings, "RISK_PRECHECK_STEP_UP", True):
        # Switched off (RISK_PRECHECK_STEP_UP=false): the payment goes ahead; the asynchronous rules
        # still see it.
        return RiskDecision(allowed=True, reason_code=f"STEP_UP_WAIVED:{code}")
    if facts.challenge_ok is False:
        code = "STEP_UP_CHALLENGE_INVALID"
        message = _("This verification is not valid for this payment. Confirm the payment again with a new code.")
    return RiskDecision(allowed=True, reason_code=code, message=message, requires_step_up=True)


def risk_precheck(ctx: PaymentContext) -> RiskDecision:
    """``payments.interfaces.RiskPrecheckFn``: one read, then the decision (module docstring)."""
    if ctx.kind not in _CHECKED_KINDS:
        return RiskDecision(allowed=True)
    now = timezone.now()
    return precheck_decide(ctx, precheck_facts(ctx, now=now), now=now)
