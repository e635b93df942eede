"""Review 2 on the branch desk: browse scope vs search scope, the audited and rate-limited exact
search, the reveal's reason and rate limit, the development SMS page."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from accounts.models import Customer
from accounts.pii import phone_index
from accounts.selectors import SEARCH_GRANT_SECONDS, SEARCH_GRANT_SESSION_KEY
from accounts.services.desk import REVEAL_LIMIT, SEARCH_MISS_LIMIT
from accounts.services.staff import customer_mask
from core.models import AuditEvent
from tests.accounts.conftest import admin_client_for
from tests.factories import BranchFactory, CustomerFactory, StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import staff_roles_ensure

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/customer/"
SEARCH = "/admin/accounts/customer/search/"
PHONE = "+8613871234567"


@pytest.fixture(autouse=True)
def _roles(db: None) -> None:
    staff_roles_ensure()


def _customer(branch) -> Customer:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_branch=branch)
    Customer.objects.filter(pk=customer.pk).update(phone=PHONE, phone_index=phone_index(PHONE))
    customer.refresh_from_db()
    return customer


def test_customer_service_cannot_open_a_customer_page_by_enumerating_ids() -> None:
    """Found: customer service (and tellers, for app customers) opened any customer page by counting up integer ids."""
    branch_a, branch_b = BranchFactory(), BranchFactory()
    customer = _customer(branch_b)
    wallet_fund(customer, "88.00")
    client = admin_client_for(StaffFactory(roles=["CUSTOMER_SERVICE"], branch=branch_a))

    guessed = client.get(f"{CHANGELIST}{customer.pk}/change/")
    searched = client.post(SEARCH, {"q": PHONE})
    opened = client.get(searched["Location"])

    assert guessed.status_code != 200
    assert searched.status_code == 302 and searched["Location"] == f"{CHANGELIST}{customer.pk}/change/"
    assert opened.status_code == 200 and "88.00 CNY" in opened.content.decode()  # payments panel too
    # The list itself stays the branch tree; the grant expires after 15 minutes.
    assert customer not in client.get(CHANGELIST).context["cl"].result_list
    session = client.session
    session[SEARCH_GRANT_SESSION_KEY] = {str(customer.pk): time.time() - SEARCH_GRANT_SECONDS - 1}
    session.save()
    assert client.get(f"{CHANGELIST}{customer.pk}/change/").status_code != 200


def test_a_teller_without_reveal_cannot_unmask_a_phone_through_the_search_box() -> None:
    """Found: the exact search confirmed a masked phone's hidden digits, unaudited and unthrottled."""
    branch = BranchFactory()
    customer = _customer(branch)
    teller = StaffFactory(roles=["TELLER"], branch=branch)
    head, tail = customer_mask(customer, "phone").split("****")
    client = admin_client_for(teller)

    for guess in range(SEARCH_MISS_LIMIT):
        response = client.get(CHANGELIST, {"q": f"{head}{guess:04d}{tail}"})
        assert response.status_code == 200 and list(response.context["cl"].result_list) == []
    refused = client.post(SEARCH, {"q": PHONE}, follow=True)  # the right number, past the limit

    assert refused.status_code == 200 and _says(
        refused.content.decode(),
        "Too many searches that found nobody. Wait a few minutes, or ask a colleague who may reveal the data.",
    )
    assert refused.redirect_chain[-1][0] == CHANGELIST  # not the customer's page
    events = AuditEvent.objects.filter(actor=teller, action="accounts.customer.search")
    assert events.count() == SEARCH_MISS_LIMIT + 1
    assert events.filter(changes__matched=False).count() == SEARCH_MISS_LIMIT
    assert events.filter(changes__throttled=True).count() == 1
    assert not any("1234567" in str(e.changes) + e.object_repr for e in events)  # never the number in clear


def test_home_page_search_posts_and_an_exact_match_is_audited_and_gives_back_its_attempt() -> None:
    branch = BranchFactory()
    customer = _customer(branch)
    teller = StaffFactory(roles=["TELLER"], branch=branch)
    client = admin_client_for(teller)

    home = client.get("/admin/").content.decode()
    for _ in range(SEARCH_MISS_LIMIT + 5):
        found = client.post(SEARCH, {"q": PHONE})
        assert found["Location"] == f"{CHANGELIST}{customer.pk}/change/"

    assert f'method="post" action="{SEARCH}"' in home
    assert f'method="post" action="{SEARCH}"' in client.get(CHANGELIST).content.decode()  # the list's box too
    event = AuditEvent.objects.filter(actor=teller, action="accounts.customer.search").last()
    assert event is not None and event.changes["matched"] is True and event.object_id == str(customer.pk)
    assert event.changes["term_index"] == phone_index(PHONE)


def test_reveal_needs_a_meaningful_reason() -> None:
    """Found: a two-character reason was enough to reveal a masked field."""
    branch = BranchFactory()
    customer = _customer(branch)
    client = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=branch))
    url = f"{CHANGELIST}{customer.pk}/reveal/"

    short = client.post(url, {"field": "phone", "reason": "  ok   "})
    good = client.post(url, {"field": "phone", "reason": "caller verified at the counter"})

    assert PHONE not in short.content.decode()
    assert PHONE in good.content.decode()
    assert AuditEvent.objects.filter(action="accounts.customer.reveal").count() == 1


def test_reveals_are_rate_limited_per_staff_member() -> None:
    """Found: reveals were unlimited per staff member."""
    branch = BranchFactory()
    customer = _customer(branch)
    client = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"], branch=branch))
    url = f"{CHANGELIST}{customer.pk}/reveal/"

    for _ in range(REVEAL_LIMIT):
        assert PHONE in client.post(url, {"field": "phone", "reason": "caller verified"}).content.decode()
    refused = client.post(url, {"field": "phone", "reason": "caller verified"}).content.decode()

    assert PHONE not in refused and _says(refused, "Too many reveals in the last hour. Try again later.")
    assert AuditEvent.objects.filter(action="accounts.customer.reveal").count() == REVEAL_LIMIT


def test_dev_sms_page_is_for_superusers_and_administrators_only() -> None:
    """Found: any staff member (a teller) read every customer's one-time codes on the dev SMS page."""
    branch = BranchFactory()
    url = reverse("admin:accounts_customer_dev_sms")
    teller = admin_client_for(StaffFactory(roles=["TELLER"], branch=branch))
    administrator = admin_client_for(StaffFactory(roles=["ADMINISTRATOR"], branch=branch))

    assert teller.get(url).status_code == 403
    assert reverse("admin:accounts_customer_dev_sms") not in teller.get("/admin/").content.decode()
    assert administrator.get(url).status_code == 200


def _says(html: str, message: str) -> bool:
    """The page shows ``message`` in the language it was rendered in (zh-hans by default)."""
    from django.utils import translation
    from django.utils.html import escape

    with translation.override("zh-hans"):
        translated = translation.gettext(message)
    return escape(translated) in html or escape(message) in html
