"""The API routes, generated from the URL conf (no hand-kept list), and the anonymous allow-list.

Used by the authorization matrix and the schema fuzz tests. ``api_routes()`` walks
``django.urls.get_resolver()`` and returns every pattern under ``/api/v1/`` with its view and
HTTP methods, so an endpoint added anywhere is in the matrix without anyone editing this file.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "api/v1/"
METHODS = ("get", "post", "put", "patch", "delete")

# Routes anonymous callers may reach, matched against the route (no leading slash), each with why.
# Everything else under /api/v1/ must answer 401 to an anonymous caller: a new endpoint that
# forgets its permission check fails the suite until it is protected or listed here with a reason.
ANONYMOUS_ALLOWED: dict[str, str] = {
    r"^api/v1/schema$": "the OpenAPI document is public (clients are generated from it)",
    r"^api/v1/docs$": "Swagger UI, renders the public schema",
    r"^api/v1/redoc$": "ReDoc, renders the public schema",
    r"^api/v1/auth/register/?$": "registration: the caller has no account yet",
    r"^api/v1/auth/login/?$": "login: the caller has no token yet",
    r"^api/v1/auth/otp/?$": "OTP request during registration, new-device login or password reset",
    r"^api/v1/auth/password/reset/?$": "password reset: the caller cannot log in",
    r"^api/v1/auth/passkey/(options|login)/?$": "passkey sign-in: the caller has no token yet (answers name nobody)",
    r"^api/v1/gateway/": "bank gateway callbacks: authenticated by the gateway's signature, not a customer token",
    r"^api/v1/(topups?|top-ups?)/callback/?": "bank gateway callback: signature-authenticated",
    r"^api/v1/merchants/[^/]+/qr\.": "a merchant's static QR image: printed on the counter, signed, no secret",
    r"^api/v1/consent-texts$": "the consent texts a person reads before registering (public reference data, issue 16)",
    r"^api/v1/kyc/tiers$": "KYC tiers, their limits and how to reach each (public reference data, issue 16)",
    r"^api/v1/currencies$": "supported currencies and their decimals (public reference data, issue 16)",
}

# Anonymous-allowed routes that must still refuse (401/403) methods other than these.
_ANON_METHOD_ONLY: dict[str, tuple[str, ...]] = {}


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "api/v1/transactions/<uuid:public_id>"
    name: str
    view: Any  # the callback
    view_class: type | None
    methods: tuple[str, ...]
    kwargs: tuple[tuple[str, str], ...]  # (name, converter)

    @property
    def id(self) -> str:
        return f"{self.name or '?'}:{self.route}"

    @property
    def anonymous_reason(self) -> str | None:
        for pattern, reason in ANONYMOUS_ALLOWED.items():
            if re.search(pattern, self.route):
                return reason
        return None

    def path(self, values: dict[str, Any] | None = None) -> str:
        """The route with its kwargs filled (dummy values of the right type when not given)."""
        values = values or {}

        def fill(match: re.Match[str]) -> str:
            converter, name = match.group(1) or "str", match.group(2)
            if name in values:
                return str(values[name])
            return {
                "int": "987654321",
                "uuid": str(uuid.UUID(int=0xFEED)),
                "slug": "no-such-thing",
                "path": "no/such",
            }.get(converter, "no-such-thing")

        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, self.route)


def _pattern_str(pattern: Any) -> str:
    text = str(pattern.pattern)
    return text.lstrip("^").rstrip("$").replace("\\Z", "") if hasattr(pattern.pattern, "regex") else text


def _methods(callback: Any) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)  # DRF ViewSet: {"get": "list", ...}
    if actions:
        return tuple(m for m in METHODS if m in actions)
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        allowed = [m for m in getattr(cls, "http_method_names", METHODS) if m in METHODS]
        return tuple(m for m in allowed if hasattr(cls, m))
    return ("get", "post")  # a plain function view: probe both


def _walk(resolvers: list[Any], prefix: str, out: list[Route]) -> None:
    for entry in resolvers:
        route = prefix + _pattern_str(entry)
        if isinstance(entry, URLResolver):
            _walk(entry.url_patterns, route, out)
        elif isinstance(entry, URLPattern):
            if not route.startswith(API_PREFIX):
                continue
            callback = entry.callback
            kwargs = tuple((m.group(2), m.group(1) or "str") for m in re.finditer(r"<(?:(\w+):)?(\w+)>", route))
            view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
            out.append(
                Route(
                    route=route,
                    name=entry.name or "",
                    view=callback,
                    view_class=view_class,
                    methods=_methods(callback),
                    kwargs=kwargs,
                )
            )


def api_routes() -> list[Route]:
    """Every URL pattern under /api/v1/, generated from the URL conf."""
    out: list[Route] = []
    _walk(get_resolver().url_patterns, "", out)
    # Format-suffix duplicates (``\.(?P<format>[a-z0-9]+)/?``) add nothing.
    return [r for r in out if "format" not in dict(r.kwargs)]
