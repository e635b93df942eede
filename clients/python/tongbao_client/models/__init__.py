"""Contains all the data models used in inputs/outputs"""

from .account_number_format import AccountNumberFormat
from .auth_login_input_request import AuthLoginInputRequest
from .auth_otp_request_input_request import AuthOtpRequestInputRequest
from .auth_otp_request_output import AuthOtpRequestOutput
from .auth_passkey_login_input_request import AuthPasskeyLoginInputRequest
from .auth_passkey_login_input_request_credential import AuthPasskeyLoginInputRequestCredential
from .auth_passkey_options_input_request import AuthPasskeyOptionsInputRequest
from .auth_password_change_input_request import AuthPasswordChangeInputRequest
from .auth_password_reset_input_request import AuthPasswordResetInputRequest
from .auth_register_input_request import AuthRegisterInputRequest
from .balance import Balance
from .bill_payment_create_input_request import BillPaymentCreateInputRequest
from .biller_list_output import BillerListOutput
from .biller_page import BillerPage
from .biller_ref import BillerRef
from .branch_output import BranchOutput
from .card_list_input_request import CardListInputRequest
from .card_output import CardOutput
from .card_output_status_enum import CardOutputStatusEnum
from .card_page import CardPage
from .card_type_enum import CardTypeEnum
from .consent_output import ConsentOutput
from .consent_page import ConsentPage
from .consent_text import ConsentText
from .consent_text_page import ConsentTextPage
from .counterparty import Counterparty
from .coupon_claim import CouponClaim
from .coupon_claim_page import CouponClaimPage
from .coupon_claim_status_enum import CouponClaimStatusEnum
from .coupon_redeem_input_request import CouponRedeemInputRequest
from .currency import Currency
from .currency_page import CurrencyPage
from .device_output import DeviceOutput
from .device_page import DevicePage
from .direction_enum import DirectionEnum
from .error import Error
from .funding_card import FundingCard
from .funding_create_input_request import FundingCreateInputRequest
from .funding_output import FundingOutput
from .funding_output_status_enum import FundingOutputStatusEnum
from .fx_conversion_create_input_request import FxConversionCreateInputRequest
from .fx_quote_create_input_request import FxQuoteCreateInputRequest
from .gateway_callback_request import GatewayCallbackRequest
from .gateway_callback_result import GatewayCallbackResult
from .gateway_callback_status_enum import GatewayCallbackStatusEnum
from .history_item import HistoryItem
from .history_page import HistoryPage
from .kyc_tier import KycTier
from .kyc_tier_output import KycTierOutput
from .kyc_tier_page import KycTierPage
from .me_consent_list_input_request import MeConsentListInputRequest
from .me_kyc_input_request import MeKycInputRequest
from .me_kyc_output import MeKycOutput
from .me_otp_output import MeOtpOutput
from .me_output import MeOutput
from .me_passkey_payment_options_input_request import MePasskeyPaymentOptionsInputRequest
from .me_passkey_register_input_request import MePasskeyRegisterInputRequest
from .me_passkey_register_input_request_credential import MePasskeyRegisterInputRequestCredential
from .me_pin_input_request import MePinInputRequest
from .merchant_payment_create_input_request import MerchantPaymentCreateInputRequest
from .merchant_payment_create_output import MerchantPaymentCreateOutput
from .merchant_payment_preview import MerchantPaymentPreview
from .merchant_payment_preview_input_request import MerchantPaymentPreviewInputRequest
from .merchant_qr_image_fmt import MerchantQrImageFmt
from .merchant_ref import MerchantRef
from .merchant_summary import MerchantSummary
from .money import Money
from .offer import Offer
from .offer_page import OfferPage
from .operation_enum import OperationEnum
from .passkey import Passkey
from .passkey_confirmation_request import PasskeyConfirmationRequest
from .passkey_confirmation_request_credential import PasskeyConfirmationRequestCredential
from .passkey_options import PasskeyOptions
from .passkey_options_public_key import PasskeyOptionsPublicKey
from .passkey_page import PasskeyPage
from .patched_me_input_request import PatchedMeInputRequest
from .points import Points
from .points_entry import PointsEntry
from .points_expiring import PointsExpiring
from .purpose_enum import PurposeEnum
from .quote import Quote
from .receipt import Receipt
from .recipient import Recipient
from .refund_list_output import RefundListOutput
from .refund_page import RefundPage
from .risk_challenge_confirm_input_request import RiskChallengeConfirmInputRequest
from .risk_challenge_confirm_output import RiskChallengeConfirmOutput
from .risk_notice import RiskNotice
from .risk_notice_kind_enum import RiskNoticeKindEnum
from .risk_notice_page import RiskNoticePage
from .risk_review import RiskReview
from .risk_review_input_request import RiskReviewInputRequest
from .risk_review_page import RiskReviewPage
from .risk_review_status_enum import RiskReviewStatusEnum
from .spending_category import SpendingCategory
from .spending_output import SpendingOutput
from .token_output import TokenOutput
from .transaction_detail import TransactionDetail
from .transaction_posting import TransactionPosting
from .transactions_export_direction import TransactionsExportDirection
from .transactions_export_kind_item import TransactionsExportKindItem
from .transactions_list_direction import TransactionsListDirection
from .transactions_list_kind_item import TransactionsListKindItem
from .transfer_create_input_request import TransferCreateInputRequest
from .transfer_create_output import TransferCreateOutput
from .type_enum import TypeEnum
from .wallet_output import WalletOutput
from .wallet_page import WalletPage

__all__ = (
    "AccountNumberFormat",
    "AuthLoginInputRequest",
    "AuthOtpRequestInputRequest",
    "AuthOtpRequestOutput",
    "AuthPasskeyLoginInputRequest",
    "AuthPasskeyLoginInputRequestCredential",
    "AuthPasskeyOptionsInputRequest",
    "AuthPasswordChangeInputRequest",
    "AuthPasswordResetInputRequest",
    "AuthRegisterInputRequest",
    "Balance",
    "BillPaymentCreateInputRequest",
    "BillerListOutput",
    "BillerPage",
    "BillerRef",
    "BranchOutput",
    "CardListInputRequest",
    "CardOutput",
    "CardOutputStatusEnum",
    "CardPage",
    "CardTypeEnum",
    "ConsentOutput",
    "ConsentPage",
    "ConsentText",
    "ConsentTextPage",
    "Counterparty",
    "CouponClaim",
    "CouponClaimPage",
    "CouponClaimStatusEnum",
    "CouponRedeemInputRequest",
    "Currency",
    "CurrencyPage",
    "DeviceOutput",
    "DevicePage",
    "DirectionEnum",
    "Error",
    "FundingCard",
    "FundingCreateInputRequest",
    "FundingOutput",
    "FundingOutputStatusEnum",
    "FxConversionCreateInputRequest",
    "FxQuoteCreateInputRequest",
    "GatewayCallbackRequest",
    "GatewayCallbackResult",
    "GatewayCallbackStatusEnum",
    "HistoryItem",
    "HistoryPage",
    "KycTier",
    "KycTierOutput",
    "KycTierPage",
    "MeConsentListInputRequest",
    "MeKycInputRequest",
    "MeKycOutput",
    "MeOtpOutput",
    "MeOutput",
    "MePasskeyPaymentOptionsInputRequest",
    "MePasskeyRegisterInputRequest",
    "MePasskeyRegisterInputRequestCredential",
    "MePinInputRequest",
    "MerchantPaymentCreateInputRequest",
    "MerchantPaymentCreateOutput",
    "MerchantPaymentPreview",
    "MerchantPaymentPreviewInputRequest",
    "MerchantQrImageFmt",
    "MerchantRef",
    "MerchantSummary",
    "Money",
    "Offer",
    "OfferPage",
    "OperationEnum",
    "Passkey",
    "PasskeyConfirmationRequest",
    "PasskeyConfirmationRequestCredential",
    "PasskeyOptions",
    "PasskeyOptionsPublicKey",
    "PasskeyPage",
    "PatchedMeInputRequest",
    "Points",
    "PointsEntry",
    "PointsExpiring",
    "PurposeEnum",
    "Quote",
    "Receipt",
    "Recipient",
    "RefundListOutput",
    "RefundPage",
    "RiskChallengeConfirmInputRequest",
    "RiskChallengeConfirmOutput",
    "RiskNotice",
    "RiskNoticeKindEnum",
    "RiskNoticePage",
    "RiskReview",
    "RiskReviewInputRequest",
    "RiskReviewPage",
    "RiskReviewStatusEnum",
    "SpendingCategory",
    "SpendingOutput",
    "TokenOutput",
    "TransactionDetail",
    "TransactionPosting",
    "TransactionsExportDirection",
    "TransactionsExportKindItem",
    "TransactionsListDirection",
    "TransactionsListKindItem",
    "TransferCreateInputRequest",
    "TransferCreateOutput",
    "TypeEnum",
    "WalletOutput",
    "WalletPage",
)
