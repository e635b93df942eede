"""Review 2: single-administrator changes that bypass the StaffChangeRequest maker-checker, and the
FX deviation bound that ignores the spread."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from accounts.models import Customer, StaffProfile
from accounts.selectors import customer_qs_visible_to_staff
from payments.models import FxRate
from payments.services.fx import FxRateDeviationTooLarge, fx_rate_approve, fx_rate_propose
from tests.accounts.conftest import admin_client_for
from tests.factories import BranchFactory, StaffFactory
from tests.payments.factories_movements import fx_rate_make, staff_roles_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


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


def test_one_administrator_cannot_move_a_teller_to_another_branch_alone(alice: Customer) -> None:
    """Claim: changes to staff scope need a second administrator; every object is branch-scoped.

    Break: the branch lives on the StaffProfile inline of the user form, which one administrator
    edits directly (audited only). Moving a teller to branch B gives that teller branch B's
    customers, wallets, transfers, and maker rights there, with no second person involved.
    """
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
    """Break: is_active is edited directly. One administrator re-enables a dormant (e.g. departed)
    colleague's account, credentials and roles intact (or deactivates every other administrator
    so that no second approver is left). Expected: reactivation goes through a request."""
    admin = StaffFactory(roles=["ADMINISTRATOR"])
    dormant = StaffFactory(roles=["ADMINISTRATOR"])
    User.objects.filter(pk=dormant.pk).update(is_active=False)
    dormant.refresh_from_db()

    admin_client_for(admin).post(f"/admin/auth/user/{dormant.pk}/change/", _user_form(dormant, is_active="on"))

    assert not User.objects.get(pk=dormant.pk).is_active, "reactivated by a single administrator"


def test_spread_change_is_bounded_like_the_mid_rate() -> None:
    """Claim: FX rates need a second approver and a deviation bound.

    Break: the deviation bound looks at mid_rate only. A proposer keeps the mid and moves the
    spread from 50 bps to 4999 bps (~50 % each side) with no override reason; the approver is shown
    no deviation and quotes price customers at half value. Expected: FxRateDeviationTooLarge (or a
    separate spread bound) without an override reason.
    """
    fx_rate_make("USD", "CNY", "7.1000", spread_bps=50)
    maker = StaffFactory(roles=["ADMINISTRATOR"])
    checker = StaffFactory(roles=["ADMINISTRATOR"])

    with pytest.raises(FxRateDeviationTooLarge):
        rate = fx_rate_propose(
            base="USD", quote="CNY", mid_rate=Decimal("7.1000"), spread_bps=4999, set_by=maker
        )
        fx_rate_approve(rate_id=rate.pk, checker=checker)
    assert not FxRate.objects.filter(spread_bps=4999, status=FxRate.Status.APPROVED).exists()


def test_one_administrator_cannot_graft_a_branch_under_another_branch_tree(alice: Customer) -> None:
    """Break: Branch.parent is edited directly by one administrator (BranchAdmin, audited only).
    Re-parenting branch B under branch A silently gives EVERY teller and manager of A the
    customers, wallets, transfers and approval queue of B (scope = branch tree). A change of
    scope for many staff at once, without a second administrator."""
    from accounts.models import Branch

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
