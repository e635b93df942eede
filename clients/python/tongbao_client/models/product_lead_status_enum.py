from typing import Literal

ProductLeadStatusEnum = Literal["CONTACTED", "CONVERTED", "IN_PROGRESS", "NEW", "NOT_PROCEEDING", "WITHDRAWN"]

PRODUCT_LEAD_STATUS_ENUM_VALUES: set[ProductLeadStatusEnum] = {
    "CONTACTED",
    "CONVERTED",
    "IN_PROGRESS",
    "NEW",
    "NOT_PROCEEDING",
    "WITHDRAWN",
}


def check_product_lead_status_enum(value: str) -> ProductLeadStatusEnum:
    if value in PRODUCT_LEAD_STATUS_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PRODUCT_LEAD_STATUS_ENUM_VALUES!r}")
