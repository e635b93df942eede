"""Input fields that take JSON as the API documents it, and nothing looser.

DRF's ``CharField`` turns a JSON number into a string (``123456`` → ``"123456"``), so a PIN, a
currency or an account number sent as a number would be accepted although the schema says
string. ``StrictCharField`` refuses anything but a JSON string with DRF's own ``invalid`` error
(400, in the one error format). Every customer-input serializer uses it for text
(``tests/core/test_strict_input.py`` walks the URL conf and fails on a plain ``CharField``).
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.timestamps import API_TIMESTAMP_EXAMPLE, api_datetime

__all__ = ["ApiDateTimeField", "CheapFieldCopiesMixin", "StrictCharField", "StrictUUIDField"]


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


class CheapFieldCopiesMixin:
    """For a serializer on a hot path: each instance's fields are SHALLOW copies of the declared ones.

    DRF's ``Serializer.get_fields`` deep-copies every declared field for every serializer instance,
    which re-runs each field's ``__init__`` (measured on ``TransferCreateApi.InputSerializer``:
    about 0.1 ms of the 0.35 ms its validation costs). A declared field is not changed after its
    class is built (its validators and error messages are read, never written, while a request is
    validated), so a shallow copy, then bound to this instance as DRF binds every field, behaves
    the same. Fields that hold other fields (a nested serializer, a list or dict field's ``child``)
    are deep-copied as DRF does: their inner fields are bound to their parent.
    ``tests/core/test_cheap_field_copies.py`` checks that no declared field is ever bound or changed.
    """

    _declared_fields: dict[str, serializers.Field]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields: dict[str, serializers.Field] = {}
        for name, field in self._declared_fields.items():
            deep = isinstance(field, serializers.BaseSerializer) or hasattr(field, "child")
            fields[name] = copy.deepcopy(field) if deep else copy.copy(field)
        return fields
