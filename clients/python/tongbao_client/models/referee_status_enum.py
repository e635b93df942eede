from typing import Literal

RefereeStatusEnum = Literal["PENDING", "QUALIFIED", "REFUSED"]

REFEREE_STATUS_ENUM_VALUES: set[RefereeStatusEnum] = {
    "PENDING",
    "QUALIFIED",
    "REFUSED",
}


def check_referee_status_enum(value: str) -> RefereeStatusEnum:
    if value in REFEREE_STATUS_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {REFEREE_STATUS_ENUM_VALUES!r}")
