"""No-store caching for /api/ and /admin/, and a Content-Security-Policy the admin and API docs work under."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.accounts.conftest import bearer_client
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.I)


def _directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def test_api_responses_with_personal_data_are_not_stored_by_caches() -> None:
    client = bearer_client(CustomerFactory())

    me = client.get("/api/v1/me")
    wallets = client.get("/api/v1/wallets")
    anonymous = Client().get("/api/v1/me")

    assert me.status_code == 200 and me["Cache-Control"] == "no-store" and me["Pragma"] == "no-cache"
    assert wallets["Cache-Control"] == "no-store"
    assert anonymous.status_code == 401 and anonymous["Cache-Control"] == "no-store"


def test_admin_pages_are_not_stored_and_carry_a_strict_csp() -> None:
    response = Client().get("/admin/login/")

    directives = _directives(response)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert all("application/json" in attrs for attrs in _INLINE_SCRIPT.findall(response.content.decode()))


def test_swagger_docs_page_has_no_inline_script_and_its_script_is_served() -> None:
    client = Client()

    page = client.get("/api/v1/docs")
    html = page.content.decode()
    script_urls = re.findall(r'<script src="([^"]+)"', html)
    init = client.get(next(url for url in script_urls if "script=" in url).replace("&amp;", "&"))

    assert page.status_code == 200
    assert _INLINE_SCRIPT.findall(html) == []
    assert all(url.startswith("/") for url in script_urls)  # no third-party origin
    assert init.status_code == 200 and "SwaggerUIBundle" in init.content.decode()
    assert "Content-Security-Policy" in page


def test_redoc_inline_script_carries_the_nonce_of_its_policy() -> None:
    page = Client().get("/api/v1/redoc")
    html = page.content.decode()

    nonces = re.findall(r'<script nonce="([^"]+)"', html)
    assert page.status_code == 200
    assert len(nonces) == 1 and f"'nonce-{nonces[0]}'" in _directives(page)["script-src"]
    assert "fonts.googleapis.com" not in html
