from typing import Literal

PaymentBenefitStatusEnum = Literal["APPLIED", "SKIPPED"]

PAYMENT_BENEFIT_STATUS_ENUM_VALUES: set[PaymentBenefitStatusEnum] = {
    "APPLIED",
    "SKIPPED",
}


def check_payment_benefit_status_enum(value: str) -> PaymentBenefitStatusEnum:
    if value in PAYMENT_BENEFIT_STATUS_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PAYMENT_BENEFIT_STATUS_ENUM_VALUES!r}")
