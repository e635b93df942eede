"""Authorization matrix of the admin pages added by accounts: who reaches which page.

Rows: anonymous, staff without a verified TOTP device (none / unconfirmed), a teller of another
branch, the owning branch's teller, a branch manager, an auditor. A ``302`` to the login page
means "not in"; for a foreign customer the admin answers ``302`` to the index (does not exist) or 404.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import admin_client_for
from tests.factories import BranchFactory, CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


@pytest.fixture
def world():
    x, y = BranchFactory(code="MX001"), BranchFactory(code="MY001")
    customer = CustomerFactory(home_branch=x)
    base = f"/admin/accounts/customer/{customer.pk}/"
    pages = {
        "changelist": "/admin/accounts/customer/",
        "change": f"{base}change/",
        "add": "/admin/accounts/customer/add/",
        "reveal": f"{base}reveal/",
        "freeze": f"{base}status/freeze/",
        "history": f"{base}history/",
        "branches": "/admin/accounts/branch/",
        "kyc_tiers": "/admin/accounts/kyctier/",
        "users": "/admin/auth/user/",
        "audit": "/admin/core/auditevent/",
        "audit_export": "/admin/core/auditevent/export/",
        "passkeys": "/admin/passkeys/",  # your own passkeys: every verified staff member
    }
    return {"x": x, "y": y, "pages": pages}


def _client(kind: str, world) -> Client:
    if kind == "anonymous":
        return Client()
    if kind == "no_totp":
        return admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=world["x"]), verified=False)
    if kind == "unconfirmed_totp":
        user = StaffFactory(roles=["BRANCH_MANAGER"], branch=world["x"])
        client = admin_client_for(user, verified=False)
        device = TOTPDevice.objects.create(user=user, name="not confirmed", confirmed=False)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client
    roles, branch = {
        "teller_y": (["TELLER"], "y"),
        "teller_x": (["TELLER"], "x"),
        "manager_x": (["BRANCH_MANAGER"], "x"),
        "auditor": (["AUDITOR"], "x"),
        "administrator": (["ADMINISTRATOR"], "x"),
    }[kind]
    return admin_client_for(StaffFactory(roles=roles, branch=world[branch]))


IN, LOGIN_REDIRECT, GONE, DENIED, NOT_FOUND = 200, "login", "gone", 403, 404

# page -> expected per kind; kinds not listed are LOGIN_REDIRECT (anonymous / no TOTP / unconfirmed)
EXPECTED = {
    "teller_y": {
        "changelist": IN,
        "change": GONE,
        "add": IN,
        "reveal": DENIED,
        "freeze": DENIED,
        "history": GONE,
        "branches": DENIED,
        "kyc_tiers": DENIED,
        "users": DENIED,
        "audit": DENIED,
        "audit_export": DENIED,
        "passkeys": IN,
    },
    "teller_x": {
        "changelist": IN,
        "change": IN,
        "add": IN,
        "reveal": DENIED,
        "freeze": DENIED,
        "history": IN,
        "branches": DENIED,
        "kyc_tiers": DENIED,
        "users": DENIED,
        "audit": DENIED,
        "audit_export": DENIED,
        "passkeys": IN,
    },
    "manager_x": {
        "changelist": IN,
        "change": IN,
        "add": IN,
        "reveal": IN,
        "freeze": IN,
        "history": IN,
        "branches": IN,
        "kyc_tiers": DENIED,
        "users": DENIED,
        "audit": DENIED,
        "audit_export": DENIED,
        "passkeys": IN,
    },
    "auditor": {
        "changelist": IN,
        "change": IN,
        "add": DENIED,
        "reveal": DENIED,
        "freeze": DENIED,
        "history": IN,
        "branches": IN,
        "kyc_tiers": IN,
        "users": DENIED,
        "audit": IN,
        "audit_export": IN,
        "passkeys": IN,
    },
    "administrator": {
        "changelist": IN,
        "change": IN,
        "add": IN,
        "reveal": DENIED,
        "freeze": IN,
        "history": IN,
        "branches": IN,
        "kyc_tiers": IN,
        "users": IN,
        "audit": DENIED,
        "audit_export": DENIED,
        "passkeys": IN,
    },
}


@pytest.mark.parametrize("kind", ["anonymous", "no_totp", "unconfirmed_totp"])
def test_no_admin_page_without_a_verified_second_factor(world, kind):
    client = _client(kind, world)

    for name, url in world["pages"].items():
        response = client.get(url)
        assert response.status_code == 302, (name, response.status_code)
        assert response["Location"].startswith(LOGIN), name


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_admin_pages_by_role_and_branch(world, kind):
    client = _client(kind, world)
    outcome = {}

    for name, url in world["pages"].items():
        response = client.get(url)
        if response.status_code == 302 and response["Location"] == "/admin/":
            outcome[name] = GONE
        else:
            outcome[name] = response.status_code

    assert outcome == EXPECTED[kind]
