from typing import Literal

AuthorEnum = Literal["CUSTOMER", "STAFF"]

AUTHOR_ENUM_VALUES: set[AuthorEnum] = {
    "CUSTOMER",
    "STAFF",
}


def check_author_enum(value: str) -> AuthorEnum:
    if value in AUTHOR_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {AUTHOR_ENUM_VALUES!r}")
