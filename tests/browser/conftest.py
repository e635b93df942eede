"""Browser tests: Debian's chromium (``/usr/bin/chromium``) driven by Playwright for Python.

One browser for all of them (package scope); each test gets fresh contexts. The Makefile's ``test`` target
installs chromium with apt when it is missing and the user is root; if it is still missing these
tests are skipped with a loud reason. Screenshots go to ``test-artifacts/browser/`` (git-ignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import _reference_data, _sms_outbox  # noqa: F401
from tests.factories import STAFF_PASSWORD

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """One Chromium for the browser tests (package scope: it and its event loop are gone before
    the rest of the suite runs)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"BROWSER TESTS SKIPPED: {CHROMIUM} is missing. Install Debian's chromium "
            "(`apt-get install -y chromium`, done by `make test` when run as root)."
        )
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the tests make
    # to arrange data are still synchronous and safe. Only while the browser lives (never leaks
    # into later tests or subprocesses such as `check --deploy`).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """``open_page(locale="zh-CN")`` -> a new page in its own context (own cookies)."""
    contexts = []

    def factory(locale: str = "zh-CN") -> Any:
        context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, user: Any) -> None:
    """Through the real login form: username, password and the current TOTP code of a new device."""
    device = TOTPDevice.objects.create(user=user, name="browser", confirmed=True)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.goto("/admin/login/?next=/admin/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.fill("input[name=otp_token]", code)
    page.click("input[type=submit]")
    page.wait_for_selector("#desk-home")
