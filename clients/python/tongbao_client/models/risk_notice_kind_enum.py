from typing import Literal

RiskNoticeKindEnum = Literal[
    "ACCOUNT_FROZEN", "ACCOUNT_UNFROZEN", "PAYMENT_HELD", "PAYMENT_RELEASED", "PAYMENT_REVERSED", "STEP_UP"
]

RISK_NOTICE_KIND_ENUM_VALUES: set[RiskNoticeKindEnum] = {
    "ACCOUNT_FROZEN",
    "ACCOUNT_UNFROZEN",
    "PAYMENT_HELD",
    "PAYMENT_RELEASED",
    "PAYMENT_REVERSED",
    "STEP_UP",
}


def check_risk_notice_kind_enum(value: str) -> RiskNoticeKindEnum:
    if value in RISK_NOTICE_KIND_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {RISK_NOTICE_KIND_ENUM_VALUES!r}")
