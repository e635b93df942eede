"""List endpoints and the customer changelist run a fixed number of queries (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Consent
from tests.accounts.conftest import admin_client_for, bearer_client
from tests.factories import BranchFactory, CustomerFactory, LinkedCardFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/api/v1/cards", "/api/v1/me/devices", "/api/v1/me/consents", "/api/v1/me"])
def test_customer_list_endpoints_do_not_grow_with_rows(url):
    customer = CustomerFactory()
    client = bearer_client(customer)
    LinkedCardFactory(customer=customer)
    Consent.objects.create(customer=customer, purpose="TERMS", version="1")
    bearer_client(CustomerFactory()).get(url)  # the connection's first token read prepares it (core.prepared)
    few = _queries(client, url)

    for i in range(5):
        LinkedCardFactory(customer=customer)
        Consent.objects.create(customer=customer, purpose="PRIVACY", version=str(i))
        bearer_client(customer, device_id=f"extra-device-{i:04d}")
    client = bearer_client(customer)

    assert _queries(client, url) == few
    assert few <= 6


def test_customer_changelist_query_count_is_flat():
    branch = BranchFactory()
    client = admin_client_for(StaffFactory(roles=["TELLER"], branch=branch))
    CustomerFactory(home_branch=branch)
    client.get("/admin/accounts/customer/")  # warm the session and content-type caches
    few = _queries(client, "/admin/accounts/customer/")

    CustomerFactory.create_batch(10, home_branch=branch)

    assert _queries(client, "/admin/accounts/customer/") == few
