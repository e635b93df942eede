from typing import Literal

GatewayCallbackStatusEnum = Literal["DECLINED", "SUCCEEDED"]

GATEWAY_CALLBACK_STATUS_ENUM_VALUES: set[GatewayCallbackStatusEnum] = {
    "DECLINED",
    "SUCCEEDED",
}


def check_gateway_callback_status_enum(value: str) -> GatewayCallbackStatusEnum:
    if value in GATEWAY_CALLBACK_STATUS_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {GATEWAY_CALLBACK_STATUS_ENUM_VALUES!r}")
