"""A staff passkey in headless Chromium: enrol it, then sign in with password + passkey.

Chromium's virtual authenticator (Chrome DevTools Protocol ``WebAuthn.enable`` +
``WebAuthn.addVirtualAuthenticator``: CTAP2, internal transport, resident keys, user verification
that succeeds) stands in for the fingerprint reader; the pages run django-otp-webauthn's own
scripts against our endpoints, under the site's Content-Security-Policy.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn.models import WebAuthnCredential

from core.models import AuditEvent
from tests.browser.conftest import screenshot, sign_in
from tests.factories import STAFF_PASSWORD, BranchFactory, StaffFactory
from tests.payments.factories_movements import staff_roles_ensure

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_teller_enrols_a_passkey_and_signs_in_with_it(open_page: Any, live_server: Any, settings: Any) -> None:
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]  # http://localhost:<port>, RP id "localhost"
    staff_roles_ensure()
    teller = StaffFactory(roles=["TELLER"], branch=BranchFactory(code="BRPK1"))
    page = open_page(locale="en-US")
    violations: list[str] = []
    page.on("console", lambda message: "Content Security Policy" in message.text and violations.append(message.text))
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )

    # Enrol: signed in with the TOTP code, "Your passkeys" from the home page, "Add a passkey".
    sign_in(page, teller)
    page.click("#desk-passkeys")
    page.click("#passkey-register-button")
    page.wait_for_selector("#passkey-list form button[name=remove]")
    screenshot(page, "passkey-01-enrolled")
    credential = WebAuthnCredential.objects.get(user=teller)
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator["authenticatorId"]})
    assert len(stored["credentials"]) == 1
    assert AuditEvent.objects.filter(action="django_otp_webauthn.webauthncredential.add", actor=teller).count() == 1

    # Sign out (a new session), then password + passkey from the login page's link.
    page.context.clear_cookies()
    page.goto("/admin/login/?next=/admin/")
    page.click("#passkey-login-link a")
    page.fill("input[name=username]", teller.username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("#passkey-login-submit")
    page.wait_for_selector("#passkey-verification-button")
    screenshot(page, "passkey-02-confirm")
    page.click("#passkey-verification-button")
    page.wait_for_selector("#desk-home")
    screenshot(page, "passkey-03-signed-in")

    credential.refresh_from_db()
    assert credential.last_used_at is not None
    session_cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    from django.contrib.sessions.backends.db import SessionStore

    assert SessionStore(session_key=session_cookie["value"]).load()[DEVICE_ID_SESSION_KEY] == credential.persistent_id
    assert violations == []
