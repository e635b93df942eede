from typing import Literal

TypeEnum = Literal["CLAWED_BACK", "EARNED", "EXPIRED", "REDEEMED", "SPENT"]

TYPE_ENUM_VALUES: set[TypeEnum] = {
    "CLAWED_BACK",
    "EARNED",
    "EXPIRED",
    "REDEEMED",
    "SPENT",
}


def check_type_enum(value: str) -> TypeEnum:
    if value in TYPE_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TYPE_ENUM_VALUES!r}")
