from typing import Literal

ForEnum = Literal["CASH"]

FOR_ENUM_VALUES: set[ForEnum] = {
    "CASH",
}


def check_for_enum(value: str) -> ForEnum:
    if value in FOR_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FOR_ENUM_VALUES!r}")
