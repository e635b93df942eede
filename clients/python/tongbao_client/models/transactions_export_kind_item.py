from typing import Literal

TransactionsExportKindItem = Literal[
    "ADJUSTMENT",
    "BILL_PAYMENT",
    "FEE",
    "FUNDING",
    "FX_CONVERSION",
    "HOLD_CAPTURE",
    "MERCHANT_PAYMENT",
    "P2P",
    "POINTS",
    "REFUND",
    "REVERSAL",
    "REWARD",
    "TOPUP",
    "WITHDRAWAL",
]

TRANSACTIONS_EXPORT_KIND_ITEM_VALUES: set[TransactionsExportKindItem] = {
    "ADJUSTMENT",
    "BILL_PAYMENT",
    "FEE",
    "FUNDING",
    "FX_CONVERSION",
    "HOLD_CAPTURE",
    "MERCHANT_PAYMENT",
    "P2P",
    "POINTS",
    "REFUND",
    "REVERSAL",
    "REWARD",
    "TOPUP",
    "WITHDRAWAL",
}


def check_transactions_export_kind_item(value: str) -> TransactionsExportKindItem:
    if value in TRANSACTIONS_EXPORT_KIND_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TRANSACTIONS_EXPORT_KIND_ITEM_VALUES!r}")
