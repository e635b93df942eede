from typing import Literal

InboxItemKindEnum = Literal["MARKETING", "SECURITY", "SERVICE"]

INBOX_ITEM_KIND_ENUM_VALUES: set[InboxItemKindEnum] = {
    "MARKETING",
    "SECURITY",
    "SERVICE",
}


def check_inbox_item_kind_enum(value: str) -> InboxItemKindEnum:
    if value in INBOX_ITEM_KIND_ENUM_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {INBOX_ITEM_KIND_ENUM_VALUES!r}")
