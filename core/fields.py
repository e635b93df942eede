"""Input fields that take JSON as the API documents it, and nothing looser.

DRF's ``CharField`` turns a JSON number into a string (``123456`` → ``"123456"``), so a PIN, a
currency or an account number sent as a number would be accepted although the schema says
string. ``StrictCharField`` refuses anything but a JSON string with DRF's own ``invalid`` error
(400, in the one error format). Every customer-input serializer uses it for text
(``tests/core/test_strict_input.py`` walks the URL conf and fails on a plain ``CharField``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.timestamps import API_TIMESTAMP_EXAMPLE, api_datetime

__all__ = ["ApiDateTimeField", "StrictCharField", "StrictUUIDField"]


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": _("Must be a string.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """A UUID as a JSON string only: DRF's field also takes a JSON integer (``uuid.UUID(int=...)``),
    so ``true`` or ``123`` became ``00000000-...-0001`` instead of a 400."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class ApiDateTimeField(serializers.DateTimeField):
    """An output timestamp in the API's one form (``core.timestamps.api_datetime``: UTC, microseconds,
    ``Z``). DRF's own field writes the active time zone's offset and drops zero microseconds, so two
    endpoints answered the same moment in two shapes (issue 16); ``tests/core/test_timestamps.py``
    fails on a plain ``DateTimeField`` in any API serializer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", f"UTC, ISO 8601 with offset Z, microseconds: `{API_TIMESTAMP_EXAMPLE}`")
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        if isinstance(value, str):
            return value
        return api_datetime(value)
