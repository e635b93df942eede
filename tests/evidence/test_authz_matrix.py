"""Authorization matrix generated from the URL conf: every /api/v1/ endpoint x caller.

Callers: anonymous, the owner, another customer, and (for the admin) staff of another branch.

- anonymous: 401 on every route and method, except the explicit allow-list in ``routes.py``
  (each entry says why); allow-listed routes must still not fail with a 5xx.
- another customer: 404/403 on every route addressing the owner's object (URL kwargs filled from
  objects created for the owner, ``world.OBJECT_ROUTES``); the owner's GET of the same URL is 200,
  so the check is not vacuous. A route with URL kwargs and no owner fixture FAILS.
- list endpoints: another customer's response never contains the owner's identifiers.
- admin: a teller of another branch never sees a customer-bearing object of this branch.

Nothing here is hand-listed per endpoint: a new route is in the matrix the moment it is in the URL
conf, and fails the suite until it is protected (or allow-listed with a reason).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client, RequestFactory, override_settings
from django.urls import path

from accounts.models import Customer, StaffRole
from tests.evidence.routes import Route, api_routes
from tests.evidence.world import fund, make_actor, owned_kwargs
from tests.factories import BranchFactory, StaffFactory

ROUTES = api_routes()
DENIED = {403, 404}


def _call(client: Client, method: str, url: str, **extra: Any) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": f"authz-{uuid.uuid4()}", **extra}
    if method in ("get", "delete"):
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(url, data=json.dumps({}), content_type="application/json", **headers)


def anonymous_problems(routes: list[Route]) -> list[str]:
    """Every (route, method) where an anonymous caller is not refused as it should be."""
    client = Client()
    problems = []
    for route in routes:
        for method in route.methods:
            response = _call(client, method, route.path())
            reason = route.anonymous_reason
            if reason is None and response.status_code != 401:
                problems.append(f"{method.upper()} /{route.route} -> {response.status_code} to anonymous (want 401)")
            if response.status_code >= 500:
                problems.append(f"{method.upper()} /{route.route} -> {response.status_code} (5xx) to anonymous")
    return problems


# --- the generated list itself -------------------------------------------------------------------
def test_route_list_is_generated_from_the_url_conf_and_not_empty() -> None:
    routes = {r.route for r in ROUTES}

    assert "api/v1/schema" in routes
    assert all(r.route.startswith("api/v1/") for r in ROUTES)
    assert all(r.methods for r in ROUTES), [r.route for r in ROUTES if not r.methods]


def test_allow_list_entries_each_carry_a_reason() -> None:
    from tests.evidence.routes import ANONYMOUS_ALLOWED

    assert all(len(reason) > 10 for reason in ANONYMOUS_ALLOWED.values())


# --- anonymous ----------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_anonymous_caller_is_refused_unless_allow_listed(route: Route) -> None:
    assert anonymous_problems([route]) == []


@pytest.mark.django_db
def test_unknown_unprotected_route_fails_closed() -> None:
    """A new endpoint that forgot its permission check is reported by the same matrix code."""
    from rest_framework.permissions import AllowAny
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class LeakyApi(APIView):
        permission_classes = [AllowAny]

        def get(self, request: Any) -> Response:
            return Response({"secret": "balance"})

    urlconf = type("urlconf", (), {"urlpatterns": [path("api/v1/leaky", LeakyApi.as_view(), name="leaky")]})
    with override_settings(ROOT_URLCONF=urlconf):
        from django.urls import clear_url_caches

        clear_url_caches()
        try:
            routes = api_routes()
            problems = anonymous_problems(routes)
        finally:
            clear_url_caches()

    assert [r.route for r in routes] == ["api/v1/leaky"]
    assert problems == ["GET /api/v1/leaky -> 200 to anonymous (want 401)"]


# --- another customer on the owner's objects ----------------------------------------------------
OBJECT_ROUTES = [r for r in ROUTES if r.kwargs and r.anonymous_reason is None]


def test_every_object_route_has_an_owner_fixture() -> None:
    """Fail closed: an object endpoint with no way to create the owner's object is not yet checked."""
    missing = [r.route for r in OBJECT_ROUTES if not _has_fixture(r)]

    assert missing == [], "add an owner-object factory for these routes to tests/evidence/world.py OBJECT_ROUTES"


def _has_fixture(route: Route) -> bool:
    import re

    from tests.evidence.world import OBJECT_ROUTES as FACTORIES

    return any(re.search(pattern, route.route) for pattern in FACTORIES)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [r for r in OBJECT_ROUTES if _has_fixture(r)] or [None],
    ids=[r.id for r in OBJECT_ROUTES if _has_fixture(r)] or ["none-yet"],
)
def test_another_customer_cannot_reach_the_owners_object(route: Route | None) -> None:
    if route is None:
        pytest.skip("no object routes under /api/v1/ yet")
    owner, other = make_actor(), make_actor()
    fund(owner)
    values = owned_kwargs(route.route, owner)
    assert values is not None
    url = route.path(values)
    client = Client()

    if "get" in route.methods:
        mine = client.get(url, **owner.auth)
        assert mine.status_code == 200, f"owner GET {url} -> {mine.status_code}: the fixture does not address it"
    results = {m: _call(client, m, url, **other.auth).status_code for m in route.methods}

    assert {m: s for m, s in results.items() if s not in DENIED} == {}
    if "get" in route.methods:
        assert client.get(url, **owner.auth).status_code == 200  # the owner's object is untouched


# --- list endpoints never show the owner's data to another customer -----------------------------
LIST_ROUTES = [r for r in ROUTES if not r.kwargs and "get" in r.methods and r.anonymous_reason is None]


@pytest.mark.django_db
def test_list_endpoints_never_show_another_customers_data() -> None:
    owner, other = make_actor(), make_actor()
    fund(owner)
    fund(other)
    from tests.evidence.world import OBJECT_ROUTES as FACTORIES

    for make in FACTORIES.values():
        make(owner)
    client = Client()

    leaks = {}
    for route in LIST_ROUTES:
        response = client.get(route.path(), **other.auth)
        assert response.status_code < 500, f"GET /{route.route} -> {response.status_code}"
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode("utf-8", "replace")
        found = sorted(s for s in owner.secrets if s and s in body)
        if found:
            leaks[route.route] = found

    assert leaks == {}


# --- admin: staff of another branch ---------------------------------------------------------------
def _customer_path(model: type[models.Model], depth: int = 0) -> str | None:
    """The ORM path from ``model`` to Customer (``""`` for Customer itself), up to 2 hops."""
    if model is Customer:
        return ""
    if depth >= 2:
        return None
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey | models.OneToOneField) and field.concrete:
            target = field.related_model
            if target is Customer:
                return field.name
            if isinstance(target, type) and target._meta.app_label in ("payments", "accounts") and target is not model:
                sub = _customer_path(target, depth + 1)
                if sub is not None:
                    return f"{field.name}__{sub}" if sub else field.name
    return None


CUSTOMER_ADMINS = sorted(
    ((m, a) for m, a in admin.site._registry.items() if _customer_path(m) is not None),
    key=lambda pair: pair[0]._meta.label,
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model_admin",
    [a for _, a in CUSTOMER_ADMINS] or [None],
    ids=[m._meta.label for m, _ in CUSTOMER_ADMINS] or ["none-yet"],
)
def test_teller_of_another_branch_cannot_see_this_branchs_customers(model_admin: admin.ModelAdmin | None) -> None:
    if model_admin is None:
        pytest.skip("no customer-bearing model registered in the admin yet")
    model = model_admin.model
    here, elsewhere = BranchFactory(), BranchFactory()
    owner = make_actor(branch=here)
    fund(owner)
    for make in __import__("tests.evidence.world", fromlist=["OBJECT_ROUTES"]).OBJECT_ROUTES.values():
        make(owner)
    teller = StaffFactory(roles=[StaffRole.TELLER], branch=elsewhere)
    request = RequestFactory().get("/admin/")
    request.user = teller
    if not model_admin.has_view_permission(request):
        return  # the teller cannot open this admin at all
    link = _customer_path(model)
    owner_rows = model._default_manager.filter(**{(f"{link}" if link else "pk"): owner.customer.pk})

    visible = model_admin.get_queryset(request).filter(pk__in=owner_rows.values("pk"))

    if owner_rows.exists():
        assert not visible.exists(), f"{model._meta.label}: a teller of another branch sees this branch's rows"
    elif link is not None and "__" not in link:
        # A direct customer link but no row from the owner's fixtures: at least the teller's queryset
        # must be filtered. (Models two hops away without rows are covered once a fixture creates one.)
        assert model_admin.get_queryset(request).query.where, f"{model._meta.label} admin queryset is unscoped"


# --- admin: every registered ModelAdmin, page by page, for staff of another branch ---------------
# Generated over ``admin.site._registry``: the changelist, the popup changelist (raw-id lookups),
# the change page of each of this branch's rows, the change pages the other branch's staff CAN open
# (with their inlines), the add form with each foreign key pre-filled by id (raw-id labels and
# autocomplete selections), and the autocomplete endpoint of each foreign key. A new ModelAdmin is
# probed the moment it is registered; one that is not scoped fails here.
def _path_to(model: type[models.Model], target: type[models.Model], depth: int = 0) -> str | None:
    if model is target:
        return ""
    if depth >= 2:
        return None
    for field in model._meta.get_fields():
        if isinstance(field, models.ForeignKey | models.OneToOneField) and field.concrete:
            related = field.related_model
            if related is target:
                return field.name
            if isinstance(related, type) and related is not model and related._meta.app_label != "auth":
                sub = _path_to(related, target, depth + 1)
                if sub:
                    return f"{field.name}__{sub}"
    return None


def _rows_of_this_branch(model: type[models.Model], customer: Customer, branch: Any) -> list[Any]:
    """Primary keys of ``model`` rows that belong to this branch: through a customer of it, else
    through a branch foreign key (a merchant's signing branch). Branches themselves are the bank's
    org chart, visible to all staff, and not counted."""
    from accounts.models import Branch

    shared = [pk for label, pk in SHARED_ROWS if label == model._meta.label]
    path = _path_to(model, Customer)
    if path is not None:
        rows = model._default_manager.filter(**{path or "pk": customer.pk})
    elif path := _path_to(model, Branch):
        rows = model._default_manager.filter(**{path: branch.pk})
    else:
        return []
    return list(rows.exclude(pk__in=shared).values_list("pk", flat=True)[:5])


def _admin_world() -> dict[str, Any]:
    """This branch's customer with money and every kind of owned object, a merchant of this branch
    with an order and a payment, an adjustment request, and a P2P transfer to another branch's
    customer (so the other branch's staff can open a transfer page that shows this branch's leg)."""
    from django.db import transaction

    from accounts.pii import mask_phone
    from core.money import Money
    from payments.ledger import Leg, transfer_post
    from payments.models import LedgerAccount, MerchantPayment
    from payments.services.adjustments import adjustment_request_create
    from payments.services.merchant_payments import (
        merchant_create,
        merchant_order_create,
        merchant_payment_create,
        merchant_static_qr,
    )
    from tests.evidence import world as world_module
    from tests.factories import CustomerFactory
    from tests.payments.factories_movements import staff_roles_ensure

    staff_roles_ensure()
    here, elsewhere = BranchFactory(), BranchFactory()
    owner = make_actor(branch=here)
    wallet = fund(owner)
    for make in world_module.OBJECT_ROUTES.values():
        make(owner)
    stranger = CustomerFactory(legal_name="李四", home_branch=elsewhere)
    with transaction.atomic():
        merchant = merchant_create(name="本行签约商户", mcc="5814", signing_branch=here)
        merchant_order_create(merchant=merchant, amount=Money(9_00, "CNY"), expires_at=timezone_now(600))
        payment: MerchantPayment = merchant_payment_create(
            customer=owner.customer, qr=merchant_static_qr(merchant), amount=Money(3_00, "CNY"), currency="CNY"
        )
        shared = transfer_post(
            kind="P2P",
            legs=[Leg(wallet, Money(-1_00, "CNY")), Leg(fund_plain(stranger), Money(1_00, "CNY"))],
            reference="AUTHZ-P2P",
            initiated_by=owner.customer,
        )
    adjustment_request_create(
        maker=StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=here),
        kind="MANUAL_CREDIT",
        reason="authz matrix",
        amount=Money(1_00, "CNY"),
        target_account=LedgerAccount.objects.get(pk=wallet.pk),
    )
    owner.secrets.update({mask_phone(owner.customer.phone), str(payment.public_id), str(merchant.public_id)})
    # The P2P transfer itself is legitimately visible to both branches (each has a customer on it).
    SHARED_ROWS.clear()
    SHARED_ROWS.add(("payments.Transfer", shared.pk))
    return {"here": here, "elsewhere": elsewhere, "owner": owner}


SHARED_ROWS: set[tuple[str, Any]] = set()


def timezone_now(seconds: int) -> Any:
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(seconds=seconds)


def fund_plain(customer: Customer) -> Any:
    from payments.ledger import wallet_get_or_create

    return wallet_get_or_create(customer=customer, currency="CNY")


ADMIN_PROBE_ROLES = [StaffRole.TELLER, StaffRole.BRANCH_MANAGER]
ALL_ADMINS = sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)


def _body(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", "replace")


def admin_probe_problems(model: type[models.Model], model_admin: admin.ModelAdmin, world: dict[str, Any]) -> list[str]:
    """Everything a staff member of another branch can see of this branch through ``model_admin``."""
    from django.urls import reverse

    from tests.accounts.conftest import admin_client_for

    owner, here = world["owner"], world["here"]
    info = (model._meta.app_label, model._meta.model_name)
    mine = _rows_of_this_branch(model, owner.customer, here)
    problems: list[str] = []
    for role in ADMIN_PROBE_ROLES:
        staff = StaffFactory(roles=[role], branch=world["elsewhere"])
        client = admin_client_for(staff)
        request = RequestFactory().get("/admin/")
        request.user = staff
        tag = f"{model._meta.label} as {role} of another branch"

        def leaks(body: str, where: str, tag: str = tag) -> None:
            found = sorted(s for s in owner.secrets if s and s in body)
            linked = [pk for pk in mine if f"/admin/{info[0]}/{info[1]}/{pk}/change/" in body]
            if found or linked:
                problems.append(f"{tag}: {where} shows {found or ''} {linked or ''}".strip())

        if not model_admin.has_view_permission(request):
            continue
        changelist = reverse(f"admin:{info[0]}_{info[1]}_changelist")
        for url in (changelist, f"{changelist}?_popup=1&_to_field={model._meta.pk.attname}"):
            response = client.get(url)
            if response.status_code >= 500:
                problems.append(f"{tag}: {url} -> {response.status_code}")
            elif response.status_code == 200:
                leaks(_body(response), url)
        for pk in mine:
            response = client.get(reverse(f"admin:{info[0]}_{info[1]}_change", args=[pk]))
            if response.status_code == 200 or response.status_code >= 500:
                problems.append(f"{tag}: this branch's row {pk} change page -> {response.status_code}")
        # Pages this staff member may open (their own scope), with their inlines.
        for pk in model_admin.get_queryset(request).values_list("pk", flat=True)[:5]:
            response = client.get(reverse(f"admin:{info[0]}_{info[1]}_change", args=[pk]))
            if response.status_code == 200:
                leaks(_body(response), f"change page {pk}")
        # Foreign keys named by id: the add form pre-filled with this branch's object, and the autocomplete.
        for field in model._meta.get_fields():
            if not (isinstance(field, models.ForeignKey | models.ManyToManyField) and field.concrete):
                continue
            remote = field.related_model
            theirs = _rows_of_this_branch(remote, owner.customer, here)
            if not theirs:
                continue
            labels = {str(obj) for obj in remote._default_manager.filter(pk__in=theirs)}
            if model_admin.has_add_permission(request):
                response = client.get(f"{reverse(f'admin:{info[0]}_{info[1]}_add')}?{field.name}={theirs[0]}")
                if response.status_code >= 500:
                    problems.append(f"{tag}: add form with {field.name}={theirs[0]} -> {response.status_code}")
                elif response.status_code == 200:
                    body = _body(response)
                    shown = sorted(label for label in labels if label and label in body)
                    if shown:
                        problems.append(f"{tag}: add form labels {field.name}={theirs[0]} as {shown}")
                    leaks(body, f"add form with {field.name}")
            response = client.get(
                "/admin/autocomplete/",
                {"app_label": info[0], "model_name": info[1], "field_name": field.name, "term": ""},
            )
            if response.status_code >= 500:
                problems.append(f"{tag}: autocomplete {field.name} -> {response.status_code}")
            elif response.status_code == 200:
                offered = {r["id"] for r in response.json()["results"]} & {str(pk) for pk in theirs}
                if offered:
                    problems.append(f"{tag}: autocomplete {field.name} offers {sorted(offered)}")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("model,model_admin", ALL_ADMINS, ids=[m._meta.label for m, _ in ALL_ADMINS])
def test_staff_of_another_branch_see_nothing_of_this_branch_in_any_admin(
    model: type[models.Model], model_admin: admin.ModelAdmin
) -> None:
    world = _admin_world()

    assert admin_probe_problems(model, model_admin, world) == []


@pytest.mark.django_db
def test_the_admin_world_has_rows_of_this_branch_to_probe() -> None:
    """Not vacuous: the probe above finds this branch's rows in the models that matter."""
    from payments.models import AdjustmentRequest, LedgerAccount, MerchantOrder, MerchantPayment, Posting, Transfer

    world = _admin_world()

    for model in (AdjustmentRequest, LedgerAccount, MerchantOrder, MerchantPayment, Posting, Transfer):
        assert _rows_of_this_branch(model, world["owner"].customer, world["here"]), model._meta.label


@pytest.mark.django_db
def test_an_unscoped_admin_fails_the_admin_matrix() -> None:
    """Fail closed: the same probe reports a ModelAdmin that forgot its branch scope."""
    from django.urls import clear_url_caches

    from payments.models import MerchantOrder

    class LeakyMerchantOrderAdmin(admin.ModelAdmin):
        pass

    original = admin.site._registry[MerchantOrder]
    admin.site._registry[MerchantOrder] = LeakyMerchantOrderAdmin(MerchantOrder, admin.site)
    urlconf = type("urlconf", (), {"urlpatterns": [path("admin/", admin.site.urls)]})
    try:
        with override_settings(ROOT_URLCONF=urlconf):
            clear_url_caches()
            problems = admin_probe_problems(MerchantOrder, admin.site._registry[MerchantOrder], _admin_world())
    finally:
        admin.site._registry[MerchantOrder] = original
        clear_url_caches()

    assert any("change page -> 200" in p for p in problems), problems
    assert any("/admin/payments/merchantorder/ shows" in p for p in problems), problems
