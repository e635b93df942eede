from typing import Literal

TransactionsExportDirection = Literal["in", "out"]

TRANSACTIONS_EXPORT_DIRECTION_VALUES: set[TransactionsExportDirection] = {
    "in",
    "out",
}


def check_transactions_export_direction(value: str) -> TransactionsExportDirection:
    if value in TRANSACTIONS_EXPORT_DIRECTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TRANSACTIONS_EXPORT_DIRECTION_VALUES!r}")
