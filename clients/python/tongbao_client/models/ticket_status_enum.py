from typing import Literal

TicketStatusEnum = Literal["CLOSED", "IN_PROGRESS", "OPEN", "RESOLVED", "WAITING_FOR_CUSTOMER"]

TICKET_STATUS_ENUM_VALUES: set[TicketStatusEnum] = {
    "CLOSED",
    "IN_PROGRESS",
    "OPEN",
    "RESOLVED",
    "WAITING_FOR_CUSTOMER",
}


def check_ticket_status_enum(value: str) -> TicketStatusEnum:
    if value in TICKET_STATUS_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {TICKET_STATUS_ENUM_VALUES!r}")
