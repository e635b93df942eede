"""The one error format of the API, and the domain error type services raise.

Every 4xx/5xx under ``/api/`` is ``{"code", "message", "details", "request_id"}``: DRF errors
through ``api_exception_handler``, and Django-level errors (404 for unknown URLs, 413, 500)
through ``core.middleware.ApiErrorMiddleware`` and the handlers in ``wallet_site.urls``.
"""

from __future__ import annotations

import logging
from typing import Any

from django import db
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.request_context import current_request_id
from core.validators import CARD_NUMBER_IN_TEXT

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A business rule said no. Services raise it; the handler renders it; nothing half-written.

    Subclass per domain (``payments.errors.InsufficientFunds``) or raise directly with a code.
    """

    code: str = "domain_error"
    status_code: int = status.HTTP_400_BAD_REQUEST
    default_message: str | Promise = "The request could not be completed."

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        details: Any = None,
        status_code: int | None = None,
    ) -> None:
        self.message = str(message) if message is not None else str(self.default_message)
        if code is not None:
            self.code = code
        if status_code is not None:
            self.status_code = status_code
        self.details = details if details is not None else {}
        super().__init__(self.message)

    def as_body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)


class RateLimitUnavailable(DomainError):
    """A guessable endpoint cannot meter attempts (its Redis store is down): refuse, cleanly."""

    code = "rate_limit_unavailable"
    status_code = 503
    default_message = _lazy("This service is temporarily unavailable. Please try again shortly.")


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {
        "code": code,
        "message": str(message),
        "details": details if details is not None else {},
        "request_id": current_request_id(),
    }


API_PATH_PREFIX = "/api/"


def not_found_body(path: str) -> dict[str, Any]:
    """The one 404 of an unknown URL. API paths never end with a slash (docs/api.md, "Paths"): a
    path that names an endpoint once its trailing slash is dropped gets that path in ``details``
    and the message, and is not redirected (a redirect would hide the mistake and cost a round
    trip on every call; a POST or PUT behind it would be resent or dropped depending on the client)."""
    message = _("No such resource.")
    details: dict[str, Any] = {}
    if path.startswith(API_PATH_PREFIX) and len(path) > 1 and path.endswith("/"):
        candidate = path.rstrip("/")
        try:
            resolve(candidate)
        except Resolver404:
            pass
        else:
            message = _("No such resource. API paths have no trailing slash: use %(path)s.") % {"path": candidate}
            details = {"path": candidate}
    return error_body("not_found", message, details)


def database_unavailable_response(exc: BaseException) -> Any:
    """PostgreSQL unreachable (restart, failover): a 503 the client may retry with the same
    Idempotency-Key. The transaction did not commit, so nothing was written."""
    logger.error("Database unavailable: %s", type(exc).__name__)
    response = JsonResponse(
        error_body("service_unavailable", _("The service is temporarily unavailable. Please retry shortly.")),
        status=503,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Retry-After"] = "2"
    return response


def error_response(status_code: int, code: str, message: str, details: Any = None) -> JsonResponse:
    return JsonResponse(
        error_body(code, message, details), status=status_code, json_dumps_params={"ensure_ascii": False}
    )


_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ValidationError: "invalid_request",
    exceptions.ParseError: "malformed_request",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


def _leaf_codes(codes: Any) -> set[str]:
    if isinstance(codes, dict):
        return set().union(*(_leaf_codes(v) for v in codes.values())) if codes else set()
    if isinstance(codes, list):
        return set().union(*(_leaf_codes(v) for v in codes)) if codes else set()
    return {str(codes)}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error, expected or not, in the one format."""
    if isinstance(exc, DomainError):
        return Response(exc.as_body(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        return Response(error_body("request_too_large", _("The request body is too large.")), status=413)
    elif isinstance(exc, SuspiciousOperation):
        # TooManyFieldsSent / TooManyFilesSent (DATA_UPLOAD_MAX_NUMBER_*) and the like, raised while
        # DRF parses a form or multipart body: the client's fault, not a 500.
        return Response(error_body("malformed_request", _("The request body could not be read.")), status=400)

    if isinstance(exc, (db.OperationalError, db.InterfaceError)):
        return database_unavailable_response(exc)

    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in API view", exc_info=exc)
        return Response(
            error_body("internal_error", _("An unexpected error occurred. Please try again later.")),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    assert isinstance(exc, exceptions.APIException)
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), "error")
    details: Any = {}
    if isinstance(exc, exceptions.ValidationError):
        message = _("The request is invalid.")
        details = response.data
        if CARD_NUMBER_IN_TEXT in _leaf_codes(exc.get_codes()):
            code = CARD_NUMBER_IN_TEXT
            message = _("Do not type a bank card number here; card numbers are never stored.")
    else:
        message = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else _("The request failed.")
    wait = getattr(exc, "wait", None) if isinstance(exc, exceptions.Throttled) else None
    if wait is not None:
        details = {"retry_after_seconds": int(wait)}
    response.data = error_body(code, message, details)
    return response
