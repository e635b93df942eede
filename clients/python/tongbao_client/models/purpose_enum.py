from typing import Literal

PurposeEnum = Literal["DATA_ANALYSIS", "MARKETING", "PRIVACY", "TERMS"]

PURPOSE_ENUM_VALUES: set[PurposeEnum] = {
    "DATA_ANALYSIS",
    "MARKETING",
    "PRIVACY",
    "TERMS",
}


def check_purpose_enum(value: str) -> PurposeEnum:
    if value in PURPOSE_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PURPOSE_ENUM_VALUES!r}")
