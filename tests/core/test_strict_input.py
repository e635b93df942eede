"""Every customer-input serializer behind the URL conf takes text only as JSON strings.

Walks every route under ``/api/v1/``, finds the input serializers its view declares
(``InputSerializer`` and any nested serializer classes), and fails on a plain DRF ``CharField``
(which silently turns a JSON number into a string) or a non-strict amount field. A new endpoint
written the old way fails here, so the class of bug stays closed (issue 8, item 9).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers

from core.fields import StrictCharField


def _views(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
            if view is not None:
                yield prefix + str(pattern.pattern), view


def _input_serializers(view: Any) -> Iterator[type[serializers.Serializer]]:
    for name in dir(view):
        value = getattr(view, name, None)
        if isinstance(value, type) and issubclass(value, serializers.BaseSerializer) and "Output" not in name:
            yield value


def _loose_fields(serializer: serializers.Serializer, path: str) -> Iterator[str]:
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.Serializer):
            yield from _loose_fields(field, f"{path}.{name}")
        elif type(field) is serializers.CharField:
            yield f"{path}.{name}"


def test_no_api_input_takes_a_json_number_as_text() -> None:
    loose = []
    for route, view in _views(get_resolver().url_patterns):
        if not route.startswith("api/"):
            continue
        for serializer_class in _input_serializers(view):
            loose += [f"{route} {item}" for item in _loose_fields(serializer_class(), serializer_class.__qualname__)]

    assert loose == [], "use core.fields.StrictCharField for input text:\n" + "\n".join(loose)


def test_strict_char_field_refuses_numbers_and_takes_strings() -> None:
    field = StrictCharField(max_length=6)

    assert field.run_validation("123456") == "123456"
    for value in (123456, 12.5, True, ["1"]):
        try:
            field.run_validation(value)
        except serializers.ValidationError:
            continue
        raise AssertionError(f"{value!r} was accepted")
