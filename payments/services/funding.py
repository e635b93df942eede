"""Top-ups from and withdrawals to a linked card, through the bank gateway (``payments.integrations``).

Transaction contract (Healthchecks habit: no network I/O while holding a lock or a transaction):

1. ``topup_create`` / ``withdrawal_create`` run inside the request's durable transaction
   (``idempotent_execute``): the record (and, for a withdrawal, the hold on the wallet) commit
   with the idempotency record. Nothing is sent to the bank yet.
2. After commit, ``topup_submit`` / ``withdrawal_submit`` call the gateway OUTSIDE any
   transaction (the bank deduplicates on our ``reference``, so a re-submit is safe) and apply a
   synchronous answer.
3. The final answer arrives by signed callback (``gateway_callback_process``) or by the poller
   (``funding_poll``); ``*_apply_outcome`` each open their own durable transaction and claim the
   record with ``SELECT ... FOR UPDATE WHERE status IN ('PENDING', 'EXPIRED')``: a duplicate
   callback, a racing poll or a late success after a timeout applies at most once.

A success that cannot be credited to the wallet (the customer or the wallet was frozen or closed
meanwhile, or the credit would pass the KYC balance cap) is booked to SUSPENSE and the top-up marked
``SUSPENSE`` for operations: the bank holds that money, it is never dropped.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import DomainError
from core.money import Money
from core.validators import card_numbers_masked
from payments.errors import AccountClosed, AccountFrozen, BalanceCapExceeded, HoldNotActive, InsufficientFunds
from payments.errors_movements import (
    CardNotFound,
    GatewayAmountMismatch,
    GatewayCallbackMalformed,
    GatewayReferenceUnknown,
    GatewaySignatureInvalid,
    UnsupportedCurrency,
)
from payments.events import TOPIC_TOPUP_COMPLETED, TOPIC_WITHDRAWAL_COMPLETED, transfer_event_publish
from payments.hooks import risk_precheck_enforce
from payments.integrations import (
    GatewayError,
    GatewayOperation,
    GatewayResult,
    GatewayStatus,
    GatewayTimeout,
    bank_gateway,
    callback_parse,
)
from payments.interfaces import PaymentContext
from payments.ledger import (
    Leg,
    account_balance,
    customer_ensure_can_transact,
    hold_authorize,
    hold_capture,
    hold_void,
    system_account,
    transfer_post,
    wallet_get_or_create,
)
from payments.limits import limits_check_incoming_balance, limits_check_outgoing, limits_release_outgoing
from payments.models import GatewayCallbackLog, LedgerAccount, TopUp, Transfer, Withdrawal
from payments.models.funding import FundingStatus
from payments.step_up import StepUpInput, risk_precheck_step_up

if TYPE_CHECKING:
    from accounts.models import Customer, LinkedCard

logger = logging.getLogger(__name__)

__all__ = [
    "FUNDING_CURRENCIES",
    "funding_poll",
    "gateway_callback_process",
    "topup_apply_outcome",
    "topup_create",
    "topup_submit",
    "withdrawal_apply_outcome",
    "withdrawal_create",
    "withdrawal_submit",
]

# Linked cards are mainland bank cards: they settle in CNY.
FUNDING_CURRENCIES = frozenset({"CNY"})
# A withdrawal's hold outlives any plausible bank answer; the poller keeps asking meanwhile.
WITHDRAWAL_HOLD_LIFETIME = timedelta(days=7)
OPEN_STATUSES = (FundingStatus.PENDING, FundingStatus.EXPIRED)


def _reference(prefix: str) -> str:
    return f"{prefix}{timezone.localdate():%Y%m%d}{secrets.token_hex(8).upper()}"


def _card_for(customer: Customer, card_public_id: Any) -> LinkedCard:
    from accounts.selectors import card_get_for_customer

    card = card_get_for_customer(customer=customer, public_id=card_public_id)
    if card is None:
        raise CardNotFound()
    return card


def _check_currency(amount: Money) -> None:
    if amount.currency not in FUNDING_CURRENCIES:
        raise UnsupportedCurrency(details={"supported": sorted(FUNDING_CURRENCIES)})


# --- top-up -------------------------------------------------------------------------------------
def topup_create(*, customer: Customer, card_public_id: Any, amount: Money) -> TopUp:
    """Record a PENDING top-up (inside the caller's transaction); the charge is sent after commit.

    Refuses early what would fail at confirmation: a frozen/closed customer or wallet, a card that
    is not the customer's active card, an unsupported currency, a credit above the balance cap
    (checked against the current balance; re-checked under the lock when the money arrives).
    """
    if not amount.is_positive():
        raise ValueError("amount must be positive")
    _check_currency(amount)
    with transaction.atomic():
        customer_ensure_can_transact(customer)
        card = _card_for(customer, card_public_id)
        wallet = wallet_get_or_create(customer=customer, currency=amount.currency)
        if wallet.status == LedgerAccount.Status.FROZEN:
            raise AccountFrozen()
        if wallet.status == LedgerAccount.Status.CLOSED:
            raise AccountClosed()
        _topup_cap_precheck(customer, wallet, amount)
        risk_precheck_enforce(PaymentContext(customer=customer, kind=Transfer.Kind.TOPUP, amount=amount))
        return TopUp.objects.create(
            reference=_reference("TU"),
            customer=customer,
            card=card,
            wallet=wallet,
            amount_minor=amount.minor,
            currency=amount.currency,
        )


def _topup_cap_precheck(customer: Customer, wallet: LedgerAccount, amount: Money) -> None:
    if amount.currency != "CNY":
        return
    from accounts.models import KycTier

    cap = KycTier.objects.filter(pk=customer.kyc_tier_id or 0).values_list("balance_cap_minor", flat=True).get()
    if account_balance(wallet).posted.minor + amount.minor > cap:
        raise BalanceCapExceeded(details={"cap": Money(cap, "CNY").amount_str()})


_Funding = TypeVar("_Funding", TopUp, Withdrawal)


def _gateway_submit(record: _Funding, operation: GatewayOperation, call: Callable[..., GatewayResult]) -> _Funding:
    """Send a PENDING top-up's charge or withdrawal's payout and apply the synchronous answer. Call
    OUTSIDE any transaction (no lock is held while the bank answers). Safe to repeat: the bank
    deduplicates on the reference. A timeout leaves the record PENDING for the callback or the
    poller (a withdrawal's hold stays); a gateway error leaves it for the poller to resubmit."""
    if record.status not in OPEN_STATUSES:
        return record
    if operation == GatewayOperation.PAYOUT and (blocked := _payout_blocked(record.pk)):
        logger.warning("payout %s not sent: %s", record.reference, blocked)
        withdrawal_apply_outcome(reference=record.reference, status=GatewayStatus.DECLINED, decline_code=blocked)
        return _refreshed(record)
    try:
        result = call(
            card_token=record.card.gateway_token,
            amount=Money(record.amount_minor, record.currency),
            reference=record.reference,
        )
    except GatewayTimeout:
        logger.warning("%s %s: gateway timeout, outcome unknown", operation, record.reference)
        type(record).objects.filter(pk=record.pk).update(last_checked_at=timezone.now())
        return _refreshed(record)
    except GatewayError:
        logger.warning("%s %s: gateway unavailable, the poller will resubmit", operation, record.reference)
        return record
    _apply_sync_result(operation, record.reference, result)
    return _refreshed(record)


def _payout_blocked(withdrawal_id: int) -> str:
    """``"account_frozen"`` / ``"account_closed"`` when the withdrawal's customer or wallet is no
    longer ACTIVE, else ``""``. One plain read (autocommit, no lock): the payout is then sent with
    no lock held. Residual window: a freeze that commits after this read and before the bank
    executes the payout does not stop that payout (milliseconds; docs/ledger.md)."""
    from accounts.models import Customer as CustomerModel

    customer_status, wallet_status = (
        Withdrawal.objects.filter(pk=withdrawal_id).values_list("customer__status", "wallet__status").get()
    )
    if customer_status == CustomerModel.Status.FROZEN or wallet_status == LedgerAccount.Status.FROZEN:
        return AccountFrozen.code
    if customer_status != CustomerModel.Status.ACTIVE or wallet_status != LedgerAccount.Status.ACTIVE:
        return AccountClosed.code
    return ""


def topup_submit(*, topup_id: int) -> TopUp:
    """Send the charge for a PENDING top-up (see ``_gateway_submit``)."""
    topup = TopUp.objects.select_related("card").get(pk=topup_id)
    return _gateway_submit(topup, GatewayOperation.CHARGE, bank_gateway().charge)


def _claim(model: type[TopUp] | type[Withdrawal], pk: int) -> int | None:
    """Lock the record's row only if it is still open (``SELECT ... FOR UPDATE`` with the status in
    the ``WHERE``): a concurrent duplicate blocks, then finds it final and gets None."""
    return (
        model.objects.select_for_update().filter(pk=pk, status__in=OPEN_STATUSES).values_list("pk", flat=True).first()
    )


def _complete(
    record: TopUp | Withdrawal, transfer: Transfer, gateway_ref: str, now: Any, topic: str, **ids: str
) -> None:
    """Inside the outcome's transaction: mark the claimed record COMPLETED with its transfer and
    write its ``*.completed`` outbox event."""
    type(record).objects.filter(pk=record.pk).update(
        status=FundingStatus.COMPLETED,
        transfer=transfer,
        gateway_ref=gateway_ref or record.gateway_ref,
        completed_at=now,
    )
    transfer_event_publish(
        topic=topic,
        transfer=transfer,
        customer=str(record.customer.public_id),
        amount=Money(record.amount_minor, record.currency).as_dict(),
        **ids,
    )


def _outcome_claim(model: type[_Funding], reference: str, amount: Money | None, *related: str) -> _Funding | None:
    """Inside the outcome's transaction: the record by the bank's reference (``GatewayReferenceUnknown``
    if none), the amount the bank states checked against it (``GatewayAmountMismatch``, nothing
    changes), then the row claimed if still open. None when it is already final: a concurrent
    duplicate blocks on the claim and then finds it final (READ COMMITTED re-checks the WHERE)."""
    record = model.objects.select_related(*related).filter(reference=reference).first()
    if record is None:
        raise GatewayReferenceUnknown()
    money = Money(record.amount_minor, record.currency)
    if amount is not None and amount != money:
        raise GatewayAmountMismatch(details={"expected": money.as_dict(), "reported": amount.as_dict()})
    if _claim(model, record.pk) is None:
        return None
    return record


def _refreshed(obj: TopUp | Withdrawal) -> Any:
    obj.refresh_from_db()
    return obj


def _apply_sync_result(operation: GatewayOperation, reference: str, result: GatewayResult) -> None:
    apply = topup_apply_outcome if operation == GatewayOperation.CHARGE else withdrawal_apply_outcome
    if result.status == GatewayStatus.PENDING:
        model = TopUp if operation == GatewayOperation.CHARGE else Withdrawal
        model.objects.filter(reference=reference, gateway_ref="").update(
            gateway_ref=result.gateway_ref, last_checked_at=timezone.now()
        )
        return
    apply(reference=reference, status=result.status, gateway_ref=result.gateway_ref, decline_code=result.decline_code)


def topup_apply_outcome(
    *,
    reference: str,
    status: GatewayStatus,
    gateway_ref: str = "",
    decline_code: str = "",
    amount: Money | None = None,
) -> bool:
    """Apply the bank's final answer to a top-up. True if this call changed it, False if it was
    already final (duplicate). Opens its own durable transaction.

    SUCCEEDED: SETTLEMENT -> wallet (``topup.completed`` event), or SETTLEMENT -> SUSPENSE when
    the wallet cannot take it. DECLINED: FAILED, nothing posted. ``amount``, when the bank states
    one, must equal the top-up's (``GatewayAmountMismatch``, nothing changes).
    """
    if status == GatewayStatus.PENDING:
        return False
    with transaction.atomic(durable=True):
        topup = _outcome_claim(TopUp, reference, amount, "customer", "wallet")
        if topup is None:
            return False
        money = Money(topup.amount_minor, topup.currency)
        now = timezone.now()
        if status == GatewayStatus.DECLINED:
            TopUp.objects.filter(pk=topup.pk).update(
                status=FundingStatus.FAILED,
                failure_code=(decline_code or "declined")[:40],
                gateway_ref=gateway_ref or topup.gateway_ref,
                completed_at=now,
            )
            return True
        settlement = system_account(LedgerAccount.Kind.SETTLEMENT, topup.currency)
        try:
            with transaction.atomic():
                # A customer frozen or closed since the request gets nothing (the wallet row may
                # still be ACTIVE): AccountFrozen/AccountClosed send the money to SUSPENSE below.
                customer_ensure_can_transact(topup.customer)
                transfer = transfer_post(
                    kind=Transfer.Kind.TOPUP,
                    legs=[Leg(settlement, -money), Leg(topup.wallet, money)],
                    reference=topup.reference,
                    memo=f"{topup.card}",
                    metadata={"topup": str(topup.public_id), "gateway_ref": gateway_ref},
                    initiated_by=topup.customer,
                )
                limits_check_incoming_balance(account=topup.wallet)
        except DomainError as error:
            logger.warning("top-up %s cannot be credited (%s): booked to suspense", topup.reference, error.code)
            suspense = system_account(LedgerAccount.Kind.SUSPENSE, topup.currency)
            transfer = transfer_post(
                kind=Transfer.Kind.TOPUP,
                legs=[Leg(settlement, -money), Leg(suspense, money)],
                reference=topup.reference,
                memo="top-up held in suspense",
                metadata={"topup": str(topup.public_id), "gateway_ref": gateway_ref, "reason": error.code},
            )
            TopUp.objects.filter(pk=topup.pk).update(
                status=FundingStatus.SUSPENSE,
                failure_code=error.code[:40],
                transfer=transfer,
                gateway_ref=gateway_ref or topup.gateway_ref,
                completed_at=now,
            )
            return True
        _complete(topup, transfer, gateway_ref, now, TOPIC_TOPUP_COMPLETED, topup_id=str(topup.public_id))
        return True


# --- withdrawal -----------------------------------------------------------------------------------
def withdrawal_create(
    *, customer: Customer, card_public_id: Any, amount: Money, step_up: StepUpInput | None = None
) -> Withdrawal:
    """Place a hold on the wallet and record a PENDING withdrawal (inside the caller's transaction).

    The payment PIN is checked before, outside the transaction. Risk pre-check (with the request's
    ``step_up``: ``payments.step_up``) and KYC limits (reserved) apply; ``InsufficientFunds`` (422)
    if the available balance is short.
    """
    if not amount.is_positive():
        raise ValueError("amount must be positive")
    _check_currency(amount)
    with transaction.atomic():
        customer_ensure_can_transact(customer)
        card = _card_for(customer, card_public_id)
        wallet = wallet_get_or_create(customer=customer, currency=amount.currency)
        risk_precheck_step_up(PaymentContext(customer=customer, kind=Transfer.Kind.WITHDRAWAL, amount=amount), step_up)
        limits_check_outgoing(customer=customer, amount=amount)
        reference = _reference("WD")
        hold = hold_authorize(
            account=wallet,
            amount=amount,
            kind=Transfer.Kind.WITHDRAWAL,
            expires_at=timezone.now() + WITHDRAWAL_HOLD_LIFETIME,
            reference=reference,
        )
        return Withdrawal.objects.create(
            reference=reference,
            customer=customer,
            card=card,
            wallet=wallet,
            hold=hold,
            amount_minor=amount.minor,
            currency=amount.currency,
        )


def withdrawal_submit(*, withdrawal_id: int) -> Withdrawal:
    """Send the payout for a PENDING withdrawal (see ``_gateway_submit``): SUCCEEDED captures the
    hold, DECLINED voids it."""
    withdrawal = Withdrawal.objects.select_related("card").get(pk=withdrawal_id)
    return _gateway_submit(withdrawal, GatewayOperation.PAYOUT, bank_gateway().payout)


def withdrawal_apply_outcome(
    *,
    reference: str,
    status: GatewayStatus,
    gateway_ref: str = "",
    decline_code: str = "",
    amount: Money | None = None,
) -> bool:
    """Apply the bank's final answer to a withdrawal (own durable transaction; at most once).

    SUCCEEDED: capture the hold into SETTLEMENT (``withdrawal.completed``). If the hold is no longer
    active (expired after days without an answer), the wallet is debited directly, or SUSPENSE
    when the wallet cannot cover it. DECLINED: void the hold, give back the KYC limit reservation, FAILED.
    """
    if status == GatewayStatus.PENDING:
        return False
    with transaction.atomic(durable=True):
        withdrawal = _outcome_claim(Withdrawal, reference, amount, "customer", "wallet", "hold")
        if withdrawal is None:
            return False
        money = Money(withdrawal.amount_minor, withdrawal.currency)
        now = timezone.now()
        if status == GatewayStatus.DECLINED:
            Withdrawal.objects.filter(pk=withdrawal.pk).update(
                status=FundingStatus.FAILED,
                failure_code=(decline_code or "declined")[:40],
                gateway_ref=gateway_ref or withdrawal.gateway_ref,
                completed_at=now,
            )
            with contextlib.suppress(HoldNotActive):  # already expired: nothing is held any more
                hold_void(hold=withdrawal.hold, reason="payout declined")
            # The money never left: the day/month allowance it reserved is given back, once (the
            # claim above makes this branch run at most once per withdrawal).
            limits_release_outgoing(customer_id=withdrawal.customer_id, amount=money, reserved_at=withdrawal.created_at)
            return True
        settlement = system_account(LedgerAccount.Kind.SETTLEMENT, withdrawal.currency)
        metadata = {"withdrawal": str(withdrawal.public_id), "gateway_ref": gateway_ref}
        try:
            with transaction.atomic():
                transfer = hold_capture(
                    hold=withdrawal.hold, to_account=settlement, kind=Transfer.Kind.WITHDRAWAL, metadata=metadata
                )
        except HoldNotActive:
            transfer = _withdrawal_post_without_hold(withdrawal, settlement, money, metadata)
        _complete(
            withdrawal, transfer, gateway_ref, now, TOPIC_WITHDRAWAL_COMPLETED, withdrawal_id=str(withdrawal.public_id)
        )
        return True


def _withdrawal_post_without_hold(
    withdrawal: Withdrawal, settlement: LedgerAccount, money: Money, metadata: dict[str, Any]
) -> Transfer:
    try:
        with transaction.atomic():
            return transfer_post(
                kind=Transfer.Kind.WITHDRAWAL,
                legs=[Leg(withdrawal.wallet, -money), Leg(settlement, money)],
                reference=withdrawal.reference,
                metadata=metadata,
                initiated_by=withdrawal.customer,
            )
    except (InsufficientFunds, DomainError) as error:
        logger.error("withdrawal %s paid out late but the wallet cannot cover it: suspense", withdrawal.reference)
        suspense = system_account(LedgerAccount.Kind.SUSPENSE, money.currency)
        return transfer_post(
            kind=Transfer.Kind.WITHDRAWAL,
            legs=[Leg(suspense, -money), Leg(settlement, money)],
            reference=withdrawal.reference,
            metadata={**metadata, "reason": error.code},
        )


# --- callbacks and polling -----------------------------------------------------------------------
def gateway_callback_process(*, body: bytes, signature: str) -> str:
    """Verify, log and apply one bank callback. Returns ``"applied"`` or ``"duplicate"``.

    Raises ``GatewaySignatureInvalid`` (401), ``GatewayCallbackMalformed`` (400),
    ``GatewayReferenceUnknown`` (404), ``GatewayAmountMismatch`` (409). Every call leaves a
    ``GatewayCallbackLog`` row (committed on its own, whatever happens next); card numbers in
    what it stores are masked (anyone can post this endpoint).
    """
    text = card_numbers_masked(body.decode("utf-8", errors="replace")[:4000])
    if not bank_gateway().verify_callback_signature(body=body, signature=signature):
        GatewayCallbackLog.objects.create(outcome=GatewayCallbackLog.Outcome.BAD_SIGNATURE, body=text)
        raise GatewaySignatureInvalid()
    try:
        callback = callback_parse(body)
    except ValueError:
        GatewayCallbackLog.objects.create(outcome=GatewayCallbackLog.Outcome.MALFORMED, body=text)
        raise GatewayCallbackMalformed() from None
    apply = topup_apply_outcome if callback.operation == GatewayOperation.CHARGE else withdrawal_apply_outcome
    log = {"reference": card_numbers_masked(callback.reference), "status": str(callback.status), "body": text}
    try:
        changed = apply(
            reference=callback.reference,
            status=callback.status,
            gateway_ref=callback.gateway_ref,
            decline_code=callback.decline_code,
            amount=callback.amount,
        )
    except GatewayReferenceUnknown:
        GatewayCallbackLog.objects.create(outcome=GatewayCallbackLog.Outcome.UNKNOWN_REFERENCE, **log)
        raise
    except GatewayAmountMismatch:
        GatewayCallbackLog.objects.create(outcome=GatewayCallbackLog.Outcome.MISMATCH, **log)
        raise
    outcome = GatewayCallbackLog.Outcome.APPLIED if changed else GatewayCallbackLog.Outcome.DUPLICATE
    GatewayCallbackLog.objects.create(outcome=outcome, **log)
    return "applied" if changed else "duplicate"


def funding_poll(*, min_age_seconds: int = 30, batch_size: int = 100) -> dict[str, int]:
    """Ask the gateway about open top-ups and withdrawals older than ``min_age_seconds``.

    A final answer is applied; no record at the bank (the charge never left) is re-submitted; a
    top-up without an answer after ``FUNDING_CONFIRM_TIMEOUT_MINUTES`` becomes EXPIRED (a late
    success still credits it). Withdrawals keep their hold until the bank answers. Safe to run
    twice at once: every change is a conditional claim. Call OUTSIDE any transaction.
    """
    now = timezone.now()
    gateway = bank_gateway()
    counts = {"applied": 0, "resubmitted": 0, "expired": 0, "unchanged": 0}
    timeout = now - timedelta(minutes=settings.FUNDING_CONFIRM_TIMEOUT_MINUTES)
    stale = Q(last_checked_at__isnull=True) | Q(last_checked_at__lt=now - timedelta(seconds=min_age_seconds))
    for model, operation in ((TopUp, GatewayOperation.CHARGE), (Withdrawal, GatewayOperation.PAYOUT)):
        open_records = list(
            model.objects.filter(
                stale, status__in=OPEN_STATUSES, created_at__lt=now - timedelta(seconds=min_age_seconds)
            )
            .order_by("created_at")
            .values_list("pk", "reference", "status", "created_at")[:batch_size]
        )
        for pk, reference, status, created_at in open_records:
            try:
                result = gateway.query(reference=reference)
            except GatewayError:
                counts["unchanged"] += 1
                continue
            model.objects.filter(pk=pk).update(last_checked_at=now)
            if result is not None and result.status != GatewayStatus.PENDING:
                try:
                    _apply_sync_result(operation, reference, result)
                    counts["applied"] += 1
                except DomainError as error:
                    logger.error("poll %s: cannot apply %s (%s)", reference, result.status, error.code)
                continue
            if result is None and status == FundingStatus.PENDING and created_at >= timeout:
                submit = topup_submit if model is TopUp else withdrawal_submit
                submit(**{"topup_id" if model is TopUp else "withdrawal_id": pk})
                counts["resubmitted"] += 1
                continue
            if model is TopUp and status == FundingStatus.PENDING and created_at < timeout:
                counts["expired"] += TopUp.objects.filter(pk=pk, status=FundingStatus.PENDING).update(
                    status=FundingStatus.EXPIRED, failure_code="no_answer"
                )
                continue
            counts["unchanged"] += 1
    return counts
