"""One way to page every list of the customer API (docs/api.md, "Lists"): keyset cursors.

Request: ``?cursor=<opaque>&page_size=<1-100, default 20>``. Answer::

    {"results": [...], "next_cursor": "..." | null, "previous_cursor": "..." | null,
     "next": "<url>" | null, "previous": "<url>" | null}

``next_cursor`` is set when older (later in the list's order) items follow, ``previous_cursor`` when the
page was reached through a cursor and items precede it; ``next``/``previous`` are the same as links.
A cursor is opaque: a position between two items (the sort key of the item it follows) and a
direction, never an offset, so a page costs the same at the start and at the millionth item and an
item inserted meanwhile neither repeats nor skips one. Malformed: 400 ``invalid_cursor``.

``queryset_page`` pages an ORM queryset by a unique ordering (``("-created_at", "-id")``): a tuple
comparison in ``WHERE``, ``LIMIT size + 1``, no OFFSET, no COUNT. ``sequence_page`` pages a short list a
selector already built (wallets, reference data). The transaction history builds its own keyset
statement (``payments.selectors_history``) and shares the parameters, the errors and the answer.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

from core.errors import DomainError

__all__ = [
    "MAX_PAGE_SIZE",
    "PAGE_PARAMETERS",
    "PAGE_SIZE",
    "InvalidCursor",
    "InvalidPageSize",
    "KeysetCursor",
    "Page",
    "page_body",
    "page_params",
    "page_serializer",
    "queryset_page",
    "sequence_page",
]

PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
T = TypeVar("T")


class InvalidCursor(DomainError):
    code = "invalid_cursor"
    status_code = 400
    default_message = _("This cursor was not issued by this list. Start again without a cursor.")


class InvalidPageSize(DomainError):
    code = "invalid_page_size"
    status_code = 400
    default_message = _("page_size must be a whole number from 1 to 100.")


@dataclass(frozen=True)
class KeysetCursor:
    """The sort key of the item a page continues after (or before, ``reverse``)."""

    values: tuple[Any, ...]
    reverse: bool = False

    def encode(self) -> str:
        raw = json.dumps({"k": list(self.values), "r": int(self.reverse)}, separators=(",", ":"), default=_plain)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> KeysetCursor:
        try:
            data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode())
            values, reverse = data["k"], data["r"]
            if not isinstance(values, list) or reverse not in (0, 1):
                raise ValueError(token)
            if not all(v is None or isinstance(v, (str, int, bool)) for v in values):
                raise ValueError(token)
        except (binascii.Error, UnicodeDecodeError, ValueError, KeyError, TypeError):
            raise InvalidCursor() from None
        return cls(values=tuple(values), reverse=bool(reverse))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: str | None = None  # encoded cursors
    previous: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def page_params(request: Request) -> tuple[str | None, int]:
    """The raw ``cursor`` token (None for the first page) and the page size (capped at 100)."""
    raw = request.query_params.get("page_size")
    size = PAGE_SIZE
    if raw not in (None, ""):
        try:
            size = int(str(raw))
        except ValueError:
            raise InvalidPageSize() from None
        if size < 1:
            raise InvalidPageSize()
    return request.query_params.get("cursor") or None, min(size, MAX_PAGE_SIZE)


def _window(items: list[T], *, size: int, cursor: KeysetCursor | None) -> tuple[list[T], bool, bool]:
    """``items`` holds up to ``size + 1`` rows in the direction read: the page, and newer/older flags."""
    more = len(items) > size
    items = items[:size]
    if cursor is not None and cursor.reverse:
        items.reverse()
        return items, more, True
    return items, cursor is not None, more


def _cursors(
    items: list[T], key: Callable[[T], Sequence[Any]], newer: bool, older: bool
) -> tuple[str | None, str | None]:
    if not items:
        return None, None
    following = KeysetCursor(tuple(_plain_value(v) for v in key(items[-1]))).encode() if older else None
    preceding = KeysetCursor(tuple(_plain_value(v) for v in key(items[0])), reverse=True).encode() if newer else None
    return following, preceding


def _plain_value(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, bool)) else _plain(value)


def queryset_page(queryset: QuerySet[Any], *, ordering: Sequence[str], token: str | None, size: int) -> Page[Any]:
    """One page of ``queryset`` in ``ordering`` (unique, non-null fields, e.g. ``("-created_at", "-id")``)."""
    fields = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
    cursor = KeysetCursor.decode(token) if token else None
    reverse = cursor is not None and cursor.reverse
    if cursor is not None:
        if len(cursor.values) != len(fields):
            raise InvalidCursor()
        condition = Q()
        try:
            for i, (name, descending) in enumerate(fields):
                op = "lt" if descending != reverse else "gt"
                equal = {fields[j][0]: cursor.values[j] for j in range(i)}
                condition |= Q(**equal, **{f"{name}__{op}": cursor.values[i]})
            queryset = queryset.filter(condition)
        except (ValidationError, ValueError, TypeError):
            raise InvalidCursor() from None
    order = [("-" if descending != reverse else "") + name for name, descending in fields]
    rows = list(queryset.order_by(*order)[: size + 1])
    items, newer, older = _window(rows, size=size, cursor=cursor)
    following, preceding = _cursors(items, lambda obj: [getattr(obj, name) for name, _ in fields], newer, older)
    return Page(items=items, next=following, previous=preceding)


def sequence_page(items: Sequence[T], *, key: Callable[[T], Sequence[Any]], token: str | None, size: int) -> Page[T]:
    """One page of a short list already sorted by ``key`` (ascending, unique; str/int/bool values)."""
    cursor = KeysetCursor.decode(token) if token else None
    if cursor is None:
        window = list(items[: size + 1])
    else:
        position = list(cursor.values)
        if items and len(position) != len(key(items[0])):
            raise InvalidCursor()
        try:
            if cursor.reverse:
                window = [i for i in items if list(key(i)) < position][::-1][: size + 1]
            else:
                window = [i for i in items if list(key(i)) > position][: size + 1]
        except TypeError:
            raise InvalidCursor() from None
    page, newer, older = _window(window, size=size, cursor=cursor)
    following, preceding = _cursors(page, key, newer, older)
    return Page(items=page, next=following, previous=preceding)


def _link(request: Request, token: str | None) -> str | None:
    return replace_query_param(request.build_absolute_uri(), "cursor", token) if token else None


def page_body(request: Request, results: Any, page: Page[Any]) -> dict[str, Any]:
    """The one answer shape of every list."""
    return {
        "results": results,
        "next_cursor": page.next,
        "previous_cursor": page.previous,
        "next": _link(request, page.next),
        "previous": _link(request, page.previous),
        **page.extra,
    }


def page_serializer(name: str, item: serializers.BaseSerializer) -> Any:
    """The schema of a page of ``item`` (component ``<name>``)."""
    return inline_serializer(
        name=name,
        fields={
            "results": item,
            "next_cursor": serializers.CharField(
                allow_null=True, help_text="Pass as `cursor` for the next page; null on the last page."
            ),
            "previous_cursor": serializers.CharField(
                allow_null=True, help_text="Pass as `cursor` for the page before; null on the first page."
            ),
            "next": serializers.URLField(allow_null=True, help_text="The next page as a link (same cursor)."),
            "previous": serializers.URLField(allow_null=True, help_text="The page before as a link."),
        },
    )


PAGE_PARAMETERS = [
    OpenApiParameter(
        "cursor",
        OpenApiTypes.STR,
        description="Opaque position from `next_cursor` / `previous_cursor` of the page before. Omit for the first page.",
    ),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description="Items per page, 1-100 (default 20; more is capped at 100).",
    ),
]
