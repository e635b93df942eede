"""One rule for timestamps (issue 16, docs/api.md "Timestamps"): every JSON timestamp is UTC with the
offset ``Z`` and microseconds; the CSV export is in the customer's zone with its offset.

Static half: no API serializer uses DRF's own ``DateTimeField`` (it writes the active zone's offset and
drops zero microseconds) and no API module formats a moment with ``.isoformat()``. The journey test
(tests/client/test_journey.py) checks every timestamp of every answer it gets against the same pattern.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from rest_framework import serializers

from core.fields import ApiDateTimeField
from core.timestamps import api_datetime, local_datetime

API_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
API_PACKAGES = ("accounts.api", "payments.api", "promotions.api", "risk.api", "feedback.api")


def _serializer_classes() -> Iterator[type[serializers.BaseSerializer]]:
    seen: set[type] = set()

    def walk(owner: Any) -> Iterator[type[serializers.BaseSerializer]]:
        for _name, value in inspect.getmembers(owner, inspect.isclass):
            if value in seen or not value.__module__.startswith(API_PACKAGES):
                continue
            seen.add(value)
            if issubclass(value, serializers.BaseSerializer):
                yield value
            yield from walk(value)

    for package in API_PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__):
            yield from walk(importlib.import_module(f"{package}.{info.name}"))


def _plain_datetime_fields(serializer: serializers.Serializer, path: str) -> Iterator[str]:
    for name, field in serializer.fields.items():
        child = getattr(field, "child", None)
        if isinstance(field, serializers.Serializer):
            yield from _plain_datetime_fields(field, f"{path}.{name}")
        elif isinstance(child, serializers.Serializer):
            yield from _plain_datetime_fields(child, f"{path}.{name}[]")
        elif isinstance(field, serializers.DateTimeField) and not isinstance(field, ApiDateTimeField):
            yield f"{path}.{name}"


def test_no_api_serializer_writes_a_timestamp_its_own_way() -> None:
    classes = [c for c in _serializer_classes() if issubclass(c, serializers.Serializer)]
    plain = [item for cls in classes for item in _plain_datetime_fields(cls(), cls.__qualname__)]

    assert len(classes) > 20
    assert plain == [], "use core.fields.ApiDateTimeField:\n" + "\n".join(plain)


def test_no_api_module_formats_a_moment_with_isoformat() -> None:
    base = Path(settings.BASE_DIR)
    offenders = [
        str(path.relative_to(base))
        for package in API_PACKAGES
        for path in (base / package.replace(".", "/")).glob("*.py")
        if ".isoformat()" in path.read_text()
    ]

    assert offenders == []


def test_api_datetime_is_utc_with_z_and_microseconds_whatever_the_input_zone() -> None:
    shanghai = datetime(2026, 11, 30, 16, 15, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    whole_second = datetime(2026, 11, 30, 8, 15, 30, tzinfo=UTC)

    assert api_datetime(shanghai) == "2026-11-30T08:15:30.000000Z"
    assert api_datetime(whole_second) == "2026-11-30T08:15:30.000000Z"
    assert api_datetime(datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=timezone(timedelta(hours=-5)))) == (
        "2026-01-01T05:00:00.000001Z"
    )
    assert API_TIMESTAMP.fullmatch(api_datetime(shanghai) or "")
    assert api_datetime(None) is None


def test_api_date_time_field_renders_the_rule() -> None:
    field = ApiDateTimeField()

    assert field.to_representation(datetime(2026, 3, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))) == (
        "2026-03-01T00:00:00.000000Z"
    )


def test_a_person_reads_the_customer_zone_with_its_offset() -> None:
    moment = datetime(2026, 11, 30, 8, 15, 30, 999, tzinfo=UTC)

    assert local_datetime(moment, ZoneInfo("Asia/Shanghai")) == "2026-11-30T16:15:30+08:00"
