from typing import Literal

PriorityEnum = Literal["HIGH", "LOW", "NORMAL", "URGENT"]

PRIORITY_ENUM_VALUES: set[PriorityEnum] = {
    "HIGH",
    "LOW",
    "NORMAL",
    "URGENT",
}


def check_priority_enum(value: str) -> PriorityEnum:
    if value in PRIORITY_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PRIORITY_ENUM_VALUES!r}")
