from typing import Literal

ProductLeadKindEnum = Literal["APPLICATION", "INTEREST"]

PRODUCT_LEAD_KIND_ENUM_VALUES: set[ProductLeadKindEnum] = {
    "APPLICATION",
    "INTEREST",
}


def check_product_lead_kind_enum(value: str) -> ProductLeadKindEnum:
    if value in PRODUCT_LEAD_KIND_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PRODUCT_LEAD_KIND_ENUM_VALUES!r}")
