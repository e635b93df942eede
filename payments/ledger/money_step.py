"""A customer payment's money step in one round trip: the database function ``payments_pay``
(payments 0009; docs/ledger.md, "The money step in the database").

The services describe the payment (``MoneyStep``: payer, legs, limits, balance cap, event, and for
a merchant payment its record) and ``money_step_run`` sends it as one JSON document. The database
then, in one statement: locks the customers in id order, checks their status, reserves the KYC
limits, writes the transfer through ``payments_ledger_post`` (the same write every other transfer
takes), checks the recipient's balance cap, writes the merchant payment row and the outbox event.
A business refusal rolls all of it back (the function's EXCEPTION block stands in for the
savepoint) and comes back by name; ``money_step_refusal`` turns the name into the domain error.

A request from the API adds ``MoneyRequest``: the Idempotency-Key (checked and stored by the same
statement, so a business failure is stored and replayed like a success), the payment PIN
(compared by the database under the payer's row lock, the attempt counted before the answer is
known), the answer to store on success, and the errors to store on refusal, rendered beforehand
in the request's language. Called in autocommit, the request is then one transaction; called
inside a transaction (services, tests), it joins it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from core import deferred_writes
from core.errors import DomainError
from core.money import Money, currency_exponent
from core.outbox import outbox_events_written
from core.request_context import current_request_id
from payments.errors import AccountClosed, AccountFrozen, BalanceCapExceeded, StepUpRequired
from payments.events import transfer_event_payload
from payments.ledger.transfers import PreparedTransfer, ledger_refusal
from payments.models import LedgerAccount, Transfer

if TYPE_CHECKING:
    from accounts.models import Customer, KycTier
    from payments.step_up import RiskGate


__all__ = [
    "MoneyRequest",
    "MoneyStep",
    "MoneyStepResult",
    "money_step_refusal",
    "money_step_run",
]

_PAY_SQL = "SELECT payments_pay(%s)"

_LEDGER_FAILURES = ("insufficient_funds", "account_frozen", "account_closed")


@dataclass
class MoneyStep:
    """What one customer payment does to the money. ``limits`` comes from
    ``payments.limits.limits_step_input``; ``cap_account`` is a customer wallet credited here
    whose KYC balance cap (``cap_minor``, CNY; ``cap_rate`` CNY per unit when the wallet holds
    another currency) must hold after the transfer."""

    payer: Customer
    prepared: PreparedTransfer | None  # None: a refusal only (``refusal_only``)
    event_topic: str
    event_extra: dict[str, Any]
    tier: KycTier
    recipient: Customer | None = None
    limits: dict[str, Any] | None = None
    cap_account: LedgerAccount | None = None
    cap_minor: int | None = None
    cap_rate: Decimal | None = None
    cap_exponent: int = 2
    merchant_payment: dict[str, Any] | None = None
    refused_after_status: DomainError | None = None  # the risk pre-check's refusal, an FX rate missing
    claim_order: dict[str, Any] | None = None  # a dynamic QR's order, paid at most once
    # The pre-check asks for a step-up (``payments.step_up``): refused after the PIN and the customers'
    # status, NOT stored under the key; raised by ``money_step_run`` for the view to answer with a challenge.
    step_up_required: StepUpRequired | None = None
    step_up_take: dict[str, Any] | None = None  # the confirmed challenge (or passkey) the money step uses up
    promotions: dict[str, Any] | None = None  # what the quote applied, taken by the statement (PromotionQuote.take)
    # The risk pre-check decided by the statement (``risk_precheck_gate``, risk 0006) where
    # ``refused_after_status`` is taken: its refusal stored like any other, its step-up raised.
    risk_gate: RiskGate | None = None

    @classmethod
    def refusal_only(cls, *, payer: Customer, tier: KycTier) -> MoneyStep:
        """A request refused before any money (its ``MoneyRequest.refused_early``): the statement
        still checks the key and the PIN, then stores the refusal."""
        return cls(payer=payer, prepared=None, event_topic="", event_extra={}, tier=tier)


@dataclass
class MoneyRequest:
    """The API request around a money step: its Idempotency-Key and body fingerprint, the payment
    PIN's candidate form (``accounts.services.payment_pin_candidate``; None when the PIN was
    already verified in Python), and ``render(transfer) -> (status, body)`` for the answer."""

    customer_id: int
    key: str
    fingerprint: str
    ttl_seconds: int
    render: Callable[[Transfer], tuple[int, dict[str, Any]]]
    pin_candidate: str | None = None
    pin_max: int = 5
    pin_lock: timedelta = timedelta(minutes=30)
    refused_early: DomainError | None = None  # refused before anything: unknown recipient, ...
    balance_leg: int | None = None  # which leg's balance after goes into ``body.balance_after.amount``
    step_up: Any = None  # ``payments.step_up.StepUpInput``: the payment fingerprint, challenge, passkey


@dataclass(frozen=True)
class MoneyStepResult:
    """``outcome``: done, failed, replay, in_flight, reused, pin_not_set, pin_locked, pin_invalid
    (``step_up`` is raised as ``StepUpRequired`` by ``money_step_run``)."""

    outcome: str
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    transfer: Transfer | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def _refusals(step: MoneyStep, request: MoneyRequest | None) -> dict[str, Callable[[], DomainError]]:
    refusals: dict[str, Callable[[], DomainError]] = {
        "sender_frozen": AccountFrozen,
        "sender_closed": AccountClosed,
        "account_frozen": AccountFrozen,
        "account_closed": AccountClosed,
        "insufficient_funds": lambda: ledger_refusal({"error": "insufficient_funds", "currency": _currency(step)}),
    }
    if step.recipient is not None:
        refusals["recipient_frozen"] = lambda: AccountFrozen(
            _("The recipient's account cannot receive money at the moment.")
        )
        refusals["recipient_closed"] = lambda: AccountClosed(_("The recipient's account is closed."))
    if step.limits is not None:
        from payments.limits import LIMIT_FAILURES, limit_refusal

        for name in LIMIT_FAILURES:
            refusals[name] = lambda name=name: limit_refusal(name, step.tier)  # type: ignore[misc]
    if step.cap_account is not None:
        refusals["balance_cap"] = lambda: BalanceCapExceeded(
            details={"cap": Money(step.cap_minor or 0, "CNY").amount_str()}
        )
    refused_after_status = step.refused_after_status
    if refused_after_status is not None:
        refusals["risk"] = lambda: refused_after_status
    if step.claim_order is not None:
        from payments.errors_movements import OrderAlreadyPaid, OrderCancelled
        from payments.qr import QrExpired, QrInvalid

        refusals.update(
            qr_invalid=QrInvalid,
            qr_expired=QrExpired,
            order_already_paid=OrderAlreadyPaid,
            order_cancelled=OrderCancelled,
        )
    refused_early = request.refused_early if request is not None else None
    if refused_early is not None:
        if step.prepared is None:  # nothing else can happen
            return {"early": lambda: refused_early}
        refusals["early"] = lambda: refused_early
    return refusals


def _currency(step: MoneyStep) -> str:
    return step.prepared.legs[0].amount.currency if step.prepared is not None else "CNY"


def money_step_refusal(step: MoneyStep, failure: str, details: dict[str, Any]) -> DomainError:
    """The domain error for a refusal ``payments_pay`` named."""
    if failure == "promotion_changed":  # never stored under a key: the services quote again
        from payments.errors_movements import PromotionChanged

        return PromotionChanged()
    if failure in _LEDGER_FAILURES and details:
        return ledger_refusal(details)
    if step.risk_gate is not None and failure.startswith("risk:"):
        return step.risk_gate.error(failure)
    return _refusals(step, None)[failure]()


def _document(step: MoneyStep, request: MoneyRequest | None) -> dict[str, Any]:
    if step.prepared is None:
        assert request is not None and request.refused_early is not None
        now = timezone.now()
        return {
            "customer": step.payer.pk,
            "now": now.isoformat(),
            "lock_customers": [step.payer.pk],
            "failure_early": "early",
            **_request_part(step, request, now, None),
        }
    transfer = step.prepared.transfer
    accounts, amounts, currencies, counterparties = step.prepared.leg_arrays()
    doc: dict[str, Any] = {
        "customer": step.payer.pk,
        "now": transfer.created_at.isoformat(),
        "lock_customers": [step.payer.pk] + ([step.recipient.pk] if step.recipient is not None else []),
        "transfer": {
            "kind": transfer.kind,
            "public_id": str(transfer.public_id),
            "reference": transfer.reference,
            "memo": transfer.memo,
            "metadata": transfer.metadata,
            "initiated_by": transfer.initiated_by_id,
            "created_at": transfer.created_at.isoformat(),
            "content_hash": transfer.content_hash,
            "accounts": accounts,
            "amounts": amounts,
            "currencies": currencies,
            "counterparties": counterparties,
        },
        "limits": step.limits,
        "event": {
            "topic": step.event_topic,
            "key": str(transfer.public_id),
            "payload": transfer_event_payload(transfer, **step.event_extra),
        },
        "exponent": currency_exponent(_currency(step)),
    }
    unresolved = step.prepared.unresolved()
    if unresolved:  # resolved by code under the payment's locks; opened there when missing
        doc["transfer"]["codes"] = [leg.account.code for leg in step.prepared.legs]
        doc["transfer"]["counterparty_legs"] = step.prepared.counterparty_legs
        doc["open_accounts"] = [
            {
                "public_id": str(account.public_id),
                "code": account.code,
                "kind": account.kind,
                "currency": account.currency,
                "customer": account.customer_id,
                "name": account.name,
                "is_hot": account.is_hot,
            }
            for account in unresolved
        ]
    if step.recipient is not None:
        doc["recipient"] = True
    if step.refused_after_status is not None:
        doc["failure_after_status"] = "risk"
    elif step.step_up_required is not None:
        doc["failure_after_status"] = "step_up"  # payments_pay answers the outcome ``step_up``, storing nothing
    if step.step_up_take is not None:
        doc["step_up"] = step.step_up_take
    if step.risk_gate is not None:
        doc["risk"] = step.risk_gate.section
    if step.cap_account is not None:
        doc["cap"] = {
            "account": step.cap_account.pk,
            "code": step.cap_account.code,
            "cap": step.cap_minor,
            "cny_exponent": 2,
        }
        if step.cap_rate is not None:
            doc["cap"].update(rate=str(step.cap_rate), exponent=step.cap_exponent)
    if step.merchant_payment is not None:
        doc["merchant_payment"] = step.merchant_payment
    if step.claim_order is not None:
        doc["claim_order"] = step.claim_order
    if step.promotions is not None:
        doc["promotions"] = step.promotions
    if request is not None:
        if request.refused_early is not None:
            doc["failure_early"] = "early"
        doc.update(_request_part(step, request, transfer.created_at, transfer))
    return doc


def _request_part(step: MoneyStep, request: MoneyRequest, now: datetime, transfer: Transfer | None) -> dict[str, Any]:
    """The request's fields of the document: key, PIN, the answer and every refusal's answer."""
    doc: dict[str, Any] = {
        "idem_key": request.key,
        "fingerprint": request.fingerprint,
        "idem_ttl_s": request.ttl_seconds,
    }
    if request.pin_candidate is not None:
        doc.update(
            pin=request.pin_candidate, pin_max=request.pin_max, pin_lock_until=(now + request.pin_lock).isoformat()
        )
    if transfer is not None:
        status, body = request.render(transfer)
        doc.update(status=status, body=body)
        if request.balance_leg is not None:
            doc["balance_leg"] = request.balance_leg
    doc["failures"] = {}
    request_id = current_request_id()
    for name, make in _refusals(step, request).items():
        doc["failures"][name] = _failure_answer(step, name, make, request_id)
    if step.risk_gate is not None and step.prepared is not None:
        doc["failures"].update(step.risk_gate.failures())
    return doc


# Every refusal the statement may meet is rendered before it runs (its answer is stored under the
# key by the same statement), a dozen per payment: most depend only on the language, and the rest on
# one value each. Rendered once per (language, refusal, that value) and reused; the request id is
# the only per-request part. A refusal not listed here (the risk pre-check's, an early refusal) is
# rendered every time. ``tests/payments/test_refusal_answers.py`` compares both ways.
_CONSTANT_REFUSALS = frozenset(
    {
        "sender_frozen",
        "sender_closed",
        "account_frozen",
        "account_closed",
        "recipient_frozen",
        "recipient_closed",
        "qr_invalid",
        "qr_expired",
        "order_already_paid",
        "order_cancelled",
        "kyc_required",
        "limit_daily",
        "limit_monthly",
    }
)
_ANSWERS: dict[tuple[Any, ...], tuple[int, str, str, Any]] = {}
_ANSWERS_MAX = 1024


def _answer_key(step: MoneyStep, name: str) -> tuple[Any, ...] | None:
    """What a refusal's answer depends on besides the language, or None: render it every time."""
    if name in _CONSTANT_REFUSALS:
        return (name,)
    if name == "insufficient_funds":
        return (name, _currency(step))
    if name == "limit_per_transaction":
        return (name, step.tier.per_transaction_limit_minor)
    if name == "balance_cap":
        return (name, step.cap_minor)
    return None


def _failure_answer(
    step: MoneyStep, name: str, make: Callable[[], DomainError], request_id: str | None
) -> dict[str, Any]:
    key = _answer_key(step, name)
    if key is None:
        error = make()
        return {"status": error.status_code, "body": error.as_body()}
    key = (get_language(), *key)
    answer = _ANSWERS.get(key)
    if answer is None:
        error = make()
        answer = (error.status_code, error.code, str(error.message), error.details)
        if len(_ANSWERS) >= _ANSWERS_MAX:
            _ANSWERS.clear()
        _ANSWERS[key] = answer
    status, code, message, details = answer
    return {"status": status, "body": {"code": code, "message": message, "details": details, "request_id": request_id}}


def money_step_run(step: MoneyStep, request: MoneyRequest | None = None) -> MoneyStepResult:
    """Run the money step in one statement. Without ``request`` (a service call), a refusal is
    raised as its domain error and success returns the written transfer; with one, every outcome
    is returned for the caller to answer (``payments.services.payment_requests``).

    Autocommit or inside a transaction; the outbox relay is woken after commit."""
    document = Jsonb(_document(step, request), dumps=_dumps)
    sql = _PAY_SQL
    params: list[Any] = [document]
    if request is not None:
        # The request's deferred bookkeeping (a token's last-used time) rides in this round trip
        # and this transaction (core.deferred_writes): the payment's result is the first result.
        for extra_sql, extra_params in deferred_writes.take():
            sql = f"{sql}; {extra_sql}"
            params.extend(extra_params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        raw = json.loads(cursor.fetchone()[0])  # Django's psycopg loaders hand jsonb over as text
    outcome = raw["outcome"]
    if outcome == "step_up":  # nothing committed under the key: the client repeats with a challenge
        answer = raw.get("failure") or ""
        if step.risk_gate is not None and answer.startswith("step_up:"):  # the gate's, with its reason
            raise step.risk_gate.error(answer)
        take = step.step_up_take or {}
        amount = Money(int(take["amount"]), str(take["currency"])) if "amount" in take else None
        raise step.step_up_required or StepUpRequired.challenge_invalid(amount)
    if outcome == "done":
        assert step.prepared is not None
        transaction.on_commit(outbox_events_written)
        # A request's answer is the stored body; only a service caller gets the written transfer.
        transfer = step.prepared.written(raw["posted"]) if request is None else None
        return MoneyStepResult(outcome, int(raw.get("status") or 0), raw.get("body") or {}, transfer, raw)
    if outcome == "failed" and request is None:
        raise money_step_refusal(step, raw["failure"], raw.get("details") or {})
    return MoneyStepResult(outcome, int(raw.get("status") or 0), raw.get("body") or {}, None, raw)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
