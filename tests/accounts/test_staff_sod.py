"""Issue 9, back office: nobody acts alone or above their role on staff accounts.

Maker-checker ``StaffChangeRequest`` for new staff, roles, another person's password and
authenticators; independent approvers; incompatible roles; superusers protected; TOTP secrets never
shown after enrolment; every credential, factor and role change audited without secrets.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.utils import timezone

from accounts.models import StaffChangeRequest, StaffTOTPDevice
from accounts.services.staff import (
    ApproverNotIndependent,
    StaffChangeRefused,
    approver_ensure_independent,
    staff_change_approve,
    staff_change_request_create,
)
from core.audit import audit_record
from core.models import AuditEvent
from tests.accounts.conftest import admin_client_for
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Quiet-Orchard-Rivers-31"
REQUESTS = "/admin/accounts/staffchangerequest/"


def _roles(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def _superuser() -> User:
    return User.objects.create_superuser("root", "root@example.com", "Root-Password-2026-x")


def _admins() -> tuple[User, User]:
    return StaffFactory(roles=["ADMINISTRATOR"]), StaffFactory(roles=["ADMINISTRATOR"])


def _no_secret_in_audit(*secrets: str) -> None:
    dump = json.dumps(list(AuditEvent.objects.values("changes", "reason", "object_repr")), default=str)
    for secret in secrets:
        assert secret not in dump


# --- item 1: no takeover of another staff account ----------------------------------------------


@pytest.mark.parametrize("target_kind", ["superuser", "teller"])
def test_administrator_cannot_set_another_persons_password_in_the_admin(target_kind):
    administrator, _ = _admins()
    target = _superuser() if target_kind == "superuser" else StaffFactory(roles=["TELLER"])
    before = User.objects.get(pk=target.pk).password

    response = admin_client_for(administrator).post(
        f"/admin/auth/user/{target.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )

    assert response.status_code == 403
    assert User.objects.get(pk=target.pk).password == before


def test_administrator_cannot_enrol_an_authenticator_for_someone_else_directly():
    administrator, _ = _admins()
    root = _superuser()

    admin_client_for(administrator).post(
        "/admin/accounts/stafftotpdevice/add/",
        {
            "user": root.pk,
            "name": "takeover",
            "confirmed": "on",
            "key": "3132333435363738393031323334353637383930",
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )

    assert not StaffTOTPDevice.objects.filter(user=root).exists()


def test_nobody_reads_a_totp_secret_after_enrolment():
    root = _superuser()
    device = StaffTOTPDevice.objects.create(user=root, name="root phone", confirmed=True)
    administrator, _ = _admins()

    for client in (admin_client_for(administrator), admin_client_for(root)):
        assert client.get(f"/admin/accounts/stafftotpdevice/{device.pk}/config/").status_code in (403, 404)
        assert client.get(f"/admin/accounts/stafftotpdevice/{device.pk}/qrcode/").status_code in (403, 404)
        page = client.get(f"/admin/accounts/stafftotpdevice/{device.pk}/change/")
        assert device.key not in page.content.decode()


def test_non_superuser_cannot_change_a_superuser_in_the_admin_or_by_request():
    administrator, _ = _admins()
    root = _superuser()
    client = admin_client_for(administrator)

    response = client.post(
        f"/admin/auth/user/{root.pk}/change/", {"username": "root", "is_active": "", "first_name": "pwned"}
    )

    assert response.status_code == 403
    assert User.objects.get(pk=root.pk).is_active
    with pytest.raises(StaffChangeRefused) as refused:
        staff_change_request_create(
            maker=administrator, kind="SET_PASSWORD", target=root, password=NEW_PASSWORD, reason="forgot it"
        )
    assert refused.value.code == "superuser_protected"


def test_password_reset_by_request_needs_a_second_administrator_and_is_audited_without_the_password():
    maker, checker = _admins()
    teller = StaffFactory(roles=["TELLER"])

    response = admin_client_for(maker).post(
        f"{REQUESTS}add/",
        {
            "kind": "SET_PASSWORD",
            "target": teller.pk,
            "reason": "teller locked out, identity checked in person",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    change = StaffChangeRequest.objects.get()
    assert change.status == "PENDING" and not User.objects.get(pk=teller.pk).check_password(NEW_PASSWORD)

    own = admin_client_for(maker).post(REQUESTS, {"action": "approve_requests", "_selected_action": [change.pk]})
    assert own.status_code == 302
    assert StaffChangeRequest.objects.get().status == "PENDING"

    admin_client_for(checker).post(REQUESTS, {"action": "approve_requests", "_selected_action": [change.pk]})

    change.refresh_from_db()
    assert change.status == "APPLIED" and change.decided_by == checker and change.password_hash == ""
    assert User.objects.get(pk=teller.pk).check_password(NEW_PASSWORD)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"accounts.staffchange.request", "accounts.staffchange.approve", "auth.user.password"} <= actions
    applied = AuditEvent.objects.get(action="auth.user.password")
    assert applied.actor == checker and applied.object_id == str(teller.pk) and applied.changes["maker"] == maker.pk
    _no_secret_in_audit(NEW_PASSWORD, "pbkdf2", "argon2")


def test_authenticator_enrolment_by_request_shows_the_key_once_to_the_approver_only():
    maker, checker = _admins()
    teller = StaffFactory(roles=["TELLER"])
    change = staff_change_request_create(
        maker=maker, kind="ADD_TOTP", target=teller, details={"name": "teller phone"}, reason="new phone"
    )

    page = admin_client_for(checker).post(REQUESTS, {"action": "approve_requests", "_selected_action": [change.pk]})

    device = StaffTOTPDevice.objects.get(user=teller)
    assert device.confirmed
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "otpauth://totp/" in page.content.decode() and device.key.upper() not in json.dumps(
        list(AuditEvent.objects.values("changes")), default=str
    )
    assert AuditEvent.objects.filter(action="accounts.stafftotpdevice.add", actor=checker).exists()
    maker_view = admin_client_for(maker).get(f"{REQUESTS}{change.pk}/change/")
    assert "otpauth" not in maker_view.content.decode()


def test_removing_another_persons_authenticator_needs_a_request():
    maker, checker = _admins()
    teller = StaffFactory(roles=["TELLER"])
    device = StaffTOTPDevice.objects.create(user=teller, name="old phone", confirmed=True)

    direct = admin_client_for(maker).post(f"/admin/accounts/stafftotpdevice/{device.pk}/delete/", {"post": "yes"})
    assert direct.status_code == 403 and StaffTOTPDevice.objects.filter(pk=device.pk).exists()

    change = staff_change_request_create(
        maker=maker, kind="REMOVE_TOTP", target=teller, details={"device": device.pk}, reason="phone lost"
    )
    staff_change_approve(checker=checker, change_request=change)

    assert not StaffTOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.stafftotpdevice.delete").exists()


# --- item 2: no self-granted roles, no puppet approvers ----------------------------------------


def test_administrator_cannot_grant_itself_a_role():
    administrator, other = _admins()
    superuser_group = Group.objects.get(name="AUDITOR")

    admin_client_for(administrator).post(
        f"/admin/auth/user/{administrator.pk}/change/",
        {"username": administrator.username, "is_active": "on", "groups": [superuser_group.pk]},
    )
    assert _roles(administrator) == ["ADMINISTRATOR"]

    with pytest.raises(StaffChangeRefused) as refused:
        staff_change_request_create(
            maker=administrator, kind="SET_ROLES", target=administrator, roles=["RISK_OFFICER"], reason="need it"
        )
    assert refused.value.code == "own_account"

    change = staff_change_request_create(
        maker=other, kind="SET_ROLES", target=administrator, roles=["ADMINISTRATOR", "MARKETING"], reason="campaign"
    )
    with pytest.raises(StaffChangeRefused) as own_approval:
        staff_change_approve(checker=administrator, change_request=change)
    assert own_approval.value.code == "approver_is_target"


def test_staff_accounts_are_not_created_directly_in_the_admin():
    administrator, _ = _admins()

    assert admin_client_for(administrator).get("/admin/auth/user/add/").status_code == 403


def test_a_staff_member_created_by_the_maker_cannot_approve_the_makers_requests(settings):
    settings.APPROVER_INDEPENDENCE_DAYS = 30
    maker, colleague = _admins()
    create = staff_change_request_create(
        maker=maker,
        kind="CREATE_STAFF",
        roles=["ADMINISTRATOR"],
        password=NEW_PASSWORD,
        details={"username": "puppet", "first_name": "Pup"},
        reason="new hire",
    )
    staff_change_approve(checker=colleague, change_request=create)
    puppet = User.objects.get(username="puppet")
    assert puppet.is_staff and _roles(puppet) == ["ADMINISTRATOR"] and puppet.check_password(NEW_PASSWORD)
    teller = StaffFactory()
    grant = staff_change_request_create(
        maker=maker, kind="SET_ROLES", target=teller, roles=["BRANCH_MANAGER"], reason="promotion"
    )

    with pytest.raises(ApproverNotIndependent) as refused:
        staff_change_approve(checker=puppet, change_request=grant)
    assert refused.value.code == "approver_promoted_by_maker"
    assert _roles(teller) == []

    settings.APPROVER_INDEPENDENCE_DAYS = 0  # the window has passed
    staff_change_approve(checker=puppet, change_request=grant)
    assert _roles(teller) == ["BRANCH_MANAGER"]


def test_roles_given_directly_by_the_maker_before_this_change_also_count():
    maker, checker = _admins()
    audit_record(action="auth.user.roles", actor=maker, obj=checker, changes={"groups": [[], ["ADMINISTRATOR"]]})

    with pytest.raises(ApproverNotIndependent) as refused:
        approver_ensure_independent(maker=maker, checker=checker)
    assert refused.value.code == "approver_promoted_by_maker"
    with pytest.raises(ApproverNotIndependent) as same:
        approver_ensure_independent(maker=maker, checker=maker)
    assert same.value.code == "approver_is_maker"
    approver_ensure_independent(maker=StaffFactory(roles=["ADMINISTRATOR"]), checker=checker)


@pytest.mark.parametrize("roles", [["AUDITOR", "ADMINISTRATOR"], ["AUDITOR", "TELLER"], ["TELLER", "RISK_OFFICER"]])
def test_roles_that_must_stay_apart_are_refused_at_request_and_at_approval(roles):
    maker, checker = _admins()
    target = StaffFactory()

    with pytest.raises(StaffChangeRefused) as refused:
        staff_change_request_create(maker=maker, kind="SET_ROLES", target=target, roles=roles, reason="both")
    assert refused.value.code == "incompatible_roles"

    change = staff_change_request_create(maker=maker, kind="SET_ROLES", target=target, roles=roles[:1], reason="one")
    StaffChangeRequest.objects.filter(pk=change.pk).update(roles=roles)  # e.g. a tampered or stale request
    with pytest.raises(StaffChangeRefused):
        staff_change_approve(checker=checker, change_request=change)
    assert _roles(target) == []


def test_an_approver_holding_incompatible_roles_is_not_independent():
    maker = StaffFactory(roles=["ADMINISTRATOR"])
    checker = StaffFactory(roles=["ADMINISTRATOR", "AUDITOR"])

    with pytest.raises(ApproverNotIndependent) as refused:
        approver_ensure_independent(maker=maker, checker=checker)
    assert refused.value.code == "approver_incompatible_roles"


def test_auditor_alone_is_compatible():
    approver_ensure_independent(maker=StaffFactory(roles=["ADMINISTRATOR"]), checker=StaffFactory(roles=["AUDITOR"]))


# --- item 5: every credential change is audited --------------------------------------------------


def test_own_password_change_needs_the_current_one_and_is_audited():
    administrator = StaffFactory(roles=["ADMINISTRATOR"])
    client = admin_client_for(administrator)

    wrong = client.post(
        "/admin/password_change/",
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and not AuditEvent.objects.filter(action="auth.user.password").exists()

    response = client.post(
        "/admin/password_change/",
        {"old_password": "Staff-Password-2026", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.user.password")
    assert event.actor == administrator and event.object_id == str(administrator.pk)
    _no_secret_in_audit(NEW_PASSWORD, "Staff-Password-2026")


def test_own_user_password_link_leads_to_the_change_with_current_password():
    administrator = StaffFactory(roles=["ADMINISTRATOR"])

    response = admin_client_for(administrator).get(f"/admin/auth/user/{administrator.pk}/password/")

    assert response.status_code == 302 and response["Location"].endswith("/admin/password_change/")


def test_rejection_is_audited_and_clears_the_stored_password_hash():
    maker, checker = _admins()
    teller = StaffFactory()
    change = staff_change_request_create(
        maker=maker, kind="SET_PASSWORD", target=teller, password=NEW_PASSWORD, reason="reset"
    )
    assert change.password_hash

    admin_client_for(checker).post(REQUESTS, {"action": "reject_requests", "_selected_action": [change.pk]})

    change.refresh_from_db()
    assert change.status == "REJECTED" and change.password_hash == ""
    assert AuditEvent.objects.filter(action="accounts.staffchange.reject", actor=checker).exists()
    with pytest.raises(StaffChangeRefused):
        staff_change_approve(checker=checker, change_request=change)


# --- concurrency: one request is applied once --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_apply_a_request_once():
    maker = StaffFactory(roles=["ADMINISTRATOR"])
    checkers = [StaffFactory(roles=["ADMINISTRATOR"]), StaffFactory(roles=["ADMINISTRATOR"])]
    teller = StaffFactory()
    change = staff_change_request_create(
        maker=maker, kind="SET_ROLES", target=teller, roles=["BRANCH_MANAGER"], reason="promotion"
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(checker: User) -> None:
        try:
            barrier.wait()
            staff_change_approve(checker=checker, change_request=change)
            outcomes.append("applied")
        except StaffChangeRefused as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(checker,)) for checker in checkers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_decided", "applied"]
    assert AuditEvent.objects.filter(action="auth.user.roles").count() == 1
    assert StaffChangeRequest.objects.get().decided_at <= timezone.now() + timedelta(seconds=1)


# --- item 16: TOTP secrets encrypted at rest -------------------------------------------------------


def test_staff_totp_secret_is_encrypted_at_rest_and_still_verifies():
    from django_otp.oath import totp

    teller = StaffFactory(roles=["TELLER"])
    device = StaffTOTPDevice.objects.create(user=teller, name="phone", confirmed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_stafftotpdevice WHERE id = %s", [device.pk])
        (stored,) = cursor.fetchone()

    assert device.key not in stored and stored.startswith("gAAAA")  # Fernet token
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    assert StaffTOTPDevice.objects.get(pk=device.pk).verify_token(f"{code:06d}")


def test_real_admin_login_with_an_encrypted_staff_authenticator():
    from django.test import Client
    from django_otp.oath import totp

    teller = StaffFactory(roles=["TELLER"])
    device = StaffTOTPDevice.objects.create(user=teller, name="phone", confirmed=True)
    client = Client()
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"

    client.post(
        "/admin/login/?next=/admin/",
        {"username": teller.username, "password": "Staff-Password-2026", "otp_token": token},
    )

    assert client.get("/admin/").status_code == 200


def test_data_migration_moves_plain_otp_devices_to_encrypted_ones():
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    migration = importlib.import_module("accounts.migrations.0006_staffsod_staff_change_requests")
    teller = StaffFactory(roles=["TELLER"])
    old = TOTPDevice.objects.create(user=teller, name="legacy phone", confirmed=True, drift=1, last_t=42)

    migration.forwards(apps, None)

    assert not TOTPDevice.objects.exists()
    moved = StaffTOTPDevice.objects.get(user=teller)
    assert (moved.name, moved.key, moved.drift, moved.last_t, moved.confirmed) == (
        "legacy phone",
        old.key,
        1,
        42,
        True,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM accounts_stafftotpdevice WHERE id = %s", [moved.pk])
        assert cursor.fetchone()[0] != old.key


def test_user_page_links_to_requests_except_for_a_superuser_seen_by_a_non_superuser():
    administrator, _ = _admins()
    teller = StaffFactory(roles=["TELLER"])
    root = _superuser()
    client = admin_client_for(administrator)

    page = client.get(f"/admin/auth/user/{teller.pk}/change/").content.decode()
    assert f"{REQUESTS}add/?kind=SET_PASSWORD&amp;target={teller.pk}" in page

    root_page = client.get(f"/admin/auth/user/{root.pk}/change/")
    assert root_page.status_code == 200 and "?kind=SET_PASSWORD" not in root_page.content.decode()
