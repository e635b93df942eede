from typing import Literal

RiskReviewStatusEnum = Literal["ANSWERED", "OPEN"]

RISK_REVIEW_STATUS_ENUM_VALUES: set[RiskReviewStatusEnum] = {
    "ANSWERED",
    "OPEN",
}


def check_risk_review_status_enum(value: str) -> RiskReviewStatusEnum:
    if value in RISK_REVIEW_STATUS_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {RISK_REVIEW_STATUS_ENUM_VALUES!r}")
