from typing import Literal

OperationEnum = Literal["CHARGE", "PAYOUT"]

OPERATION_ENUM_VALUES: set[OperationEnum] = {
    "CHARGE",
    "PAYOUT",
}


def check_operation_enum(value: str) -> OperationEnum:
    if value in OPERATION_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {OPERATION_ENUM_VALUES!r}")
