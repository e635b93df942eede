from typing import Literal

CouponClaimStatusEnum = Literal["AVAILABLE", "EXPIRED", "USED"]

COUPON_CLAIM_STATUS_ENUM_VALUES: set[CouponClaimStatusEnum] = {
    "AVAILABLE",
    "EXPIRED",
    "USED",
}


def check_coupon_claim_status_enum(value: str) -> CouponClaimStatusEnum:
    if value in COUPON_CLAIM_STATUS_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {COUPON_CLAIM_STATUS_ENUM_VALUES!r}")
