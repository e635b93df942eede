from django.urls import URLPattern, URLResolver, path

from payments.api.views_history import TransactionDetailApi, TransactionExportApi, TransactionListApi
from payments.api.views_transfers import TransferCreateApi, WalletDetailApi, WalletListApi

urlpatterns: list[URLPattern | URLResolver] = [
    path("wallets/", WalletListApi.as_view(), name="wallet-list"),
    path("wallets/<str:ident>/", WalletDetailApi.as_view(), name="wallet-detail"),
    path("transfers/", TransferCreateApi.as_view(), name="transfer-create"),
    path("transactions/", TransactionListApi.as_view(), name="transaction-list"),
    path("transactions/export.csv", TransactionExportApi.as_view(), name="transaction-export"),
    path("transactions/<uuid:public_id>/", TransactionDetailApi.as_view(), name="transaction-detail"),
]
