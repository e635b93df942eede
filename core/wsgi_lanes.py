"""Two middleware stacks in one web process: a lean one for the customer API, the full one for the
admin, the API docs and everything else (the WSGI entry point, ``wallet_site.wsgi``).

The admin needs sessions, CSRF, authentication, django-otp, messages, django-axes, CSP and
X-Frame-Options; a customer API request uses none of them (a bearer token, JSON in and out), yet
the full stack runs on every payment. Django has one ``MIDDLEWARE`` per handler, so the API lane is
a second handler built from ``settings.API_MIDDLEWARE`` (the full list minus the admin-only
entries, so a middleware added to ``MIDDLEWARE`` reaches the API unless it is named admin-only)
and the dispatch is by path prefix (``settings.API_LANE_PREFIX``, minus
``settings.API_LANE_EXCLUDED`` such as the HTML docs, which keep CSP).

Tests' ``django.test.Client`` runs the full stack; ``tests/core/test_wsgi_lanes.py`` drives this
entry point itself, and ``make bench`` measures it under gunicorn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

__all__ = ["api_lane_path", "lanes_application"]


class _LaneHandler(WSGIHandler):
    """Django's WSGI handler with its own middleware list (loaded once, at startup)."""

    def __init__(self, middleware: list[str]) -> None:
        self._lane_middleware = middleware
        super().__init__()

    def load_middleware(self, is_async: bool = False) -> None:
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = self._lane_middleware  # read only by load_middleware, here at startup
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


def api_lane_path(path: str) -> bool:
    """Whether a request path is served by the API lane."""
    return path.startswith(settings.API_LANE_PREFIX) and not path.startswith(tuple(settings.API_LANE_EXCLUDED))


def lanes_application() -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """The WSGI application: ``settings.API_MIDDLEWARE`` for the API lane, ``MIDDLEWARE`` otherwise."""
    import django

    django.setup(set_prefix=False)
    full = WSGIHandler()
    api = _LaneHandler(list(settings.API_MIDDLEWARE))

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        handler = api if api_lane_path(environ.get("PATH_INFO", "")) else full
        return handler(environ, start_response)

    return application
