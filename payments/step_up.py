"""Step-up on the payment path (issue 13; docs/risk.md "Step-up"): what a payment request carries
toward it, what the money step does with the risk pre-check's answer, and the ORM services' form.

The flow: the pre-check (``settings.PAYMENTS_RISK_PRECHECK``) asks for a step-up → nothing is
stored under the Idempotency-Key (``StepUpRequired.replayable`` is False, like a wrong PIN) and the
view asks the issuer (``settings.PAYMENTS_STEP_UP_ISSUE``, risk's) for a challenge bound to this
customer, payment fingerprint (``payment_fingerprint``) and amount → 403 ``step_up_required`` with
``details.challenge_id`` → the app confirms the SMS code (``POST /api/v1/risk/challenges/{id}/confirm``)
→ the client repeats the request with the same key and ``step_up_challenge`` → P2P and merchant
payments: the pre-check's gate inside ``payments_pay`` (``RiskGate``; risk 0006, payments 0017) finds
the confirmed challenge and uses it up in the payment's own statement; bills and withdrawals: the
pre-check sees it (``STEP_UP_CONFIRMED``) and ``payments_step_up_take`` (payments 0014) uses it up in
the payment's transaction. Once either way, rolled back with a later refusal. A passkey that
confirmed the payment satisfies the step-up too (``STEP_UP_PASSKEY``).

Kinds: P2P and merchant payments (one statement, ``payments_pay``), bill payments and withdrawals
(the ORM path, ``risk_precheck_step_up`` in the request's transaction). Top-ups bring money in and
FX moves it between the customer's own wallets: the pre-check never asks them for a step-up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection
from django.utils.translation import get_language
from psycopg.types.json import Jsonb

from core.errors import DomainError
from core.money import Money
from core.request_context import current_request_id
from payments.errors import RiskRefused, StepUpRequired
from payments.hooks import risk_precheck, risk_refusal
from payments.interfaces import STEP_UP_CONFIRMED, STEP_UP_PASSKEY, PaymentContext, RiskDecision

__all__ = [
    "RiskGate",
    "StepUpCheck",
    "StepUpInput",
    "payment_fingerprint",
    "risk_precheck_step_up",
    "step_up_check",
    "step_up_take",
]

_TAKE_SQL = "SELECT payments_step_up_take(%s, %s, now())"


def payment_fingerprint(*, idempotency_key: str, request_fingerprint: str) -> str:
    """What binds a step-up challenge to one payment: the Idempotency-Key and the body's fingerprint
    (``payments.idempotency.request_fingerprint`` without ``pin``, ``passkey`` and
    ``step_up_challenge``, so the repeated request has the same one). 64 hex characters."""
    return hashlib.sha256(f"{idempotency_key}\x00{request_fingerprint}".encode()).hexdigest()


@dataclass(frozen=True)
class StepUpInput:
    """A request's step-up: its payment fingerprint, the confirmed challenge it sends back (or ""),
    ``factor`` "PASSKEY" when a passkey confirmed this payment, and the device it comes from."""

    fingerprint: str
    challenge: str = ""
    factor: str = ""
    device_id: str = ""  # the app's device id of the request's token (``PaymentContext.device_id``)

    def metadata(self) -> dict[str, str]:
        """For ``PaymentContext.metadata`` (what the pre-check reads)."""
        return {
            "payment_fingerprint": self.fingerprint,
            "step_up_challenge": self.challenge,
            "step_up_factor": self.factor,
        }


@dataclass(frozen=True)
class RiskGate:
    """The pre-check left to the money step (``RiskDecision.statement``): ``section`` is the document's
    ``risk``; the statement's answer (``risk:<REASON>`` or ``step_up:<REASON>``) becomes ``error``."""

    section: dict[str, Any]
    answers: Mapping[str, Any]
    amount: Money

    def error(self, answer: str) -> DomainError:
        """``RiskRefused`` or ``StepUpRequired`` (bound to the payment's amount) for an answer."""
        code = answer.partition(":")[2]
        if answer.startswith("step_up:"):
            error = StepUpRequired(str(self.answers[answer]), details={"reason_code": code})
            error.amount = self.amount
            return error
        return RiskRefused(str(self.answers[answer]), details={"reason_code": code})

    def failures(self) -> dict[str, dict[str, Any]]:
        """The stored answer of each refusal the statement may give (``payments_pay``'s ``failures``),
        rendered once per language and set of answers (the request id, the one per-request part,
        is added to each): a payment pays a dictionary lookup."""
        key = (get_language(), id(self.answers))
        cached = _rendered.get(key)
        if cached is None or cached[0] is not self.answers:
            rendered = {}
            for answer in self.answers:
                if answer.startswith("risk:"):
                    error = self.error(answer)
                    rendered[answer] = (error.status_code, error.code, str(error.message), error.details)
            if len(_rendered) >= _RENDERED_MAX:  # a hook handing a new answers object each time
                _rendered.clear()
            cached = _rendered[key] = (self.answers, rendered)
        request_id = current_request_id()
        return {
            answer: {
                "status": status,
                "body": {"code": code, "message": message, "details": details, "request_id": request_id},
            }
            for answer, (status, code, message, details) in cached[1].items()
        }


# (language, id(answers)) -> (answers, rendered): the answers object is kept so its id stays its own.
_rendered: dict[tuple[str | None, int], tuple[Mapping[str, Any], dict[str, tuple[int, str, str, Any]]]] = {}
_RENDERED_MAX = 64


@dataclass(frozen=True)
class StepUpCheck:
    """The pre-check's answer for the money step: ``refused`` (``RiskRefused``, stored like any
    refusal), ``required`` (``StepUpRequired``, never stored) or ``take`` (the document's
    ``step_up``: the challenge to use up, or the passkey), each possibly None; or ``gate``: decided
    by the money step itself (``RiskGate``)."""

    refused: DomainError | None = None
    required: StepUpRequired | None = None
    take: dict[str, Any] | None = field(default=None)
    gate: RiskGate | None = None


def step_up_check(decision: RiskDecision, ctx: PaymentContext, given: StepUpInput | None) -> StepUpCheck:
    """Split the pre-check's decision (``risk_refusal``) for the money step."""
    if decision.statement is not None:
        return StepUpCheck(gate=RiskGate(decision.statement, decision.answers or {}, ctx.amount))
    refusal = risk_refusal(decision)
    if isinstance(refusal, StepUpRequired):
        refusal.amount = ctx.amount
        return StepUpCheck(required=refusal)
    if refusal is not None or given is None:
        return StepUpCheck(refused=refusal)
    if decision.reason_code == STEP_UP_CONFIRMED and given.challenge:
        return StepUpCheck(
            take={
                "challenge": given.challenge,
                "fingerprint": given.fingerprint,
                "amount": ctx.amount.minor,
                "currency": ctx.amount.currency,
            }
        )
    if decision.reason_code == STEP_UP_PASSKEY and given.factor == "PASSKEY":
        return StepUpCheck(take={"factor": "PASSKEY"})
    return StepUpCheck()


def step_up_take(ctx: PaymentContext, take: dict[str, Any] | None) -> None:
    """Use up the step-up in the caller's transaction (the ORM services; ``payments_pay`` does the
    same in its statement). Raises ``StepUpRequired`` when the challenge cannot be used; a later
    refusal rolls the use back with the caller's savepoint."""
    if take is None:
        return
    with connection.cursor() as cursor:
        cursor.execute(_TAKE_SQL, [Jsonb({"step_up": take}), ctx.customer.pk])  # type: ignore[list-item]  # psycopg adapts Jsonb
        failure = cursor.fetchone()[0]
    if failure is not None:
        raise StepUpRequired.challenge_invalid(ctx.amount)


def risk_precheck_step_up(ctx: PaymentContext, given: StepUpInput | None) -> RiskDecision:
    """``risk_precheck_enforce`` with the request's step-up (bill payments, withdrawals): call inside
    the payment's transaction, before any posting. Raises ``RiskRefused`` / ``StepUpRequired``."""
    if given is not None:
        ctx = replace(ctx, device_id=given.device_id, metadata={**ctx.metadata, **given.metadata()})
    decision = risk_precheck(ctx)
    check = step_up_check(decision, ctx, given)
    if check.refused is not None:
        raise check.refused
    if check.required is not None:
        raise check.required
    step_up_take(ctx, check.take)
    return decision
