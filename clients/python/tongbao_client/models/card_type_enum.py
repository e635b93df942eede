from typing import Literal

CardTypeEnum = Literal["CREDIT", "DEBIT"]

CARD_TYPE_ENUM_VALUES: set[CardTypeEnum] = {
    "CREDIT",
    "DEBIT",
}


def check_card_type_enum(value: str) -> CardTypeEnum:
    if value in CARD_TYPE_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {CARD_TYPE_ENUM_VALUES!r}")
