from typing import Literal

FundingOutputStatusEnum = Literal["COMPLETED", "EXPIRED", "FAILED", "PENDING", "SUSPENSE"]

FUNDING_OUTPUT_STATUS_ENUM_VALUES: set[FundingOutputStatusEnum] = {
    "COMPLETED",
    "EXPIRED",
    "FAILED",
    "PENDING",
    "SUSPENSE",
}


def check_funding_output_status_enum(value: str) -> FundingOutputStatusEnum:
    if value in FUNDING_OUTPUT_STATUS_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FUNDING_OUTPUT_STATUS_ENUM_VALUES!r}")
