"""The one answer to "which address did this request come from?" (lockouts, throttles, audit, metrics).

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each of which appends the address it received the
request from to ``X-Forwarded-For`` (nginx's ``$proxy_add_x_forwarded_for``; the compose file's
nginx instead *replaces* the header with ``$remote_addr``, so its chain has exactly one entry),
the client is the N-th entry from the right: entries further left were written by the client and
prove nothing. With ``TRUSTED_PROXY_COUNT=0`` (no proxy) the header is ignored entirely and the
socket address is the client.

A chain shorter than N (a proxy that did not append) gives its left-most entry, as DRF does. A
malformed entry where the client should be gives the socket address, never the raw header text.
django-axes (``AXES_CLIENT_IP_CALLABLE``), the DRF throttles (``get_ident``), ``core.audit`` and
the metrics allow-list all call :func:`client_address`.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _valid(candidate: str) -> str | None:
    candidate = candidate.strip()
    if candidate.startswith("[") and "]" in candidate:  # "[2001:db8::1]:443"
        candidate = candidate[1 : candidate.index("]")]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def client_address(request: Any) -> str | None:
    """The client's IP address as a normalised string, or ``None`` if the request has none.

    Accepts a Django ``HttpRequest``, a DRF ``Request`` or anything with a ``META`` dict.
    """
    if request is None:
        return None
    meta = getattr(request, "META", None) or {}
    remote = _valid(str(meta.get("REMOTE_ADDR") or ""))
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    if proxies <= 0 or not forwarded.strip():
        return remote
    chain = [entry for entry in (part.strip() for part in forwarded.split(",")) if entry]
    if not chain:
        return remote
    return _valid(chain[-min(proxies, len(chain))]) or remote
