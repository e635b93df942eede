from typing import Literal

TransactionsListKindItem = Literal[
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

TRANSACTIONS_LIST_KIND_ITEM_VALUES: set[TransactionsListKindItem] = {
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


def check_transactions_list_kind_item(value: str) -> TransactionsListKindItem:
    if value in TRANSACTIONS_LIST_KIND_ITEM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TRANSACTIONS_LIST_KIND_ITEM_VALUES!r}")
