"""Review 2 (outside audit): ways around the staff maker-checker and approver independence.

Each test states the claim it breaks; a failing assertion is the finding.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import User
from django_otp.oath import totp

from accounts.models import Customer, StaffChangeRequest, StaffTOTPDevice
from accounts.services.staff import (
    ApproverNotIndependent,
    StaffChangeRefused,
    staff_change_approve,
    staff_change_request_create,
)
from core.errors import DomainError
from core.money import Money
from payments.models import AdjustmentRequest
from payments.services.adjustments import adjustment_approve, adjustment_request_create
from tests.factories import StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import balance, staff_roles_ensure

pytestmark = pytest.mark.django_db

PASSWORD_KNOWN_TO_ATTACKER = "Quiet-Orchard-Rivers-31"


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


def _key_from_uri(uri: str) -> bytes:
    import base64

    secret = parse_qs(urlparse(uri).query)["secret"][0]
    return base64.b32decode(secret + "=" * (-len(secret) % 8))


def _holds_both_factors(user: User, password: str, hex_or_raw_key: bytes) -> bool:
    user.refresh_from_db()
    device = StaffTOTPDevice.objects.filter(user=user).order_by("-pk").first()
    return bool(
        user.check_password(password)
        and device is not None
        and device.verify_token(str(totp(hex_or_raw_key)).zfill(6))
    )


@pytest.mark.parametrize("order", ["key_first", "password_first"])
def test_one_administrator_cannot_end_up_with_both_factors_of_a_colleague(order: str) -> None:
    """Claim: nobody can take over another staff account without a second, independent admin.

    Break: the approver of an ADD_TOTP request receives the new key; nothing stops that same
    person from being the maker of a SET_PASSWORD request on the same target (or the maker of the
    SET_PASSWORD from approving the ADD_TOTP). Two routine-looking requests, each with a
    "second administrator", leave ONE administrator (mallory) holding the victim's password and
    TOTP key: a full takeover without the honest colleague (alice_admin) knowing.
    """
    mallory = StaffFactory(roles=["ADMINISTRATOR"])
    honest = StaffFactory(roles=["ADMINISTRATOR"])
    victim = StaffFactory(roles=["BRANCH_MANAGER"])

    refused = None
    key = b""
    try:
        if order == "key_first":
            # honest asks for a new authenticator ("phone lost"); mallory approves and sees the key.
            enrol = staff_change_request_create(
                maker=honest, kind="ADD_TOTP", target=victim, details={"name": "new phone"}, reason="phone lost"
            )
            key = _key_from_uri(staff_change_approve(checker=mallory, change_request=enrol).provisioning_uri)
            # mallory then asks for a password reset with a password she chose; honest approves.
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


def test_a_staff_member_cannot_approve_requests_of_an_account_they_created(alice: Customer) -> None:
    """Claim: an approver is independent of the maker (not created/promoted by them recently).

    Break: the check is one-directional. It refuses a checker created by the maker, but not a
    MAKER created by the checker. Admin A has a teller account created (B approves, routine), gets
    its authenticator key by approving its ADD_TOTP (B asks, routine) and knows its password (A set
    it): A now operates the 'ghost' teller, files a MANUAL_CREDIT as the ghost and approves it as
    A. One person made and checked the money movement.
    """
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
    key = _key_from_uri(staff_change_approve(checker=admin_a, change_request=enrol).provisioning_uri)
    assert _holds_both_factors(ghost, PASSWORD_KNOWN_TO_ATTACKER, key)  # admin_a fully controls "ghost"

    credit = adjustment_request_create(
        maker=ghost, kind="MANUAL_CREDIT", reason="goodwill", amount=Money(5_000_00, "CNY"), target_account=wallet
    )
    try:
        adjustment_approve(adjustment_id=credit.pk, checker=admin_a)
    except DomainError:
        pass

    assert AdjustmentRequest.objects.get(pk=credit.pk).status == "PENDING", (
        "admin_a approved a credit made by an account admin_a created days ago"
    )
    assert balance(wallet) == 1_00


def test_add_totp_key_is_not_shown_to_an_approver_who_is_also_the_target_creator() -> None:
    """Variant of the first finding on a brand-new account: the creator (who chose the password)
    may approve its first ADD_TOTP and receives the key. Expected: refused."""
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


def test_a_pending_request_of_a_maker_who_lost_the_right_to_ask_is_not_applied() -> None:
    """Break (lower severity): requests never expire, and approval re-checks the checker but not
    the maker. A request filed by an administrator who has since been deactivated (left the bank)
    or lost the ADMINISTRATOR role is still applied by any second administrator, e.g. a role
    grant the departed admin planted for an accomplice."""
    leaver = StaffFactory(roles=["ADMINISTRATOR"])
    checker = StaffFactory(roles=["ADMINISTRATOR"])
    accomplice = StaffFactory(roles=["TELLER"])
    change = staff_change_request_create(
        maker=leaver, kind="SET_ROLES", target=accomplice, roles=["BRANCH_MANAGER"], reason="promotion"
    )
    User.objects.filter(pk=leaver.pk).update(is_active=False)
    leaver.groups.clear()

    try:
        staff_change_approve(checker=checker, change_request=change)
    except DomainError:
        pass

    assert StaffChangeRequest.objects.get(pk=change.pk).status == "PENDING", (
        "a deactivated, role-less maker's request was applied"
    )
