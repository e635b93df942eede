"""Business failures of the payments app: each has a stable ``code`` and a 4xx status (core.errors format)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from core.errors import DomainError

__all__ = [
    "AccountClosed",
    "AccountFrozen",
    "AlreadyReversed",
    "BalanceCapExceeded",
    "CurrencyMismatch",
    "DomainError",
    "HoldAmountInvalid",
    "HoldNotActive",
    "IdempotencyInFlight",
    "IdempotencyKeyInvalid",
    "IdempotencyKeyMissing",
    "IdempotencyKeyReused",
    "InsufficientFunds",
    "InvalidAmount",
    "KycRequired",
    "LimitExceeded",
    "RecipientNotFound",
    "RiskRefused",
    "SelfTransfer",
    "StepUpRequired",
    "TransferNotReversible",
    "UnbalancedTransfer",
    "UnwindExceedsRemaining",
    "WalletNotFound",
]


class InvalidAmount(DomainError):
    code = "invalid_amount"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The amount is not valid.")


class CurrencyMismatch(DomainError):
    code = "currency_mismatch"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The currencies do not match.")


class UnbalancedTransfer(DomainError):
    """A programming error surfaced as a domain error: the legs of a transfer do not sum to zero."""

    code = "unbalanced_transfer"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The transfer does not balance.")


class InsufficientFunds(DomainError):
    code = "insufficient_funds"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_message = _("The available balance is not enough.")


class AccountFrozen(DomainError):
    code = "account_frozen"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This account is frozen. Please contact customer service.")


class AccountClosed(DomainError):
    code = "account_closed"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This account is closed.")


class HoldNotActive(DomainError):
    code = "hold_not_active"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This authorization is no longer active.")


class HoldAmountInvalid(DomainError):
    code = "hold_amount_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The amount must be positive and not more than the authorized amount.")


class AlreadyReversed(DomainError):
    code = "already_reversed"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This transaction has already been reversed.")


class UnwindExceedsRemaining(DomainError):
    """A refund, reversal or clawback would return more of a transfer than is left of it."""

    code = "unwind_exceeds_remaining"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("More of this transaction would be returned than is left of it.")


class TransferNotReversible(DomainError):
    code = "transfer_not_reversible"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This transaction cannot be reversed.")


class IdempotencyKeyMissing(DomainError):
    code = "idempotency_key_missing"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The Idempotency-Key header is required for this request.")


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The Idempotency-Key header must be 1 to 255 printable characters.")


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_message = _("This Idempotency-Key was already used with a different request.")


class IdempotencyInFlight(DomainError):
    code = "idempotency_in_flight"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("A request with this Idempotency-Key is still being processed. Retry shortly.")


class LimitExceeded(DomainError):
    code = "limit_exceeded"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This payment exceeds your limit.")


class KycRequired(DomainError):
    code = "kyc_required"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("Verify your identity to make payments.")


class BalanceCapExceeded(DomainError):
    code = "balance_cap_exceeded"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("The wallet balance would exceed its limit.")


class RiskRefused(DomainError):
    code = "risk_refused"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This payment was declined by our security checks.")


class StepUpRequired(DomainError):
    """The payment needs a second factor (``payments.step_up``). Never stored under the
    Idempotency-Key (``replayable = False``): the client repeats the request with the same key and a
    confirmed ``step_up_challenge``. ``amount`` is what the challenge must be bound to."""

    code = "step_up_required"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("Additional verification is required for this payment.")
    replayable = False
    amount: Any = None  # the payment's Money, set by the service that raised it

    @classmethod
    def challenge_invalid(cls, amount: Any) -> StepUpRequired:
        """The challenge the pre-check accepted could not be used by the money step (it expired or was
        used meanwhile): a new challenge is issued for the same payment."""
        error = cls(
            _("This verification is not valid for this payment. Confirm the payment again with a new code."),
            details={"reason_code": "STEP_UP_CHALLENGE_INVALID"},
        )
        error.amount = amount
        return error


class SelfTransfer(DomainError):
    code = "self_transfer"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("You cannot transfer money to yourself.")


class RecipientNotFound(DomainError):
    code = "recipient_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("Recipient not found.")


class WalletNotFound(DomainError):
    code = "wallet_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("Wallet not found.")
