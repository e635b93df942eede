"""Request id, request size limit, no-store caching, and the JSON error format for everything under /api/."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django import db
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from prometheus_client import Histogram

from core import deferred_writes
from core.errors import database_unavailable_response, error_response, not_found_body
from core.request_context import reset_request_id, set_request_id

logger = logging.getLogger(__name__)

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    411: "length_required",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class RequestIdMiddleware:
    """Takes a well-formed ``X-Request-ID`` from the proxy or makes one; echoes it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        response["X-Request-ID"] = request_id
        return response


class DeferredWritesMiddleware:
    """Writes the request's deferred bookkeeping (``core.deferred_writes``) that no statement of
    the request carried, after the view has answered; the slot is empty before and after."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        deferred_writes.discard()
        try:
            response = self.get_response(request)
            deferred_writes.flush()
        finally:
            deferred_writes.discard()
        return response


class RequestSizeLimitMiddleware:
    """Refuses a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` before any view reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw_length = request.META.get("CONTENT_LENGTH") or ""
        if raw_length:
            try:
                length = int(raw_length)
            except ValueError:
                return error_response(400, "bad_request", _("Content-Length is not a number."))
            if limit is not None and length > limit:
                return error_response(
                    413, "request_too_large", _("The request body is too large."), {"max_bytes": limit}
                )
        elif "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
            return error_response(411, "length_required", _("Send a Content-Length with the request body."))
        return self.get_response(request)


_PRIVATE_PREFIXES = ("/api/", "/admin/")


API_REQUEST_SECONDS = Histogram(
    "tongbao_api_request_seconds",
    "Customer API requests served on the lean lane (core.wsgi_lanes), by route, method and status class.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)


class ApiMetricsMiddleware:
    """Request metrics of the customer API lane, at one histogram observation per request.

    The full stack's django-prometheus middlewares record about a dozen series per request (0.6-1 ms
    of CPU here, measured on the payment path); the API lane keeps latency and counts by route
    pattern (bounded cardinality), method and status class, exported on /metrics with the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else "unmatched"
        API_REQUEST_SECONDS.labels(route, request.method or "", f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response


class NoStoreMiddleware:
    """Responses under /api/ and /admin/ carry personal or financial data: no cache may keep them.

    ``Cache-Control: no-store`` (and ``Pragma: no-cache`` for HTTP/1.0 proxies) unless the view
    chose a policy itself (the public merchant QR image keeps its ``public, max-age``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(_PRIVATE_PREFIXES) and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class ApiErrorMiddleware:
    """Under /api/, any non-JSON error response (Django's 404/405/500 pages) becomes the error format."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not _is_api(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        if status == 404:
            return JsonResponse(not_found_body(request.path), status=404, json_dumps_params={"ensure_ascii": False})
        code = _STATUS_CODES.get(status, "internal_error" if status >= 500 else "error")
        message = (
            _("An unexpected error occurred. Please try again later.")
            if status >= 500
            else _("The request could not be served.")
        )
        details: dict[str, object] = {}
        if status == 405:
            message = _("Method not allowed.")
        elif status == 429:
            message = _("Too many requests. Please try again later.")
            retry_after = response.get("Retry-After", "")
            if retry_after.isdigit():
                details["retry_after_seconds"] = int(retry_after)
        replacement = error_response(status, code, message, details)
        for header in ("Allow", "Retry-After"):
            if header in response:
                replacement[header] = response[header]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _is_api(request):
            return None
        if isinstance(exception, (db.OperationalError, db.InterfaceError)):
            return database_unavailable_response(exception)
        logger.exception("Unhandled error under /api/", exc_info=exception)
        return error_response(500, "internal_error", _("An unexpected error occurred. Please try again later."))
