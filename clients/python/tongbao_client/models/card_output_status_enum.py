from typing import Literal

CardOutputStatusEnum = Literal["ACTIVE", "REMOVED"]

CARD_OUTPUT_STATUS_ENUM_VALUES: set[CardOutputStatusEnum] = {
    "ACTIVE",
    "REMOVED",
}


def check_card_output_status_enum(value: str) -> CardOutputStatusEnum:
    if value in CARD_OUTPUT_STATUS_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {CARD_OUTPUT_STATUS_ENUM_VALUES!r}")
