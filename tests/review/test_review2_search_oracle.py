"""Review 2: the exact-search box is an un-audited, un-throttled oracle that unmasks phone numbers.

The list and the customer page show ``138****5678`` (7 of 11 digits). The changelist search
answers "found / not found" for any full phone number, for staff WITHOUT
``accounts.reveal_customer_pii`` (tellers, customer service: bank-wide). 10,000 guesses of the
four hidden digits recover the full number; no audit event, no rate limit.
"""

from __future__ import annotations

import pytest
from django.contrib import admin as dj_admin
from django.test import RequestFactory

from accounts.models import Customer
from accounts.services.staff import customer_mask
from core.models import AuditEvent
from tests.accounts.conftest import admin_client_for
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.payments.factories_movements import staff_roles_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


def test_a_teller_without_reveal_cannot_unmask_a_phone_through_the_search_box() -> None:
    branch = BranchFactory()
    customer = CustomerFactory(home_branch=branch)
    Customer.objects.filter(pk=customer.pk).update(phone="+8613871234567")
    from accounts.pii import phone_index

    Customer.objects.filter(pk=customer.pk).update(phone_index=phone_index("+8613871234567"))
    customer.refresh_from_db()
    teller = StaffFactory(roles=["TELLER"], branch=branch)
    assert not teller.has_perm("accounts.reveal_customer_pii")
    masked = customer_mask(customer, "phone")  # what the teller sees: 138****4567
    head, tail = masked.split("****")

    # Through HTTP: a burst of wrong guesses is answered without throttling.
    client = admin_client_for(teller)
    for guess in range(40):
        response = client.get("/admin/accounts/customer/", {"q": f"{head}{guess:04d}{tail}"})
        assert response.status_code == 200
    # The full sweep through the admin's own search (same code path, no HTTP overhead).
    admin = dj_admin.site._registry[Customer]
    request = RequestFactory().get("/admin/accounts/customer/")
    request.user = teller
    scope = admin.get_queryset(request)
    recovered = None
    for guess in range(10_000):
        phone = f"{head}{guess:04d}{tail}"
        if admin.get_search_results(request, scope, phone)[0].exists():
            recovered = phone
            break

    assert recovered == "13871234567"  # the oracle works
    audited = AuditEvent.objects.filter(actor=teller).exists()
    assert audited, "full phone number recovered by a role without reveal: no audit, no throttle"
