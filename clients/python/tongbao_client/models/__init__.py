"""Contains all the data models used in inputs/outputs"""

from .account_number_format import AccountNumberFormat
from .article import Article
from .article_kind_enum import ArticleKindEnum
from .article_page import ArticlePage
from .articles_list_kind import ArticlesListKind
from .auth_login_input_request import AuthLoginInputRequest
from .auth_otp_request_input_request import AuthOtpRequestInputRequest
from .auth_otp_request_output import AuthOtpRequestOutput
from .auth_passkey_login_input_request import AuthPasskeyLoginInputRequest
from .auth_passkey_login_input_request_credential import AuthPasskeyLoginInputRequestCredential
from .auth_passkey_options_input_request import AuthPasskeyOptionsInputRequest
from .auth_password_change_input_request import AuthPasswordChangeInputRequest
from .auth_password_reset_input_request import AuthPasswordResetInputRequest
from .auth_register_input_request import AuthRegisterInputRequest
from .author_enum import AuthorEnum
from .balance import Balance
from .bank_product import BankProduct
from .bank_product_category_enum import BankProductCategoryEnum
from .bank_product_page import BankProductPage
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
from .feedback import Feedback
from .feedback_attachment import FeedbackAttachment
from .feedback_category_enum import FeedbackCategoryEnum
from .feedback_create_input_request import FeedbackCreateInputRequest
from .feedback_page import FeedbackPage
from .for_enum import ForEnum
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
from .inbox_item import InboxItem
from .inbox_item_kind_enum import InboxItemKindEnum
from .inbox_page import InboxPage
from .inbox_unread_count import InboxUnreadCount
from .kyc_tier import KycTier
from .kyc_tier_output import KycTierOutput
from .kyc_tier_page import KycTierPage
from .lottery_draw_public import LotteryDrawPublic
from .lottery_draw_public_status_enum import LotteryDrawPublicStatusEnum
from .lottery_entry import LotteryEntry
from .lottery_entry_page import LotteryEntryPage
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
from .outcome_enum import OutcomeEnum
from .passkey import Passkey
from .passkey_confirmation_request import PasskeyConfirmationRequest
from .passkey_confirmation_request_credential import PasskeyConfirmationRequestCredential
from .passkey_options import PasskeyOptions
from .passkey_options_public_key import PasskeyOptionsPublicKey
from .passkey_page import PasskeyPage
from .patched_me_input_request import PatchedMeInputRequest
from .payment_benefit import PaymentBenefit
from .payment_benefit_status_enum import PaymentBenefitStatusEnum
from .points import Points
from .points_entry import PointsEntry
from .points_expiring import PointsExpiring
from .points_offer import PointsOffer
from .points_offer_page import PointsOfferPage
from .points_offer_redeem_input_request import PointsOfferRedeemInputRequest
from .points_offer_redemption import PointsOfferRedemption
from .points_redeem_input_request import PointsRedeemInputRequest
from .points_redemption import PointsRedemption
from .priority_enum import PriorityEnum
from .product_lead import ProductLead
from .product_lead_input_request import ProductLeadInputRequest
from .product_lead_kind_enum import ProductLeadKindEnum
from .product_lead_page import ProductLeadPage
from .product_lead_status_enum import ProductLeadStatusEnum
from .products_list_category import ProductsListCategory
from .purpose_enum import PurposeEnum
from .quote import Quote
from .receipt import Receipt
from .recipient import Recipient
from .referee import Referee
from .referee_page import RefereePage
from .referee_status_enum import RefereeStatusEnum
from .referral import Referral
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
from .survey_answer import SurveyAnswer
from .survey_answer_input_request import SurveyAnswerInputRequest
from .survey_invitation import SurveyInvitation
from .survey_invitation_page import SurveyInvitationPage
from .survey_kind_enum import SurveyKindEnum
from .ticket import Ticket
from .ticket_message import TicketMessage
from .ticket_message_input_request import TicketMessageInputRequest
from .ticket_page import TicketPage
from .ticket_rating_input_request import TicketRatingInputRequest
from .ticket_status_enum import TicketStatusEnum
from .ticket_summary import TicketSummary
from .token_output import TokenOutput
from .transaction_detail import TransactionDetail
from .transaction_posting import TransactionPosting
from .transactions_export_direction import TransactionsExportDirection
from .transactions_export_kind_item import TransactionsExportKindItem
from .transactions_list_direction import TransactionsListDirection
from .transactions_list_kind_item import TransactionsListKindItem
from .transfer_create_input_request import TransferCreateInputRequest
from .transfer_create_output import TransferCreateOutput
from .trigger_enum import TriggerEnum
from .type_enum import TypeEnum
from .wallet_output import WalletOutput
from .wallet_page import WalletPage

__all__ = (
    "AccountNumberFormat",
    "Article",
    "ArticleKindEnum",
    "ArticlePage",
    "ArticlesListKind",
    "AuthLoginInputRequest",
    "AuthOtpRequestInputRequest",
    "AuthOtpRequestOutput",
    "AuthPasskeyLoginInputRequest",
    "AuthPasskeyLoginInputRequestCredential",
    "AuthPasskeyOptionsInputRequest",
    "AuthPasswordChangeInputRequest",
    "AuthPasswordResetInputRequest",
    "AuthRegisterInputRequest",
    "AuthorEnum",
    "Balance",
    "BankProduct",
    "BankProductCategoryEnum",
    "BankProductPage",
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
    "Feedback",
    "FeedbackAttachment",
    "FeedbackCategoryEnum",
    "FeedbackCreateInputRequest",
    "FeedbackPage",
    "ForEnum",
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
    "InboxItem",
    "InboxItemKindEnum",
    "InboxPage",
    "InboxUnreadCount",
    "KycTier",
    "KycTierOutput",
    "KycTierPage",
    "LotteryDrawPublic",
    "LotteryDrawPublicStatusEnum",
    "LotteryEntry",
    "LotteryEntryPage",
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
    "OutcomeEnum",
    "Passkey",
    "PasskeyConfirmationRequest",
    "PasskeyConfirmationRequestCredential",
    "PasskeyOptions",
    "PasskeyOptionsPublicKey",
    "PasskeyPage",
    "PatchedMeInputRequest",
    "PaymentBenefit",
    "PaymentBenefitStatusEnum",
    "Points",
    "PointsEntry",
    "PointsExpiring",
    "PointsOffer",
    "PointsOfferPage",
    "PointsOfferRedeemInputRequest",
    "PointsOfferRedemption",
    "PointsRedeemInputRequest",
    "PointsRedemption",
    "PriorityEnum",
    "ProductLead",
    "ProductLeadInputRequest",
    "ProductLeadKindEnum",
    "ProductLeadPage",
    "ProductLeadStatusEnum",
    "ProductsListCategory",
    "PurposeEnum",
    "Quote",
    "Receipt",
    "Recipient",
    "Referee",
    "RefereePage",
    "RefereeStatusEnum",
    "Referral",
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
    "SurveyAnswer",
    "SurveyAnswerInputRequest",
    "SurveyInvitation",
    "SurveyInvitationPage",
    "SurveyKindEnum",
    "Ticket",
    "TicketMessage",
    "TicketMessageInputRequest",
    "TicketPage",
    "TicketRatingInputRequest",
    "TicketStatusEnum",
    "TicketSummary",
    "TokenOutput",
    "TransactionDetail",
    "TransactionPosting",
    "TransactionsExportDirection",
    "TransactionsExportKindItem",
    "TransactionsListDirection",
    "TransactionsListKindItem",
    "TransferCreateInputRequest",
    "TransferCreateOutput",
    "TriggerEnum",
    "TypeEnum",
    "WalletOutput",
    "WalletPage",
)
