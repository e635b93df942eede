"""P2P transfers between customers' wallets.

``transfer_p2p_create`` runs inside the request's durable transaction opened by
``payments.idempotency.idempotent_execute`` (or its own ``transaction.atomic()`` when called alone);
the payment PIN is verified BEFORE, outside any transaction (``accounts.services``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from core.money import Money
from payments.errors import AccountClosed, AccountFrozen, SelfTransfer
from payments.events import TOPIC_TRANSFER_COMPLETED, transfer_event_publish
from payments.hooks import promotions_quote, risk_precheck_enforce
from payments.interfaces import PaymentContext
from payments.ledger import (
    Leg,
    customer_ensure_can_transact,
    customer_statuses_share,
    transfer_post,
    wallets_get_or_create,
)
from payments.limits import limits_check_incoming_balance, limits_check_outgoing
from payments.models import Transfer

if TYPE_CHECKING:
    from accounts.models import Customer

__all__ = ["transfer_p2p_create"]


def _parties_ensure_active(sender: Customer, recipient: Customer) -> None:
    """Both customers ACTIVE, read fresh in one query that takes their rows ``FOR SHARE`` until
    commit (a frozen or closed one neither sends nor receives; a freeze waits for this transfer,
    or this transfer waits for the freeze and sees it: ``customer_ensure_can_transact``)."""
    from accounts.models import Customer as CustomerModel

    statuses = customer_statuses_share([sender.pk, recipient.pk])
    active = CustomerModel.Status.ACTIVE
    if statuses.get(sender.pk) != active:
        customer_ensure_can_transact(sender)  # raises the precise error
    if statuses.get(recipient.pk) == CustomerModel.Status.FROZEN:
        raise AccountFrozen(_("The recipient's account cannot receive money at the moment."))
    if statuses.get(recipient.pk) != active:
        raise AccountClosed(_("The recipient's account is closed."))


def transfer_p2p_create(*, sender: Customer, recipient: Customer, amount: Money, memo: str = "") -> Transfer:
    """Move ``amount`` from the sender's wallet to the recipient's wallet in the same currency.

    In one transaction: both customers active, risk pre-check, promotions quote, KYC limits
    (reserved in the spend counters), the balanced transfer (sender's wallet locked and checked
    under the lock), the recipient's balance cap, and the ``transfer.completed`` outbox event.
    Raises ``SelfTransfer`` (400), ``AccountFrozen``/``AccountClosed`` (403), ``RiskRefused`` (403),
    ``LimitExceeded`` (403), ``InsufficientFunds`` (422), ``BalanceCapExceeded`` (403).
    """
    if recipient.pk == sender.pk:
        raise SelfTransfer()
    if not amount.is_positive():
        raise ValueError("amount must be positive")
    with transaction.atomic():
        _parties_ensure_active(sender, recipient)
        source, destination = wallets_get_or_create(customers=[sender, recipient], currency=amount.currency)

        ctx = PaymentContext(
            customer=sender,
            kind=Transfer.Kind.P2P,
            amount=amount,
            counterparty=recipient,
            counterparty_account=destination,
        )
        risk_precheck_enforce(ctx)
        quote = promotions_quote(ctx)  # P2P carries no discount; benefits (e.g. points) ride on the event
        limits_check_outgoing(customer=sender, amount=amount)

        transfer = transfer_post(
            kind=Transfer.Kind.P2P,
            legs=[Leg(source, -amount), Leg(destination, amount)],
            memo=memo,
            initiated_by=sender,
        )
        limits_check_incoming_balance(account=destination)
        transfer_event_publish(
            topic=TOPIC_TRANSFER_COMPLETED,
            transfer=transfer,
            payer=str(sender.public_id),
            payee=str(recipient.public_id),
            amount=amount.as_dict(),
            benefits=quote.benefits,
        )
        return transfer
