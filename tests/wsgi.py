"""Requests through ``wallet_site.wsgi.application``, the entry point gunicorn serves (the customer
API on its lean middleware lane, ``core.wsgi_lanes``): Django's test ``Client`` runs the full stack
and would not see the lane."""

from __future__ import annotations

import io
import json
import secrets
from datetime import timedelta
from typing import Any
from wsgiref.util import setup_testing_defaults

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone

from accounts.authentication import token_hash
from accounts.models import Customer, CustomerToken, Device


def wsgi_call(
    path: str,
    *,
    method: str = "GET",
    body: Any = None,
    headers: dict[str, str] | None = None,
    host: str = "localhost",
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, content) of one request. ``body``: bytes as they are, anything else as JSON."""
    from wallet_site.wsgi import application

    raw = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else b"")
    environ: dict[str, Any] = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "SERVER_NAME": "localhost",
        "HTTP_HOST": host,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "wsgi.input": io.BytesIO(raw),
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    # As Django's test client does: the test's transaction must survive the request's signals.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        content = b"".join(application(environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], content


def bearer_token(customer: Customer) -> str:
    """A live API token of ``customer`` on a new trusted device (the raw value to send)."""
    raw = secrets.token_urlsafe(32)
    device = Device.objects.create(customer=customer, device_id=f"wsgi-{secrets.token_hex(6)}", trusted=True)
    CustomerToken.objects.create(
        customer=customer, device=device, key_hash=token_hash(raw), expires_at=timezone.now() + timedelta(days=1)
    )
    return raw
