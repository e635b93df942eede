"""Business failures of the money movements (top-ups, withdrawals, QR payments, bills, refunds, FX,
adjustments). Each has a stable ``code`` and a 4xx status; the ledger's own errors are in ``payments.errors``.
QR and biller-account errors live next to their checks (``payments.qr``, ``payments.billers``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import status

from core.errors import DomainError


class CardNotFound(DomainError):
    code = "card_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("Linked card not found.")


class UnsupportedCurrency(DomainError):
    code = "unsupported_currency"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("This currency is not supported here.")


class TopUpNotFound(DomainError):
    code = "topup_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("Top-up not found.")


class WithdrawalNotFound(DomainError):
    code = "withdrawal_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("Withdrawal not found.")


class GatewaySignatureInvalid(DomainError):
    code = "gateway_signature_invalid"
    status_code = status.HTTP_401_UNAUTHORIZED
    default_message = _("The callback signature is missing or wrong.")


class GatewayCallbackMalformed(DomainError):
    code = "gateway_callback_malformed"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The callback body is malformed.")


class GatewayReferenceUnknown(DomainError):
    code = "gateway_reference_unknown"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("No operation has this reference.")


class GatewayAmountMismatch(DomainError):
    code = "gateway_amount_mismatch"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("The reported amount or currency differs from the operation.")


class MerchantUnavailable(DomainError):
    code = "merchant_unavailable"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This merchant cannot accept payments at the moment.")


class AmountRequired(DomainError):
    code = "amount_required"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Enter the amount to pay.")


class AmountMismatch(DomainError):
    code = "amount_mismatch"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The amount differs from the amount of this order.")


class OrderAlreadyPaid(DomainError):
    code = "order_already_paid"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This order has already been paid.")


class OrderCancelled(DomainError):
    code = "order_cancelled"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This order was cancelled by the merchant.")


class BillerNotFound(DomainError):
    code = "biller_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("Biller not found.")


class BillerUnavailable(DomainError):
    code = "biller_unavailable"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This biller does not accept payments at the moment.")


class BillAmountOutOfRange(DomainError):
    code = "bill_amount_out_of_range"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("The amount is outside what this biller accepts.")


class BillPaymentNotFound(DomainError):
    code = "bill_payment_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("Bill payment not found.")


class RefundNotAllowed(DomainError):
    code = "refund_not_allowed"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Only merchant and bill payments can be refunded.")


class RefundExceedsPayment(DomainError):
    code = "refund_exceeds_payment"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("The refund is more than what is left to refund of this payment.")


class ReasonRequired(DomainError):
    code = "reason_required"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("A reason is required.")


class SameCurrency(DomainError):
    code = "same_currency"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Choose two different currencies.")


class FxRateUnavailable(DomainError):
    code = "fx_rate_unavailable"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("No exchange rate is available for this currency pair.")


class QuoteNotFound(DomainError):
    code = "quote_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("Quote not found.")


class QuoteExpired(DomainError):
    code = "quote_expired"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("This quote has expired. Ask for a new quote.")


class QuoteAlreadyUsed(DomainError):
    code = "quote_already_used"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This quote has already been used.")


class AdjustmentInvalid(DomainError):
    code = "adjustment_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("This adjustment request is not valid.")


class AdjustmentNotPending(DomainError):
    code = "adjustment_not_pending"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("This adjustment request has already been decided or has expired.")


class MakerCannotApprove(DomainError):
    code = "maker_cannot_approve"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("A different staff member must approve this request (dual control).")


class ApprovalPermissionRequired(DomainError):
    code = "approval_permission_required"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("You do not have the permission to approve adjustments.")


class InvalidMonth(DomainError):
    code = "invalid_month"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Give the month as YYYY-MM.")


class StatementNotFound(DomainError):
    code = "statement_not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_message = _("There is no statement for this month.")


class AdjustmentOutOfScope(DomainError):
    code = "adjustment_out_of_scope"
    status_code = status.HTTP_403_FORBIDDEN
    default_message = _("This account or transaction belongs to a customer outside your branch.")


class AdjustmentAlreadyOpen(DomainError):
    code = "adjustment_already_open"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("A request for this transaction is already waiting for approval.")


class PaymentPinRequired(DomainError):
    """A passkey confirmed the payment, but the customer's KYC tier does not let a passkey replace
    the payment PIN (``KycTier.passkey_replaces_pin``): the PIN is needed as well."""

    code = "pin_required"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("Enter your payment PIN as well: your account level does not let a passkey replace it.")


class PasskeyNotAccepted(DomainError):
    """A passkey was sent to an endpoint that takes only the payment PIN."""

    code = "passkey_not_accepted"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("This operation is confirmed with the payment PIN only.")


class PromotionChanged(DomainError):
    """An instant benefit quoted for the payment was taken by another payment (budget spent, quota
    reached, coupon used, campaign paused) before this one committed. Nothing moved; the payment
    services re-quote and retry by themselves, so a caller sees this only after several races."""

    code = "promotion_changed"
    status_code = status.HTTP_409_CONFLICT
    default_message = _("An offer changed while you were paying. Nothing was charged; please try again.")


class CouponNotApplicable(DomainError):
    """The coupon the payment names cannot be used for it (``details.reason``: ``unavailable`` when it
    is not the customer's, unknown, used, expired or its campaign is not running; ``below_min_amount``,
    ``outside_window``, ``merchant``, ``merchant_category``, ``stacking_exclusive`` ...). Nothing moved."""

    code = "coupon_not_applicable"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("This coupon cannot be used for this payment.")
