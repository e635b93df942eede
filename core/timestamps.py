"""The API's one rule for moments in time (docs/api.md, "Timestamps").

- **JSON** (every ``*_at`` field of every response, machine-read): ISO 8601 / RFC 3339 in UTC, the
  offset written ``Z``, always to the microsecond, so the text has one fixed width and shape:
  ``2026-11-30T08:15:30.123456Z``. Inputs (``created_after``...) accept any offset.
- **Where a person reads it** (the CSV export, the PDF statement): the customer's time zone, with its
  offset when it is a full timestamp (``2026-11-30T16:15:30+08:00``).
- **Dates** (``date_from``, ``month``, ``date_of_birth``) are calendar dates in the customer's time zone.

Customers carry no time zone of their own yet: the customer's zone is the bank's
(``settings.TIME_ZONE``, Asia/Shanghai), from this one function, so adding a per-customer zone later
changes one place.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

__all__ = ["API_TIMESTAMP_EXAMPLE", "api_datetime", "customer_timezone", "local_datetime"]

API_TIMESTAMP_EXAMPLE = "2026-11-30T08:15:30.123456Z"


def api_datetime(value: datetime | None) -> str | None:
    """A JSON timestamp: UTC, microseconds, ``Z``. None stays None. A naive value is refused (every
    moment in this project is aware: ``USE_TZ``)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime in an API answer")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def customer_timezone(customer: Any = None) -> tzinfo:
    """The time zone a customer reads their statements and exports in (today the bank's, for all)."""
    return ZoneInfo(settings.TIME_ZONE)


def local_datetime(value: datetime, zone: tzinfo) -> str:
    """A timestamp for a person: in ``zone``, to the second, with the offset (``2026-11-30T16:15:30+08:00``)."""
    return value.astimezone(zone).isoformat(timespec="seconds")
