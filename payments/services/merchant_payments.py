"""Merchant payments by QR code (static: the customer types the amount; dynamic: an order).

``merchant_payment_create`` (the service) and ``merchant_payment_request`` (the API's, with the
Idempotency-Key and the PIN) run the money step as one database statement
(``payments.ledger.money_step``).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.errors import DomainError
from core.money import Money
from payments.errors import CurrencyMismatch
from payments.errors_movements import (
    AmountMismatch,
    AmountRequired,
    FxRateUnavailable,
    MerchantUnavailable,
    PromotionChanged,
    UnsupportedCurrency,
)
from payments.events import TOPIC_PAYMENT_COMPLETED
from payments.hooks import promotions_quote, risk_precheck
from payments.interfaces import PaymentContext, PromotionQuote
from payments.ledger import Leg, account_balance, account_open, wallets_complete
from payments.ledger.money_step import (
    MoneyRequest,
    MoneyStep,
    MoneyStepResult,
    money_step_run,
)
from payments.ledger.transfers import transfer_prepare
from payments.limits import limits_step_input
from payments.models import LedgerAccount, Merchant, MerchantOrder, MerchantPayment, Transfer
from payments.qr import QrInvalid, QrPayload, qr_sign, qr_verify
from payments.selectors_payment import merchant_payment_parties_get
from payments.step_up import StepUpInput, step_up_check

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from accounts.models import Branch, Customer

__all__ = [
    "merchant_create",
    "merchant_ledger_account",
    "merchant_order_create",
    "merchant_order_qr",
    "merchant_payment_create",
    "merchant_payment_request",
    "merchant_static_qr",
]


def merchant_create(
    *, name: str, mcc: str, signing_branch: Branch, signed_by: User | None = None, currencies: list[str] | None = None
) -> Merchant:
    merchant = Merchant.objects.create(
        name=name, mcc=mcc, signing_branch=signing_branch, signed_by=signed_by, currencies=currencies or ["CNY"]
    )
    for currency in merchant.currencies:
        merchant_ledger_account(merchant, currency)
    return merchant


def merchant_ledger_account(merchant: Merchant, currency: str) -> LedgerAccount:
    """The merchant's HOT account in ``currency`` (created on first use)."""
    return account_open(
        kind=LedgerAccount.Kind.MERCHANT,
        currency=currency,
        code=merchant.ledger_account_code(currency),
        name=merchant.name[:200],
        is_hot=True,
    )


def merchant_account_unresolved(merchant: Merchant, currency: str) -> LedgerAccount:
    """The merchant's HOT account in ``currency`` as a payment names it before it exists: unsaved,
    by code; the money step opens it (``payments_pay``) when the payment goes through."""
    return LedgerAccount(
        kind=LedgerAccount.Kind.MERCHANT,
        currency=currency,
        code=merchant.ledger_account_code(currency),
        name=merchant.name[:200],
        is_hot=True,
    )


def merchant_static_qr(merchant: Merchant, currency: str = "CNY") -> str:
    """The payload of the merchant's printed QR code (no amount, no expiry)."""
    return qr_sign(QrPayload(merchant_public_id=merchant.public_id, currency=currency))


def merchant_order_create(
    *, merchant: Merchant, amount: Money, expires_at: datetime, merchant_reference: str = "", description: str = ""
) -> MerchantOrder:
    if not amount.is_positive():
        raise ValueError("amount must be positive")
    if not merchant.accepts(amount.currency):
        raise UnsupportedCurrency()
    return MerchantOrder.objects.create(
        merchant=merchant,
        amount_minor=amount.minor,
        currency=amount.currency,
        expires_at=expires_at,
        merchant_reference=merchant_reference,
        description=description,
    )


def merchant_order_qr(order: MerchantOrder) -> str:
    return qr_sign(
        QrPayload(
            merchant_public_id=order.merchant.public_id,
            currency=order.currency,
            order_public_id=order.public_id,
            amount=Money(order.amount_minor, order.currency),
            expires_at=int(order.expires_at.timestamp()),
        )
    )


def _usable_discount(quote: PromotionQuote, amount: Money) -> tuple[Money, LedgerAccount] | None:
    """The quote's instant discount if it is funded: a budget account, same currency, less than
    the amount, and (checked now; the ledger re-checks under the lock) enough budget left."""
    if quote.discount is None or not quote.budget_account_code:
        return None
    discount = quote.discount
    if discount.currency != amount.currency or not discount.is_positive() or discount >= amount:
        return None
    budget = LedgerAccount.objects.filter(
        code=quote.budget_account_code,
        kind=LedgerAccount.Kind.CAMPAIGN_BUDGET,
        currency=amount.currency,
        status=LedgerAccount.Status.ACTIVE,
    ).first()
    if budget is None or account_balance(budget).available < discount:
        return None
    return discount, budget


def _funding_legs(
    quote: PromotionQuote, amount: Money, merchant_account: LedgerAccount
) -> tuple[Money, list[Leg], list[dict[str, Any]]] | None:
    """The legs of a quote with ``funding`` (several budgets, a co-funding merchant): the discount,
    one debit per funder (a budget named by the id the quote read; the merchant's share from the
    merchant's own account, in the same transfer) and the funding as the transfer records it. The
    database checks every budget under its lock (``payments_promotions_take``, then the ledger)."""
    if quote.discount is None or not quote.funding:
        return None
    discount = quote.discount
    if discount.currency != amount.currency or not discount.is_positive() or discount >= amount:
        return None
    if sum(f.amount.minor for f in quote.funding) != discount.minor:
        return None
    legs: list[Leg] = []
    recorded: list[dict[str, Any]] = []
    for funder in quote.funding:
        if funder.merchant:
            account = merchant_account
        else:
            account = LedgerAccount(
                pk=funder.account_id,
                code=funder.account_code,
                kind=LedgerAccount.Kind.CAMPAIGN_BUDGET,
                currency=amount.currency,
                is_hot=True,
            )
            account._state.adding = False
        legs.append(Leg(account, -funder.amount))
        recorded.append({"account": account.code, "amount": funder.amount.minor, "merchant": funder.merchant})
    return discount, legs, recorded


def _merchant_step(
    *,
    customer: Customer,
    qr: object,
    amount: Money | None,
    currency: str | None,
    coupon: str | None = None,
    step_up: StepUpInput | None = None,
) -> MoneyStep:
    """The money step of a merchant payment, or a ``DomainError`` for a QR code refused before any
    money (forged or altered, expired, unknown or closed merchant, currency, amount).

    Reads the merchant, its account and the payer's wallet in one query; the risk pre-check and
    the promotions quote run on what was read; the database then claims the order of a dynamic QR
    (at most once), checks the payer under lock, reserves the limits, writes the transfer (an
    instant discount debits the campaign budget in the same transfer), the ``MerchantPayment`` row
    and the ``payment.completed`` event."""
    payload = qr_verify(qr)
    if currency is not None and currency != payload.currency:
        raise CurrencyMismatch()
    if amount is not None and amount.currency != payload.currency:
        raise CurrencyMismatch()
    parties = merchant_payment_parties_get(
        customer=customer, merchant_public_id=payload.merchant_public_id, currency=payload.currency
    )
    merchant = parties.merchant
    if merchant is None:
        raise QrInvalid()
    if merchant.status != Merchant.Status.ACTIVE or not merchant.accepts(payload.currency):
        raise MerchantUnavailable()
    order_public_id = None
    if payload.is_dynamic:
        assert payload.amount is not None
        if amount is not None and amount != payload.amount:
            raise AmountMismatch(details={"order_amount": payload.amount.as_dict()})
        amount = payload.amount
        order_public_id = str(payload.order_public_id)
    elif amount is None:
        raise AmountRequired()
    # Unread accounts (not opened yet) are resolved, and opened, by the money step: nothing is
    # written before the PIN and the checks.
    merchant_account = parties.merchant_account or merchant_account_unresolved(merchant, amount.currency)
    (wallet,) = wallets_complete(customers=[customer], currency=amount.currency, found=[parties.wallet])
    ctx = PaymentContext(
        customer=customer,
        kind=Transfer.Kind.MERCHANT_PAYMENT,
        amount=amount,
        counterparty_account=merchant_account,
        merchant_id=str(merchant.public_id),
        device_id=step_up.device_id if step_up else "",
        metadata={
            "mcc": merchant.mcc,
            "order": order_public_id,
            "merchant_pk": merchant.pk,
            "coupon": coupon,
            **(step_up.metadata() if step_up else {}),
        },
        in_statement=True,  # the pre-check may leave its decision to the money step
    )
    check = step_up_check(risk_precheck(ctx), ctx, step_up)
    refused: DomainError | None = check.refused
    quote = promotions_quote(ctx)
    funded = _funding_legs(quote, amount, merchant_account)
    discount = None if funded else _usable_discount(quote, amount)
    if funded:
        discount_minor = funded[0].minor
        discount_account = next((leg.account.pk for leg in funded[1] if leg.account is not merchant_account), None)
    else:
        discount_minor = discount[0].minor if discount else 0
        discount_account = discount[1].pk if discount else None
    customer_pays = amount - Money(discount_minor, amount.currency)
    limits = None
    if refused is None:
        try:
            limits = limits_step_input(customer=customer, amount=customer_pays)
        except FxRateUnavailable as exc:
            refused = exc
    legs = [Leg(wallet, -customer_pays), Leg(merchant_account, amount)]
    metadata: dict[str, Any] = {"merchant": str(merchant.public_id), "mcc": merchant.mcc, "order": order_public_id}
    if discount:
        legs.append(Leg(discount[1], -discount[0]))
    if funded:  # who paid the discount and why: the record refunds and the payment's detail read
        legs += funded[1]
        metadata["funding"] = funded[2]
    if quote.benefits:
        metadata["benefits"] = quote.benefits
    prepared = transfer_prepare(
        kind=Transfer.Kind.MERCHANT_PAYMENT,
        legs=legs,
        reference=f"MP{secrets.token_hex(8).upper()}",
        memo=merchant.name[:200],
        metadata=metadata,
        initiated_by=customer,
    )
    payment_public_id = uuid.uuid4()
    step = MoneyStep(
        payer=customer,
        prepared=prepared,
        event_topic=TOPIC_PAYMENT_COMPLETED,
        event_extra={
            "payment_type": "MERCHANT",
            "payment_id": str(payment_public_id),
            "customer": str(customer.public_id),
            "merchant": str(merchant.public_id),
            "mcc": merchant.mcc,
            "amount": amount.as_dict(),
            "paid_by_customer": customer_pays.as_dict(),
            "discount": Money(discount_minor, amount.currency).as_dict() if discount_minor else None,
            "benefits": quote.benefits,
        },
        tier=customer.kyc_tier,
        limits=limits,
        merchant_payment={
            "public_id": str(payment_public_id),
            "merchant": merchant.pk,
            "wallet": wallet.pk,
            "wallet_code": wallet.code,
            "amount": amount.minor,
            "currency": amount.currency,
            "discount": discount_minor,
            "discount_account": discount_account,
        },
        refused_after_status=refused,
        step_up_required=check.required,
        step_up_take=check.take,
        risk_gate=check.gate,
        promotions=quote.take if funded or (quote.take and not quote.take.get("items")) else None,
    )
    if payload.is_dynamic:
        step.claim_order = {
            "public_id": order_public_id,
            "merchant": merchant.pk,
            "amount": amount.minor,
            "currency": amount.currency,
        }
    step.merchant = merchant  # type: ignore[attr-defined]  # for the answer
    return step


def _payment_written(step: MoneyStep, result: MoneyStepResult) -> MerchantPayment:
    """The ``MerchantPayment`` the money step wrote, built from what the step sent and returned
    (its id, the order it claimed): no read after the write."""
    mp = step.merchant_payment or {}
    assert result.transfer is not None
    payment = MerchantPayment(
        pk=int(result.raw["payment_id"]),
        public_id=uuid.UUID(mp["public_id"]),
        customer=step.payer,
        merchant=step.merchant,  # type: ignore[attr-defined]
        order_id=result.raw.get("order_id"),
        wallet_id=step.prepared.legs[0].account.pk if step.prepared is not None else mp["wallet"],
        transfer=result.transfer,
        amount_minor=mp["amount"],
        discount_minor=mp["discount"],
        discount_account_id=mp["discount_account"],
        currency=mp["currency"],
        created_at=result.transfer.created_at,
    )
    payment._state.adding = False
    payment._state.db = "default"
    return payment


# A payment whose instant benefit was taken by another payment meanwhile is quoted again this many
# times in all (the database waited for the other payment, so the new quote sees what it took).
PROMOTION_ATTEMPTS = 3


def merchant_payment_create(
    *, customer: Customer, qr: object, amount: Money | None, currency: str | None = None, coupon: str | None = None
) -> MerchantPayment:
    """Pay the merchant of a scanned QR code (the service; the API uses ``merchant_payment_request``).

    Static QR: ``amount`` required (``AmountRequired``). Dynamic QR: ``amount`` may be None, else
    it must equal the order's (``AmountMismatch``); the order is claimed at most once
    (``OrderAlreadyPaid`` 409). Forged/altered → ``QrInvalid``, past expiry → ``QrExpired`` (400).
    Then, in one statement (``payments_pay``): the order claimed, the payer checked under lock,
    KYC limits on what the customer pays, the transfer (wallet debited under its lock, merchant's
    hot account credited without a lock, an instant discount from a campaign budget), the
    ``MerchantPayment`` row and the ``payment.completed`` event. Autocommit or inside a transaction.

    ``coupon``: the public id of the customer's coupon to apply (``CouponNotApplicable`` 400 when it
    cannot be). An instant benefit taken by another payment between the quote and the statement
    (``PromotionChanged``): nothing moved, quoted again (``PROMOTION_ATTEMPTS``), so what the customer
    pays is always what the answer says.
    """
    for attempt in range(PROMOTION_ATTEMPTS):
        step = _merchant_step(customer=customer, qr=qr, amount=amount, currency=currency, coupon=coupon)
        if step.refused_after_status is not None:
            raise step.refused_after_status
        if step.step_up_required is not None:
            raise step.step_up_required
        try:
            result = money_step_run(step)
        except PromotionChanged:
            if attempt + 1 == PROMOTION_ATTEMPTS:
                raise
            continue
        assert result.transfer is not None
        return _payment_written(step, result)
    raise AssertionError("unreachable")


def merchant_payment_request(
    *,
    customer: Customer,
    qr: object,
    amount: Money | None,
    currency: str | None,
    request: MoneyRequest,
    render: Callable[[Transfer, MerchantPayment], tuple[int, dict[str, Any]]],
    coupon: str | None = None,
) -> MoneyStepResult:
    """The API's merchant payment: ``merchant_payment_create``'s step with the request's
    Idempotency-Key and PIN in one statement. A QR code refused before any money is a refusal stored
    under the key (after the PIN), as before. An instant benefit taken meanwhile: quoted again
    (``PROMOTION_ATTEMPTS``); after the last, ``PromotionChanged`` (409) is raised and nothing is
    stored under the key (the same request may be sent again)."""
    for _attempt in range(PROMOTION_ATTEMPTS):
        result = _merchant_request_once(
            customer=customer, qr=qr, amount=amount, currency=currency, request=request, render=render, coupon=coupon
        )
        if result.outcome != "failed" or result.raw.get("failure") != "promotion_changed":
            return result
        request.refused_early = None
    raise PromotionChanged()


def _merchant_request_once(
    *,
    customer: Customer,
    qr: object,
    amount: Money | None,
    currency: str | None,
    request: MoneyRequest,
    render: Callable[[Transfer, MerchantPayment], tuple[int, dict[str, Any]]],
    coupon: str | None,
) -> MoneyStepResult:
    try:
        step = _merchant_step(
            customer=customer, qr=qr, amount=amount, currency=currency, coupon=coupon, step_up=request.step_up
        )
    except DomainError as exc:
        request.refused_early = exc
        return money_step_run(MoneyStep.refusal_only(payer=customer, tier=customer.kyc_tier), request)
    merchant: Merchant = step.merchant  # type: ignore[attr-defined]
    mp = step.merchant_payment or {}
    assert step.prepared is not None
    transfer = step.prepared.transfer
    payment = MerchantPayment(
        public_id=uuid.UUID(mp["public_id"]),
        customer=customer,
        merchant=merchant,
        amount_minor=mp["amount"],
        discount_minor=mp["discount"],
        currency=mp["currency"],
        created_at=transfer.created_at,
    )
    request.render = lambda transfer: render(transfer, payment)
    return money_step_run(step, request)
