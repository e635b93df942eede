from typing import Literal

TriggerEnum = Literal["CAMPAIGN_REWARD", "FIRST_PAYMENT", "SIGNUP_30_DAYS", "TICKET_RESOLVED"]

TRIGGER_ENUM_VALUES: set[TriggerEnum] = {
    "CAMPAIGN_REWARD",
    "FIRST_PAYMENT",
    "SIGNUP_30_DAYS",
    "TICKET_RESOLVED",
}


def check_trigger_enum(value: str) -> TriggerEnum:
    if value in TRIGGER_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TRIGGER_ENUM_VALUES!r}")
