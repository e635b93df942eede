from django.urls import URLPattern, URLResolver, path

from payments.api.views_history import TransactionDetailApi, TransactionExportApi, TransactionListApi
from payments.api.views_transfers import TransferCreateApi, WalletDetailApi, WalletListApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("wallets", WalletListApi.as_view(), name="wallet-list"),
    path("wallets/<str:ident>", WalletDetailApi.as_view(), name="wallet-detail"),
    path("transfers", TransferCreateApi.as_view(), name="transfer-create"),
    path("transactions", TransactionListApi.as_view(), name="transaction-list"),
    path("transactions/export.csv", TransactionExportApi.as_view(), name="transaction-export"),
    path("transactions/<uuid:public_id>", TransactionDetailApi.as_view(), name="transaction-detail"),
]

# --- money movements (top-ups, withdrawals, QR payments, bills, refunds, FX, insight) ---
from payments.api import (  # noqa: E402
    views_bills,
    views_funding,
    views_fx,
    views_insight,
    views_merchants,
    views_reference,
    views_refunds,
)

urlpatterns += [
    path("topups", views_funding.TopUpCreateApi.as_view(), name="topup-create"),
    path("topups/<uuid:public_id>", views_funding.TopUpDetailApi.as_view(), name="topup-detail"),
    path("withdrawals", views_funding.WithdrawalCreateApi.as_view(), name="withdrawal-create"),
    path("withdrawals/<uuid:public_id>", views_funding.WithdrawalDetailApi.as_view(), name="withdrawal-detail"),
    path("gateway/callbacks", views_funding.GatewayCallbackApi.as_view(), name="gateway-callback"),
    path("payments", views_merchants.MerchantPaymentCreateApi.as_view(), name="merchant-payment-create"),
    path("payments/preview", views_merchants.MerchantPaymentPreviewApi.as_view(), name="merchant-payment-preview"),
    path(
        "merchants/<uuid:public_id>/qr.<fmt>",
        views_merchants.MerchantQrImageApi.as_view(),
        name="merchant-qr",
    ),
    path("billers", views_bills.BillerListApi.as_view(), name="biller-list"),
    path("currencies", views_reference.CurrencyListApi.as_view(), name="currency-list"),
    path("bill-payments", views_bills.BillPaymentCreateApi.as_view(), name="bill-payment-create"),
    path("bill-payments/<uuid:public_id>", views_bills.BillPaymentDetailApi.as_view(), name="bill-payment-detail"),
    path("refunds", views_refunds.RefundListApi.as_view(), name="refund-list"),
    path("fx/quotes", views_fx.FxQuoteCreateApi.as_view(), name="fx-quote-create"),
    path("fx/conversions", views_fx.FxConversionCreateApi.as_view(), name="fx-conversion-create"),
    path("insights/spending", views_insight.SpendingApi.as_view(), name="insight-spending"),
    path("statements/<str:month>.pdf", views_insight.StatementPdfApi.as_view(), name="statement-pdf"),
]
