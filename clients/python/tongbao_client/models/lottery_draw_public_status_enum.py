from typing import Literal

LotteryDrawPublicStatusEnum = Literal["DRAWN", "OPEN", "PAID"]

LOTTERY_DRAW_PUBLIC_STATUS_ENUM_VALUES: set[LotteryDrawPublicStatusEnum] = {
    "DRAWN",
    "OPEN",
    "PAID",
}


def check_lottery_draw_public_status_enum(value: str) -> LotteryDrawPublicStatusEnum:
    if value in LOTTERY_DRAW_PUBLIC_STATUS_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LOTTERY_DRAW_PUBLIC_STATUS_ENUM_VALUES!r}")
