"""Review 2 (outside audit) findings on staff separation of duties, fixed: nobody holds both factors
of a colleague, approver independence is symmetric, branch and active status need a second
administrator, a branch's parent is fixed once created, departed makers' requests and old requests
are not applied, the device select shows only the target's authenticators."""

from __future__ import annotations

import base64
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_otp.oath import totp

from accounts.models import Branch, Customer, StaffChangeRequest, StaffProfile, StaffTOTPDevice
from accounts.selectors import customer_qs_visible_to_staff
from accounts.services.staff import (
    ApproverNotIndependent,
    StaffChangeRefused,
    staff_change_approve,
    staff_change_request_create,
)
from core.errors import DomainError
from core.models import AuditEvent
from core.money import Money
from payments.models import AdjustmentRequest
from payments.services.adjustments import adjustment_approve, adjustment_request_create
from tests.accounts.conftest import admin_client_for
from tests.factories import BranchFactory, StaffFactory
from tests.payments.conftest import _reference_data_present, alice  # noqa: F401
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import balance, staff_roles_ensure

pytestmark = pytest.mark.django_db

PASSWORD_KNOWN_TO_ATTACKER = "Quiet-Orchard-Rivers-31"


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


def _key_from_uri(uri: str) -> bytes:
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def _holds_both_factors(user: User, password: str, hex_or_raw_key: bytes) -> bool:
    user.refresh_from_db()
    device = StaffTOTPDevice.objects.filter(user=user).order_by("-pk").first()
    return bool(
        user.check_password(password) and device is not None and device.verify_token(str(totp(hex_or_raw_key)).zfill(6))
    )


def _user_form(user: User, **overrides: str) -> dict[str, str]:
    profile = StaffProfile.objects.get(user=user)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "staff_profile-TOTAL_FORMS": "1",
        "staff_profile-INITIAL_FORMS": "1",
        "staff_profile-MIN_NUM_FORMS": "0",
        "staff_profile-MAX_NUM_FORMS": "1",
        "staff_profile-0-id": str(profile.pk),
        "staff_profile-0-user": str(user.pk),
        "staff_profile-0-employee_no": profile.employee_no,
        "staff_profile-0-branch": str(profile.branch_id or ""),
    }
    data.update(overrides)
    return data


# --- Critical: one administrator with both factors of a colleague -----------------------------


@pytest.mark.parametrize("order", ["key_first", "password_first"])
def test_one_administrator_cannot_end_up_with_both_factors_of_a_colleague(order: str) -> None:
    """Found: the ADD_TOTP approver (shown the key) could also be the SET_PASSWORD maker: one admin held both factors."""
    mallory = StaffFactory(roles=["ADMINISTRATOR"])
    honest = StaffFactory(roles=["ADMINISTRATOR"])
    victim = StaffFactory(roles=["BRANCH_MANAGER"])

    refused = None
    key = b""
    try:
        if order == "key_first":
            enrol = staff_change_request_create(
                maker=honest, kind="ADD_TOTP", target=victim, details={"name": "new phone"}, reason="phone lost"
            )
            key = _key_from_uri(staff_change_approve(checker=mallory, change_request=enrol).provisioning_uri)
            reset = staff_change_request_create(
                maker=mallory,
                kind="SET_PASSWORD",
                target=victim,
                password=PASSWORD_KNOWN_TO_ATTACKER,
                reason="forgot password",
            )
            staff_change_approve(checker=honest, change_request=reset)
        else:
            reset = staff_change_request_create(
                maker=mallory,
                kind="SET_PASSWORD",
                target=victim,
                password=PASSWORD_KNOWN_TO_ATTACKER,
                reason="forgot password",
            )
            staff_change_approve(checker=honest, change_request=reset)
            enrol = staff_change_request_create(
                maker=honest, kind="ADD_TOTP", target=victim, details={"name": "new phone"}, reason="phone lost"
            )
            key = _key_from_uri(staff_change_approve(checker=mallory, change_request=enrol).provisioning_uri)
    except (StaffChangeRefused, ApproverNotIndependent) as error:
        refused = error

    assert refused is not None, (
        "mallory now holds the victim's password AND a fresh TOTP key "
        f"(login works: {_holds_both_factors(victim, PASSWORD_KNOWN_TO_ATTACKER, key)})"
    )
    assert refused.code == "both_factors"


def test_both_factors_rule_is_rechecked_at_approval_of_a_pending_password_reset() -> None:
    """A SET_PASSWORD asked before its maker approved the target's ADD_TOTP is refused at approval."""
    mallory, honest = StaffFactory(roles=["ADMINISTRATOR"]), StaffFactory(roles=["ADMINISTRATOR"])
    victim = StaffFactory(roles=["BRANCH_MANAGER"])
    reset = staff_change_request_create(
        maker=mallory, kind="SET_PASSWORD", target=victim, password=PASSWORD_KNOWN_TO_ATTACKER, reason="forgot"
    )
    enrol = staff_change_request_create(maker=honest, kind="ADD_TOTP", target=victim, reason="phone lost")
    staff_change_approve(checker=mallory, change_request=enrol)
    with pytest.raises(StaffChangeRefused) as refused:
        staff_change_approve(checker=honest, change_request=reset)
    assert refused.value.code == "both_factors"
    assert StaffChangeRequest.objects.get(pk=reset.pk).status == "PENDING"


def test_add_totp_key_is_not_shown_to_an_approver_who_is_also_the_target_creator() -> None:
    """Found: the creator of a new account (who chose its password) could approve its first ADD_TOTP and see the key."""
    admin_a = StaffFactory(roles=["ADMINISTRATOR"])
    admin_b = StaffFactory(roles=["ADMINISTRATOR"])
    create = staff_change_request_create(
        maker=admin_a,
        kind="CREATE_STAFF",
        roles=["BRANCH_MANAGER"],
        password=PASSWORD_KNOWN_TO_ATTACKER,
        details={"username": "newmgr"},
        reason="new hire",
    )
    staff_change_approve(checker=admin_b, change_request=create)
    target = User.objects.get(username="newmgr")
    enrol = staff_change_request_create(
        maker=admin_b, kind="ADD_TOTP", target=target, details={"name": "phone"}, reason="first authenticator"
    )
    with pytest.raises((StaffChangeRefused, ApproverNotIndependent)):
        staff_change_approve(checker=admin_a, change_request=enrol)
    assert StaffChangeRequest.objects.get(pk=enrol.pk).status == "PENDING"


# --- High: independence is symmetric ---------------------------------------------------------


def test_a_staff_member_cannot_approve_requests_of_an_account_they_created(alice: Customer) -> None:  # noqa: F811
    """Found: independence was one-way: the creator of a 'ghost' teller approved the ghost's MANUAL_CREDIT."""
    wallet = wallet_fund(alice, "1.00")
    admin_a = StaffFactory(roles=["ADMINISTRATOR"])
    admin_b = StaffFactory(roles=["ADMINISTRATOR"])

    create = staff_change_request_create(
        maker=admin_a,
        kind="CREATE_STAFF",
        roles=["TELLER"],
        password=PASSWORD_KNOWN_TO_ATTACKER,
        details={"username": "ghost", "branch": alice.home_branch_id},
        reason="new hire",
    )
    staff_change_approve(checker=admin_b, change_request=create)
    ghost = User.objects.get(username="ghost")
    enrol = staff_change_request_create(
        maker=admin_b, kind="ADD_TOTP", target=ghost, details={"name": "ghost phone"}, reason="first authenticator"
    )
    # The original attack went on with admin_a approving the ghost's ADD_TOTP (the key): now refused.
    with pytest.raises(StaffChangeRefused):
        staff_change_approve(checker=admin_a, change_request=enrol)

    # Whoever operates the ghost, its creator still does not approve its requests.
    credit = adjustment_request_create(
        maker=ghost, kind="MANUAL_CREDIT", reason="goodwill", amount=Money(5_000_00, "CNY"), target_account=wallet
    )
    with pytest.raises(ApproverNotIndependent):
        adjustment_approve(adjustment_id=credit.pk, checker=admin_a)

    assert AdjustmentRequest.objects.get(pk=credit.pk).status == "PENDING", (
        "admin_a approved a credit made by an account admin_a created days ago"
    )
    assert balance(wallet) == 1_00


@pytest.mark.parametrize("kind", ["SET_PASSWORD", "ADD_TOTP", "REMOVE_TOTP", "SET_ROLES"])
def test_a_checker_who_credentialed_the_maker_is_not_independent(kind: str) -> None:
    """Every kind that gives control over an account counts, whether the checker asked for it or approved it."""
    from accounts.services.staff import approver_ensure_independent

    admin_a, admin_b = StaffFactory(roles=["ADMINISTRATOR"]), StaffFactory(roles=["ADMINISTRATOR"])
    maker = StaffFactory(roles=["TELLER"])
    device = StaffTOTPDevice.objects.create(user=maker, name="old")
    extra: dict = {
        "SET_PASSWORD": {"password": PASSWORD_KNOWN_TO_ATTACKER},
        "ADD_TOTP": {},
        "REMOVE_TOTP": {"details": {"device": device.pk}},
        "SET_ROLES": {"roles": ["CUSTOMER_SERVICE"]},
    }[kind]
    change = staff_change_request_create(maker=admin_b, kind=kind, target=maker, reason="routine", **extra)
    staff_change_approve(checker=admin_a, change_request=change)
    for checker in (admin_a, admin_b):
        with pytest.raises(ApproverNotIndependent):
            approver_ensure_independent(maker=maker, checker=checker)


# --- High: branch, active status and branch tree need a second administrator ------------------


def test_one_administrator_cannot_move_a_teller_to_another_branch_alone(alice: Customer) -> None:  # noqa: F811
    """Found: one administrator moved a teller to another branch (StaffProfile inline) without a second person."""
    branch_a, branch_b = BranchFactory(), BranchFactory()
    Customer.objects.filter(pk=alice.pk).update(home_branch=branch_b)
    teller = StaffFactory(roles=["TELLER"], branch=branch_a)
    assert not customer_qs_visible_to_staff(teller).filter(pk=alice.pk).exists()
    admin = StaffFactory(roles=["ADMINISTRATOR"])

    response = admin_client_for(admin).post(
        f"/admin/auth/user/{teller.pk}/change/", _user_form(teller, **{"staff_profile-0-branch": str(branch_b.pk)})
    )
    assert response.status_code in (302, 403)

    teller = User.objects.get(pk=teller.pk)
    assert StaffProfile.objects.get(user=teller).branch_id == branch_a.pk, (
        "one administrator moved the teller to branch B without a StaffChangeRequest"
    )
    assert not customer_qs_visible_to_staff(teller).filter(pk=alice.pk).exists()


def test_one_administrator_cannot_reactivate_a_deactivated_administrator_alone() -> None:
    """Found: one administrator re-enabled a dormant colleague (is_active edited directly in the user form)."""
    admin = StaffFactory(roles=["ADMINISTRATOR"])
    dormant = StaffFactory(roles=["ADMINISTRATOR"])
    User.objects.filter(pk=dormant.pk).update(is_active=False)
    dormant.refresh_from_db()

    admin_client_for(admin).post(f"/admin/auth/user/{dormant.pk}/change/", _user_form(dormant, is_active="on"))

    assert not User.objects.get(pk=dormant.pk).is_active, "reactivated by a single administrator"


def test_one_administrator_cannot_graft_a_branch_under_another_branch_tree(alice: Customer) -> None:  # noqa: F811
    """Found: one administrator re-parented a branch (BranchAdmin), widening every teller's scope at once."""
    branch_a, branch_b = BranchFactory(), BranchFactory()
    Customer.objects.filter(pk=alice.pk).update(home_branch=branch_b)
    teller = StaffFactory(roles=["TELLER"], branch=branch_a)
    admin = StaffFactory(roles=["ADMINISTRATOR"])

    admin_client_for(admin).post(
        f"/admin/accounts/branch/{branch_b.pk}/change/",
        {"code": branch_b.code, "name": branch_b.name, "region": branch_b.region, "parent": str(branch_a.pk)},
    )

    assert Branch.objects.get(pk=branch_b.pk).parent_id is None, "branch B grafted under A by one administrator"
    assert not customer_qs_visible_to_staff(teller).filter(pk=alice.pk).exists()


def test_creating_a_branch_is_audited() -> None:
    """A new branch (and its parent, chosen once) is recorded in the audit log."""
    parent = BranchFactory()
    admin = StaffFactory(roles=["ADMINISTRATOR"])
    response = admin_client_for(admin).post(
        "/admin/accounts/branch/add/", {"code": "NEW01", "name": "New branch", "region": "N", "parent": parent.pk}
    )
    assert response.status_code == 302, response.content[:2000]
    branch = Branch.objects.get(code="NEW01")
    assert branch.parent_id == parent.pk
    event = AuditEvent.objects.get(action="accounts.branch.add", object_id=str(branch.pk))
    assert event.actor_id == admin.pk


def test_branch_and_active_status_change_through_a_second_administrator() -> None:
    """SET_BRANCH and SET_ACTIVE are requests a second, independent administrator applies (audited)."""
    branch_a, branch_b = BranchFactory(), BranchFactory()
    admin_a, admin_b = StaffFactory(roles=["ADMINISTRATOR"]), StaffFactory(roles=["ADMINISTRATOR"])
    teller = StaffFactory(roles=["TELLER"], branch=branch_a)

    move = staff_change_request_create(
        maker=admin_a, kind="SET_BRANCH", target=teller, details={"branch": branch_b.pk}, reason="transfer"
    )
    with pytest.raises(ApproverNotIndependent):
        staff_change_approve(checker=admin_a, change_request=move)
    staff_change_approve(checker=admin_b, change_request=move)
    assert StaffProfile.objects.get(user=teller).branch_id == branch_b.pk
    assert AuditEvent.objects.filter(action="accounts.staffprofile.branch", actor=admin_b).exists()

    leave = staff_change_request_create(
        maker=admin_a, kind="SET_ACTIVE", target=teller, details={"active": False}, reason="left the bank"
    )
    staff_change_approve(checker=admin_b, change_request=leave)
    assert not User.objects.get(pk=teller.pk).is_active
    assert AuditEvent.objects.filter(action="auth.user.active", actor=admin_b).exists()


def test_set_active_and_branch_through_the_admin_request_form() -> None:
    """The request form carries the branch and the active status into the request."""
    branch = BranchFactory()
    admin = StaffFactory(roles=["ADMINISTRATOR"])
    teller = StaffFactory(roles=["TELLER"])
    client = admin_client_for(admin)
    for kind, extra in (("SET_BRANCH", {"branch": str(branch.pk)}), ("SET_ACTIVE", {"active": "0"})):
        response = client.post(
            "/admin/accounts/staffchangerequest/add/",
            {"kind": kind, "target": str(teller.pk), "reason": "routine", **extra},
        )
        assert response.status_code == 302, response.content[:2000]
    assert StaffChangeRequest.objects.get(kind="SET_BRANCH").details == {"branch": branch.pk}
    assert StaffChangeRequest.objects.get(kind="SET_ACTIVE").details == {"active": False}


def test_nobody_deactivates_themselves_or_the_last_active_administrator() -> None:
    """Deactivating yourself, or the last active administrator, is refused."""
    admin = StaffFactory(roles=["ADMINISTRATOR"])
    with pytest.raises(StaffChangeRefused) as own:
        staff_change_request_create(
            maker=admin, kind="SET_ACTIVE", target=admin, details={"active": False}, reason="leaving"
        )
    assert own.value.code == "own_account"

    User.objects.filter(groups__name="ADMINISTRATOR").exclude(pk=admin.pk).update(is_active=False)
    superuser = User.objects.create_superuser("root-fix-sod", password=PASSWORD_KNOWN_TO_ATTACKER)
    with pytest.raises(StaffChangeRefused) as last:
        staff_change_request_create(
            maker=superuser, kind="SET_ACTIVE", target=admin, details={"active": False}, reason="leaving"
        )
    assert last.value.code == "last_administrator"


# --- Low: maker re-checked at approval; requests expire ---------------------------------------


def test_a_pending_request_of_a_maker_who_lost_the_right_to_ask_is_not_applied() -> None:
    """Found: approval did not re-check the maker: a deactivated, role-less admin's pending role grant was applied."""
    leaver = StaffFactory(roles=["ADMINISTRATOR"])
    checker = StaffFactory(roles=["ADMINISTRATOR"])
    accomplice = StaffFactory(roles=["TELLER"])
    change = staff_change_request_create(
        maker=leaver, kind="SET_ROLES", target=accomplice, roles=["BRANCH_MANAGER"], reason="promotion"
    )
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    leaver.groups.clear()

    with pytest.raises(DomainError) as refused:
        staff_change_approve(checker=checker, change_request=change)
    assert refused.value.code == "maker_not_allowed"

    assert StaffChangeRequest.objects.get(pk=change.pk).status == "PENDING", (
        "a deactivated, role-less maker's request was applied"
    )


def test_an_expired_request_cannot_be_approved(settings: object) -> None:
    """A request older than STAFF_CHANGE_REQUEST_TTL_HOURS is refused at approval (reject it and ask again)."""
    settings.STAFF_CHANGE_REQUEST_TTL_HOURS = 72  # type: ignore[attr-defined]
    maker, checker = StaffFactory(roles=["ADMINISTRATOR"]), StaffFactory(roles=["ADMINISTRATOR"])
    teller = StaffFactory(roles=["TELLER"])
    change = staff_change_request_create(
        maker=maker, kind="SET_ROLES", target=teller, roles=["CUSTOMER_SERVICE"], reason="routine"
    )
    StaffChangeRequest.objects.filter(pk=change.pk).update(requested_at=timezone.now() - timedelta(hours=73))
    with pytest.raises(StaffChangeRefused) as expired:
        staff_change_approve(checker=checker, change_request=change)
    assert expired.value.code == "request_expired"
    assert StaffChangeRequest.objects.get(pk=change.pk).status == "PENDING"


# --- Low: the device select ------------------------------------------------------------------


def test_remove_totp_device_select_lists_only_the_targets_devices_never_a_superusers() -> None:
    """Found (no auditor test): the device select listed every staff member's devices, superusers' included."""
    admin = StaffFactory(roles=["ADMINISTRATOR"])
    target, other = StaffFactory(roles=["TELLER"]), StaffFactory(roles=["TELLER"])
    superuser = User.objects.create_superuser("root-devices", password=PASSWORD_KNOWN_TO_ATTACKER)
    mine = StaffTOTPDevice.objects.create(user=target, name="target-phone")
    theirs = StaffTOTPDevice.objects.create(user=other, name="other-phone")
    root = StaffTOTPDevice.objects.create(user=superuser, name="root-phone")
    client = admin_client_for(admin)

    def choices(query: str) -> set[int]:
        response = client.get(f"/admin/accounts/staffchangerequest/add/{query}")
        assert response.status_code == 200
        return {device.pk for device in response.context["adminform"].form.fields["device"].queryset}

    assert choices(f"?kind=REMOVE_TOTP&target={target.pk}") == {mine.pk}
    assert choices(f"?kind=REMOVE_TOTP&target={superuser.pk}") == set()
    assert choices("?kind=REMOVE_TOTP") == set()
    assert theirs.pk not in choices(f"?target={target.pk}") and root.pk not in choices(f"?target={target.pk}")

    response = client.post(
        "/admin/accounts/staffchangerequest/add/",
        {"kind": "REMOVE_TOTP", "target": str(target.pk), "device": str(theirs.pk), "reason": "lost phone"},
    )
    assert not StaffChangeRequest.objects.filter(kind="REMOVE_TOTP").exists(), response.status_code
