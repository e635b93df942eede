"""P2P transfers between customers' wallets.

``transfer_p2p_create`` is the service (other services, tests, the bench): the money step runs as
one database statement (``payments.ledger.money_step``), inside the caller's transaction if there
is one. ``transfer_p2p_request`` is the API's: the same step with the Idempotency-Key and the
payment PIN checked by the same statement, so a request is one read and one write round trip.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from core.errors import DomainError
from core.money import Money
from payments.errors import CurrencyMismatch, RecipientNotFound, SelfTransfer
from payments.errors_movements import FxRateUnavailable
from payments.events import TOPIC_TRANSFER_COMPLETED
from payments.hooks import promotions_quote, risk_precheck
from payments.interfaces import PaymentContext
from payments.ledger import Leg, wallet_unresolved, wallets_complete
from payments.ledger.money_step import MoneyRequest, MoneyStep, MoneyStepResult, money_step_run
from payments.ledger.transfers import transfer_prepare
from payments.limits import balance_cap_rate, limits_step_input
from payments.models import LedgerAccount, Transfer
from payments.selectors_payment import p2p_parties_get
from payments.step_up import StepUpInput, step_up_check

if TYPE_CHECKING:
    from accounts.models import Customer

__all__ = ["transfer_p2p_create", "transfer_p2p_request"]


def _p2p_step(
    *,
    sender: Customer,
    recipient: Customer,
    amount: Money,
    memo: str,
    source: LedgerAccount,
    destination: LedgerAccount,
    raise_refusals: bool,
    step_up: StepUpInput | None = None,
) -> MoneyStep:
    """The money step of a P2P transfer. The risk pre-check and the promotions quote run first, on
    what was read (they must not write); the database then re-checks both customers under lock.
    With ``raise_refusals`` a refusal found here is raised, else it rides in the step to be stored
    as the request's idempotent answer (a step-up, never stored, is raised by the money step after
    the PIN; a confirmed challenge is used up there: ``payments.step_up``)."""
    ctx = PaymentContext(
        customer=sender,
        kind=Transfer.Kind.P2P,
        amount=amount,
        counterparty=recipient,
        counterparty_account=destination,
        device_id=step_up.device_id if step_up is not None else "",
        metadata=step_up.metadata() if step_up is not None else {},
        in_statement=True,  # the pre-check may leave its decision to the money step
    )
    check = step_up_check(risk_precheck(ctx), ctx, step_up)
    refused: DomainError | None = check.refused
    if check.required is not None and raise_refusals:
        raise check.required
    quote = promotions_quote(ctx)  # P2P carries no discount; benefits (e.g. points) ride on the event
    limits: dict[str, Any] | None = None
    cap_rate = None
    try:
        if refused is None:
            limits = limits_step_input(customer=sender, amount=amount)
            if limits["per_transaction"]:  # a tier without limits is refused before any rate is read
                cap_rate = balance_cap_rate(amount.currency)
    except FxRateUnavailable as exc:
        refused = exc
    if refused is not None and raise_refusals:
        raise refused
    prepared = transfer_prepare(
        kind=Transfer.Kind.P2P, legs=[Leg(source, -amount), Leg(destination, amount)], memo=memo, initiated_by=sender
    )
    return MoneyStep(
        payer=sender,
        prepared=prepared,
        event_topic=TOPIC_TRANSFER_COMPLETED,
        event_extra={
            "payer": str(sender.public_id),
            "payee": str(recipient.public_id),
            "amount": amount.as_dict(),
            "benefits": quote.benefits,
        },
        tier=sender.kyc_tier,
        recipient=recipient,
        limits=limits,
        cap_account=destination,
        cap_minor=recipient.kyc_tier.balance_cap_minor,
        cap_rate=cap_rate,
        refused_after_status=refused,
        step_up_required=check.required,
        step_up_take=check.take,
        risk_gate=check.gate,
    )


def transfer_p2p_create(*, sender: Customer, recipient: Customer, amount: Money, memo: str = "") -> Transfer:
    """Move ``amount`` from the sender's wallet to the recipient's wallet in the same currency.

    In one statement (``payments_pay``): both customers locked and active, KYC limits (reserved in
    the spend counters), the balanced transfer (sender's wallet locked and checked under the lock),
    the recipient's balance cap, and the ``transfer.completed`` outbox event. The risk pre-check and
    the promotions quote run just before, on what was read.
    Raises ``SelfTransfer`` (400), ``AccountFrozen``/``AccountClosed`` (403), ``RiskRefused`` (403),
    ``LimitExceeded`` (403), ``InsufficientFunds`` (422), ``BalanceCapExceeded`` (403).
    """
    if recipient.pk == sender.pk:
        raise SelfTransfer()
    if not amount.is_positive():
        raise ValueError("amount must be positive")
    # Both wallets by code, unread: the money step resolves them under its locks (opening one the
    # first time it is used), so the service reads nothing before its one statement.
    step = _p2p_step(
        sender=sender,
        recipient=recipient,
        amount=amount,
        memo=memo,
        source=wallet_unresolved(customer=sender, currency=amount.currency),
        destination=wallet_unresolved(customer=recipient, currency=amount.currency),
        raise_refusals=True,
    )
    result = money_step_run(step)
    assert result.transfer is not None
    return result.transfer


def transfer_p2p_request(
    *,
    sender: Customer,
    amount: Money,
    memo: str,
    request: MoneyRequest,
    render: Callable[[Transfer, Customer], tuple[int, dict[str, Any]]],
    to_phone: str | None = None,
    to_wallet_id: uuid.UUID | None = None,
) -> MoneyStepResult:
    """The API's P2P transfer: one read (recipient and both wallets, ``p2p_parties_get``), then
    ``transfer_p2p_create``'s step with the request's Idempotency-Key and PIN in one statement.
    An unknown recipient, a wallet in another currency or the sender themself is a refusal stored
    under the key after the PIN, as before. A wallet not opened yet is opened by the money step."""
    parties = p2p_parties_get(sender=sender, currency=amount.currency, to_phone=to_phone, to_wallet_id=to_wallet_id)
    recipient = parties.recipient
    if recipient is None:
        request.refused_early = RecipientNotFound()
    elif parties.currency_mismatch:
        request.refused_early = CurrencyMismatch(_("The recipient's wallet holds another currency."))
    elif recipient.pk == sender.pk:
        request.refused_early = SelfTransfer()
    if request.refused_early is not None:
        recipient = sender  # nothing moves: only the sender is locked and the refusal stored
    assert recipient is not None
    wallets = parties.wallets if request.refused_early is None else (None, None)
    source, destination = wallets_complete(customers=[sender, recipient], currency=amount.currency, found=wallets)
    step = _p2p_step(
        sender=sender,
        recipient=recipient,
        amount=amount,
        memo=memo,
        source=source,
        destination=destination,
        raise_refusals=False,
        step_up=request.step_up,
    )
    if request.refused_early is not None:
        step.recipient = None
        step.cap_account = None
    target = recipient
    request.render = lambda transfer: render(transfer, target)
    request.balance_leg = 0
    return money_step_run(step, request)
