from typing import Literal

TransactionsListDirection = Literal["in", "out"]

TRANSACTIONS_LIST_DIRECTION_VALUES: set[TransactionsListDirection] = {
    "in",
    "out",
}


def check_transactions_list_direction(value: str) -> TransactionsListDirection:
    if value in TRANSACTIONS_LIST_DIRECTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TRANSACTIONS_LIST_DIRECTION_VALUES!r}")
