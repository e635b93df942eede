"""Documenting an operation of the customer API in one call (issue 16, docs/api.md).

``api_operation`` wraps drf-spectacular's ``extend_schema`` so that every operation has what an app
developer needs, and ``tools/openapi_lint.py`` (``make check``) fails when one does not:

- an ``operation_id``, a ``summary`` and one ``tag``;
- request and response examples (``OpenApiExample``);
- the error codes it can answer, each with its HTTP status and meaning: grouped by status into the
  ``responses`` (one ``Error`` example per code) and listed in the ``x-error-codes`` extension, a
  list of ``{code, status, meaning}`` that generated clients and the lint read.

Error codes come from one catalogue: ``DomainError`` subclasses (code, status, default message) and
the codes registered with ``register_error_codes`` (DRF-level codes here, ad-hoc domain codes by each
app's ``api/error_codes.py``). An unknown code fails at import: a documented code always exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from core.api_schema import ErrorSerializer
from core.errors import DomainError

__all__ = ["ErrorCode", "ErrorSpec", "api_operation", "error_code", "register_error_codes"]


@dataclass(frozen=True)
class ErrorCode:
    code: str
    status: int
    meaning: str | Promise


_REGISTERED: dict[str, ErrorCode] = {}


def register_error_codes(codes: dict[str, tuple[int, str | Promise]]) -> None:
    """Add ``{code: (status, meaning)}`` to the catalogue (idempotent; a code keeps one status)."""
    for code, (status, meaning) in codes.items():
        known = _REGISTERED.get(code)
        if known is not None and known.status != status:
            raise ValueError(f"error code {code!r} registered with {known.status} and {status}")
        _REGISTERED[code] = ErrorCode(code, status, meaning)


def _subclasses(cls: type[DomainError]) -> Iterable[type[DomainError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def error_code(code: str) -> ErrorCode:
    """The catalogue entry of ``code``: registered, else the ``DomainError`` subclass that carries it."""
    if code in _REGISTERED:
        return _REGISTERED[code]
    for cls in _subclasses(DomainError):
        if cls.__dict__.get("code") == code:
            return ErrorCode(code, int(cls.status_code), cls.default_message)
    raise KeyError(f"undocumented error code {code!r}: raise it as a DomainError subclass or register it")


# DRF- and middleware-level answers (core.errors, core.middleware), shared by every operation.
register_error_codes(
    {
        "invalid_request": (400, "A field is missing or invalid; `details` maps each field to its errors."),
        "malformed_request": (400, "The body is not valid JSON (or nests deeper than 32 levels)."),
        "card_number_in_text": (400, "A bank card number was typed into a text field; it is refused, never stored."),
        "not_authenticated": (401, "No `Authorization: Bearer <token>` header."),
        "authentication_failed": (401, "The token is unknown, expired or revoked: sign in again."),
        "permission_denied": (403, "Not allowed for this caller."),
        "not_found": (404, "No such resource, or it belongs to another customer."),
        "method_not_allowed": (405, "This path does not take this method; `Allow` lists those it takes."),
        "request_too_large": (413, "The body is over 1 MiB."),
        "unsupported_media_type": (415, "Send `Content-Type: application/json`."),
        "throttled": (429, "Too many requests; `details.retry_after_seconds` says when to retry."),
        "service_unavailable": (503, "The database is briefly unavailable; retry (same Idempotency-Key)."),
    }
)

# Amounts as the API reads them (core.money.Money.parse), in every app that takes one.
register_error_codes(
    {
        "invalid_amount": (400, '`amount` must be a decimal string such as "12.34"; a JSON number is refused.'),
        "too_many_decimals": (400, "More digits after the point than the currency has (CNY 2, JPY 0)."),
        "amount_too_large": (400, "The amount is out of range."),
        "unknown_currency": (400, "Not a currency of the wallet (GET /api/v1/currencies)."),
    }
)

_AUTH_ERRORS = ("not_authenticated", "authentication_failed")


def _error_example(entry: ErrorCode) -> OpenApiExample:
    return OpenApiExample(
        entry.code,
        value={
            "code": entry.code,
            "message": entry.meaning,
            "details": {},
            "request_id": "6f1c2a9e4b7d4e0f9a3b5c7d1e2f3a4b",
        },
        status_codes=[str(entry.status)],
        response_only=True,
    )


ErrorSpec = str | tuple[str, int]


def _entry(spec: ErrorSpec) -> ErrorCode:
    """A code of the catalogue; ``(code, status)`` for a code whose status depends on the operation
    (``passkey_rejected``: 401 signing in, 400 registering, 403 confirming a payment)."""
    if isinstance(spec, tuple):
        code, status = spec
        return replace(error_code(code), status=status)
    return error_code(spec)


def _error_responses(codes: Sequence[ErrorSpec]) -> tuple[dict[int, OpenApiResponse], list[dict[str, Any]]]:
    by_status: dict[int, list[ErrorCode]] = {}
    for spec in dict.fromkeys(codes):
        entry = _entry(spec)
        by_status.setdefault(entry.status, []).append(entry)
    responses: dict[int, OpenApiResponse] = {}
    listed: list[dict[str, Any]] = []
    for status, entries in sorted(by_status.items()):
        lines = [format_lazy("`{}`: {}", e.code, e.meaning) for e in entries]
        responses[status] = OpenApiResponse(
            response=ErrorSerializer,
            description=format_lazy("{}", _join(lines)),
            examples=[_error_example(e) for e in entries],
        )
        listed += [{"code": e.code, "status": e.status, "meaning": e.meaning} for e in entries]
    return responses, listed


def _join(lines: list[Any]) -> Any:
    return format_lazy("{}" * len(lines), *[format_lazy("- {}\n", line) for line in lines])


def api_operation(
    operation_id: str,
    *,
    tag: str,
    summary: str,
    description: str | Promise = "",
    request: Any = None,
    request_example: dict[str, Any] | None = None,
    response: Any = None,
    response_example: Any = None,
    status: int = 200,
    response_media_type: str | None = None,
    errors: Sequence[ErrorSpec] = (),
    parameters: Sequence[OpenApiParameter] = (),
    public: bool = False,
    examples: Sequence[OpenApiExample] = (),
) -> Callable[[Any], Any]:
    """``extend_schema`` for one operation with the documentation issue 16 asks of every operation.

    ``errors``: every code the operation can answer besides success (authentication errors are added
    unless ``public``); a ``(code, status)`` pair documents a code that answers another status here
    than its catalogue entry. ``response_example`` is the success body (``status``); ``request_example`` the
    body sent. ``response_media_type`` for a non-JSON success (``text/csv``, ``application/pdf``...).
    """
    codes: list[ErrorSpec] = list(errors) if public else [*_AUTH_ERRORS, *errors]
    error_responses, listed = _error_responses(codes)
    all_examples = list(examples)
    if request_example is not None:
        all_examples.append(OpenApiExample("request", value=request_example, request_only=True))
    if response_example is not None:
        all_examples.append(
            OpenApiExample(
                "success",
                value=response_example,
                response_only=True,
                status_codes=[str(status)],
                media_type=response_media_type or "application/json",
            )
        )
    success: Any = response
    if response_media_type is not None:
        success = {(status, response_media_type): OpenApiResponse(response=response)}
        responses: dict[Any, Any] = {**success, **error_responses}
    else:
        responses = {status: success, **error_responses}
    kwargs: dict[str, Any] = {
        "operation_id": operation_id,
        "summary": summary,
        "description": description,
        "tags": [tag],
        "request": request,
        "responses": responses,
        "parameters": list(parameters),
        "examples": all_examples,
        "extensions": {"x-error-codes": listed},
    }
    if public:
        kwargs["auth"] = []
    return extend_schema(**kwargs)
