"""The API's JSON parser: DRF's, with a bound on nesting.

Python's ``json`` recurses once per nesting level; a 6 KB body of 1,000 nested arrays raised
``RecursionError`` inside the parser, which surfaced as a 500. No request of ours nests deeper
than a few levels, so anything past ``MAX_JSON_DEPTH`` is a 400 ``parse_error`` before any view
code (or the idempotency fingerprint, which serialises the body again) sees it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

__all__ = ["MAX_JSON_DEPTH", "BoundedJSONParser", "json_depth"]

MAX_JSON_DEPTH = 32


def json_depth(value: Any, limit: int) -> int:
    """Nesting depth of a parsed JSON value, counted iteratively; stops once past ``limit``."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON nested too deeply.")) from None
        if json_depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise ParseError(_("JSON nested too deeply."))
        return data
