"""Staff passkeys (django-otp-webauthn): enrol next to TOTP, sign in with password + passkey, per-role
requirement. Real payloads from the software authenticator; the browser test does it in Chromium."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import WebAuthnChallenge
from accounts.staff_passkeys import PENDING_SESSION_KEY
from core.models import AuditEvent
from tests.accounts.conftest import admin_client_for
from tests.accounts.software_authenticator import SoftwareAuthenticator
from tests.factories import STAFF_PASSWORD, StaffFactory
from tests.payments.factories_movements import staff_roles_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles() -> None:
    staff_roles_ensure()


def _post_json(client: Client, url: str, body: Any = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def enrol(client: Client, authenticator: SoftwareAuthenticator, **answer: Any) -> Any:
    options = _post_json(client, "/admin/passkey/register/begin/")
    assert options.status_code == 200, options.content
    return _post_json(client, "/admin/passkey/register/complete/", authenticator.register(options.json(), **answer))


def password_step(user: User) -> Client:
    client = Client()
    response = client.post(
        "/admin/passkey/login/?next=/admin/", {"username": user.username, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def passkey_step(client: Client, authenticator: SoftwareAuthenticator, **answer: Any) -> tuple[Any, dict[str, Any]]:
    options = _post_json(client, "/admin/passkey/auth/begin/")
    assert options.status_code == 200, options.content
    assertion = authenticator.assertion(options.json(), **answer)
    return _post_json(client, "/admin/passkey/auth/complete/?next=/admin/", assertion), assertion


def enrolled(user: User) -> tuple[SoftwareAuthenticator, WebAuthnCredential]:
    authenticator = SoftwareAuthenticator()
    assert enrol(admin_client_for(user), authenticator).status_code == 200
    return authenticator, WebAuthnCredential.objects.get(user=user)


def test_a_staff_member_signed_in_with_totp_enrols_a_passkey_audited(client: Client) -> None:
    teller = StaffFactory(roles=["TELLER"])
    client = admin_client_for(teller)
    authenticator = SoftwareAuthenticator()

    page = client.get("/admin/passkeys/")
    response = enrol(client, authenticator)

    assert page.status_code == 200 and "passkey-register-button" in page.content.decode()
    assert response.status_code == 200, response.content
    credential = WebAuthnCredential.objects.get(user=teller)
    assert bytes(credential.credential_id) == authenticator.credential_id and credential.confirmed
    event = AuditEvent.objects.get(action="django_otp_webauthn.webauthncredential.add")
    assert event.actor == teller and event.object_id == str(credential.pk)
    assert not WebAuthnChallenge.objects.exists()
    assert "passkey" in client.get("/admin/passkeys/").content.decode().lower()


def test_enrolment_options_require_user_verification() -> None:
    client = admin_client_for(StaffFactory(roles=["TELLER"]))

    options = _post_json(client, "/admin/passkey/register/begin/").json()

    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["rp"]["id"] == "localhost" and options["attestation"] == "none"


def test_a_password_only_session_cannot_enrol_a_passkey() -> None:
    teller = StaffFactory(roles=["TELLER"])
    client = admin_client_for(teller, verified=False)

    response = _post_json(client, "/admin/passkey/register/begin/")

    assert response.status_code == 403
    assert response.json()["code"] == "user_not_verified"
    assert not WebAuthnCredential.objects.exists()


def test_enrolment_with_a_wrong_origin_stores_nothing() -> None:
    client = admin_client_for(StaffFactory(roles=["TELLER"]))

    response = enrol(client, SoftwareAuthenticator(), origin="https://evil.example")

    assert response.status_code == 422
    assert not WebAuthnCredential.objects.exists()


def test_password_then_passkey_signs_in_and_verifies_the_session_with_the_passkey() -> None:
    teller = StaffFactory(roles=["TELLER"])
    authenticator, credential = enrolled(teller)
    client = password_step(teller)
    assert client.get("/admin/").status_code == 302  # the password alone opens nothing

    response, _ = passkey_step(client, authenticator)

    assert response.status_code == 200, response.content
    assert response.json()["redirect_url"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.session[DEVICE_ID_SESSION_KEY] == credential.persistent_id
    assert PENDING_SESSION_KEY not in client.session
    credential.refresh_from_db()
    assert credential.sign_count == 1 and credential.last_used_at is not None


def test_the_password_step_is_refused_without_a_passkey_or_with_a_wrong_password() -> None:
    teller = StaffFactory(roles=["TELLER"])
    wrong = Client().post("/admin/passkey/login/", {"username": teller.username, "password": "nope-nope-nope"})
    none = Client().post("/admin/passkey/login/", {"username": teller.username, "password": STAFF_PASSWORD})

    assert wrong.status_code == 200 and "passkey-login-form" in wrong.content.decode()
    assert none.status_code == 200 and "passkey-login-form" in none.content.decode()
    assert not Client().get("/admin/passkey/login/").context["waiting"]


def test_a_replayed_staff_assertion_is_refused() -> None:
    teller = StaffFactory(roles=["TELLER"])
    authenticator, credential = enrolled(teller)
    client = password_step(teller)
    options = _post_json(client, "/admin/passkey/auth/begin/")
    state = client.session["otp_webauthn_authentication_state"]
    assertion = authenticator.assertion(options.json())
    assert _post_json(client, "/admin/passkey/auth/complete/", assertion).status_code == 200
    attacker = password_step(teller)
    session = attacker.session
    session["otp_webauthn_authentication_state"] = state  # the same challenge again, even with its state
    session.save()

    replay = _post_json(attacker, "/admin/passkey/auth/complete/", assertion)

    assert replay.status_code == 400
    assert replay.json()["code"] == "passkey_challenge_invalid"
    assert attacker.get("/admin/").status_code == 302
    credential.refresh_from_db()
    assert credential.sign_count == 1


@pytest.mark.parametrize("answer", [{"origin": "https://evil.example"}, {"user_verified": False}])
def test_a_wrong_origin_or_no_user_verification_does_not_sign_in(answer: dict[str, Any]) -> None:
    teller = StaffFactory(roles=["TELLER"])
    authenticator, credential = enrolled(teller)
    client = password_step(teller)

    response, _ = passkey_step(client, authenticator, **answer)

    assert response.status_code == 422
    assert client.get("/admin/").status_code == 302
    credential.refresh_from_db()
    assert credential.sign_count == 0


def test_a_staff_counter_that_goes_backwards_is_refused() -> None:
    teller = StaffFactory(roles=["TELLER"])
    authenticator, credential = enrolled(teller)
    WebAuthnCredential.objects.filter(pk=credential.pk).update(sign_count=9)
    client = password_step(teller)

    response, _ = passkey_step(client, authenticator, sign_count=4)

    assert response.status_code == 422  # py_webauthn's own counter check, through the package
    assert client.get("/admin/").status_code == 302
    credential.refresh_from_db()
    assert credential.sign_count == 9


def test_another_staff_members_passkey_does_not_sign_in() -> None:
    teller, other = StaffFactory(roles=["TELLER"]), StaffFactory(roles=["TELLER"])
    enrolled(teller)
    other_authenticator, _ = enrolled(other)
    client = password_step(teller)

    response, _ = passkey_step(client, other_authenticator)

    assert response.status_code == 403
    assert response.json()["code"] == "credential_user_mismatch"
    assert client.get("/admin/").status_code == 302


def test_a_removed_passkey_cannot_sign_in_and_the_removal_is_audited() -> None:
    teller = StaffFactory(roles=["TELLER"])
    authenticator, credential = enrolled(teller)
    manager = admin_client_for(teller)
    enrolled_again = SoftwareAuthenticator()
    assert enrol(manager, enrolled_again).status_code == 200  # a second one, so the login page stays usable
    assert manager.post("/admin/passkeys/", {"remove": credential.pk}).status_code == 302
    client = password_step(teller)

    response, _ = passkey_step(client, authenticator)

    assert response.status_code == 404
    assert response.json()["code"] == "credential_not_found"
    assert AuditEvent.objects.filter(action="django_otp_webauthn.webauthncredential.delete").count() == 1


def test_the_totp_form_still_signs_in_a_staff_member_who_also_has_a_passkey() -> None:
    teller = StaffFactory(roles=["TELLER"])
    enrolled(teller)
    device = TOTPDevice.objects.filter(user=teller).first() or TOTPDevice.objects.create(
        user=teller, name="p", confirmed=True
    )
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client = Client()

    client.post(
        "/admin/login/?next=/admin/", {"username": teller.username, "password": STAFF_PASSWORD, "otp_token": code}
    )

    assert client.get("/admin/").status_code == 200  # one code device: no device choice, passkeys not offered


# --- the per-role requirement -------------------------------------------------------------------


@pytest.fixture
def administrators_need_passkeys(settings: Any) -> None:
    settings.STAFF_PASSKEY_REQUIRED_ROLES = ["ADMINISTRATOR", "RISK_OFFICER"]


def _totp_login(user: User) -> tuple[Client, Any]:
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": STAFF_PASSWORD, "otp_token": code}
    )
    return client, response


def test_a_required_role_without_a_passkey_is_sent_to_enrol_and_then_verifies_with_it(
    administrators_need_passkeys: None,
) -> None:
    admin_user = StaffFactory(roles=["ADMINISTRATOR"])
    client, _ = _totp_login(admin_user)

    blocked = client.get("/admin/")
    sent = client.get(blocked["Location"])
    authenticator = SoftwareAuthenticator()
    enrolment = enrol(client, authenticator)
    still_blocked = client.get("/admin/accounts/customer/")
    response, _ = passkey_step(client, authenticator)

    assert blocked.status_code == 302 and sent.status_code == 302 and sent["Location"] == "/admin/passkeys/"
    assert enrolment.status_code == 200
    assert still_blocked.status_code == 302
    assert response.status_code == 200, response.content
    assert client.get("/admin/").status_code == 200


def test_a_required_role_with_a_passkey_cannot_sign_in_with_totp(administrators_need_passkeys: None) -> None:
    risk = StaffFactory(roles=["RISK_OFFICER"])
    authenticator, _ = enrolled(risk)

    client, response = _totp_login(risk)

    assert response.status_code == 200
    assert "passkey" in response.content.decode().lower()
    assert client.get("/admin/").status_code == 302
    passkey_client = password_step(risk)
    assert passkey_step(passkey_client, authenticator)[0].status_code == 200
    assert passkey_client.get("/admin/").status_code == 200


def test_a_totp_session_of_a_required_role_cannot_add_or_remove_passkeys_once_one_exists(
    administrators_need_passkeys: None,
) -> None:
    admin_user = StaffFactory(roles=["ADMINISTRATOR"])
    _, credential = enrolled(admin_user)
    client = admin_client_for(admin_user)  # verified by TOTP only (an older session)

    add = _post_json(client, "/admin/passkey/register/begin/")
    remove = client.post("/admin/passkeys/", {"remove": credential.pk})

    assert add.status_code == 403 and add.json()["code"] == "passkey_step_up_required"
    assert remove.status_code == 403
    assert WebAuthnCredential.objects.filter(pk=credential.pk).exists()


def test_roles_outside_the_requirement_keep_totp(administrators_need_passkeys: None) -> None:
    teller = StaffFactory(roles=["TELLER"])

    client, _ = _totp_login(teller)

    assert client.get("/admin/").status_code == 200


def test_superusers_count_as_administrators(administrators_need_passkeys: None) -> None:
    root = StaffFactory(is_superuser=True)

    client, _ = _totp_login(root)

    assert client.get("/admin/").status_code == 302


# --- another person's passkey: maker-checker ----------------------------------------------------


def test_removing_another_persons_passkey_needs_a_request_and_a_second_administrator() -> None:
    from accounts.services import ApproverNotIndependent, staff_change_approve, staff_change_request_create

    maker, checker = StaffFactory(roles=["ADMINISTRATOR"]), StaffFactory(roles=["ADMINISTRATOR"])
    teller = StaffFactory(roles=["TELLER"])
    _, credential = enrolled(teller)
    direct = admin_client_for(maker).post("/admin/passkeys/", {"remove": credential.pk})
    assert direct.status_code == 302 and WebAuthnCredential.objects.filter(pk=credential.pk).exists()

    change = staff_change_request_create(
        maker=maker, kind="REMOVE_PASSKEY", target=teller, details={"passkey": credential.pk}, reason="phone lost"
    )
    with pytest.raises(ApproverNotIndependent):
        staff_change_approve(checker=maker, change_request=change)
    staff_change_approve(checker=checker, change_request=change)

    assert not WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    event = AuditEvent.objects.get(action="django_otp_webauthn.webauthncredential.delete")
    assert event.actor == checker and event.changes["passkey"] == credential.pk


def test_a_passkey_request_must_name_the_targets_own_passkey() -> None:
    from accounts.services import StaffChangeRefused, staff_change_request_create

    maker = StaffFactory(roles=["ADMINISTRATOR"])
    teller, other = StaffFactory(roles=["TELLER"]), StaffFactory(roles=["TELLER"])
    _, theirs = enrolled(other)

    with pytest.raises(StaffChangeRefused) as refused:
        staff_change_request_create(
            maker=maker, kind="REMOVE_PASSKEY", target=teller, details={"passkey": theirs.pk}, reason="wrong one"
        )

    assert refused.value.code == "no_passkey"
