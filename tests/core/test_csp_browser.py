"""In a real browser, the admin and the API docs work under the Content-Security-Policy (no violation)."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from tests.payments.factories_movements import admin_client_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine"),
]

_VIOLATIONS = """() => new Promise(resolve => setTimeout(() => resolve(window.__csp || []), 500))"""
_LISTEN = """window.__csp = []; document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


def test_admin_and_api_docs_render_without_csp_violations(live_server) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    superuser = User.objects.create_superuser("csp-admin", password="Csp-Admin-Password-2026")
    cookie = admin_client_for(superuser).cookies[settings.SESSION_COOKIE_NAME].value
    seen: dict[str, list[str]] = {}

    with sync_playwright() as playwright:  # runs an event loop: no ORM call inside
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context()
        context.add_init_script(_LISTEN)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/accounts/customer/")
        page.wait_for_selector("#changelist")
        seen["admin changelist"] = page.evaluate(_VIOLATIONS)
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
        seen["swagger"] = page.evaluate(_VIOLATIONS)
        page.goto(f"{live_server.url}/api/v1/redoc")
        page.wait_for_selector("#redoc-container .api-content", timeout=15_000)
        # ReDoc's "powered by" footer logo comes from its CDN: blocked, as any third-party origin is.
        seen["redoc"] = [
            v for v in page.evaluate(_VIOLATIONS) if v != "img-src https://cdn.redoc.ly/redoc/logo-mini.svg"
        ]
        browser.close()

    assert seen == {"admin changelist": [], "swagger": [], "redoc": []}
