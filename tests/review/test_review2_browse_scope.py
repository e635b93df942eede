"""Review 2: branch scoping of the payments admin for customer service and tellers.

Claim (docs/accounts.md "Who finds whom"): customer service finds any customer by full phone /
ID / customer id but BROWSES only their branch tree; tellers browse their branch tree and find
unattributed app customers by exact search only. The customer changelist enforces this
(``get_search_results``), but every payments admin scopes with ``customer_qs_visible_to_staff``
(the *search* scope), so the browse limit does not exist there.
"""

from __future__ import annotations

import pytest

from accounts.models import Customer
from payments.models import LedgerAccount, Transfer
from tests.accounts.conftest import admin_client_for
from tests.factories import BranchFactory, StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import staff_roles_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


def _listed(client, url: str) -> set[int]:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_customer_service_cannot_browse_other_branches_wallets_and_transfers(alice: Customer) -> None:
    branch_a, branch_b = BranchFactory(), BranchFactory()
    Customer.objects.filter(pk=alice.pk).update(home_branch=branch_b)
    wallet = wallet_fund(alice, "88.00")
    topup = Transfer.objects.filter(postings__account=wallet).first()
    agent = StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branch_a)
    client = admin_client_for(agent)

    # The customer list holds (no browsing of branch B) ...
    assert alice.pk not in _listed(client, "/admin/accounts/customer/")
    # ... but the payments lists, with no search at all, show branch B's wallet and its money.
    assert wallet.pk not in _listed(client, "/admin/payments/ledgeraccount/"), "CS browses every wallet bank-wide"
    assert topup.pk not in _listed(client, "/admin/payments/transfer/"), "CS browses every transfer bank-wide"


def test_teller_cannot_browse_unattributed_app_customers_wallets(alice: Customer) -> None:
    branch_a = BranchFactory()
    Customer.objects.filter(pk=alice.pk).update(home_branch=None)  # registered in the app
    wallet = wallet_fund(alice, "88.00")
    teller = StaffFactory(roles=["TELLER"], branch=branch_a)
    client = admin_client_for(teller)

    assert alice.pk not in _listed(client, "/admin/accounts/customer/")
    assert wallet.pk not in _listed(client, "/admin/payments/ledgeraccount/"), (
        "every branch's tellers browse all app customers' wallets and balances"
    )
    assert LedgerAccount.objects.filter(pk=wallet.pk).exists()


def test_customer_service_cannot_open_a_customer_page_by_enumerating_ids(alice: Customer) -> None:
    """The change view is scoped with the search scope too: customer service (and a teller, for app
    customers) opens ``/admin/accounts/customer/<pk>/change/`` for sequential integer pks, without
    ever knowing the phone or ID number: browsing by URL."""
    branch_a, branch_b = BranchFactory(), BranchFactory()
    Customer.objects.filter(pk=alice.pk).update(home_branch=branch_b)
    agent = StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branch_a)

    response = admin_client_for(agent).get(f"/admin/accounts/customer/{alice.pk}/change/")

    assert response.status_code != 200, "opened a branch-B customer by guessing the integer id"
