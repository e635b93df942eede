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

    assert "api/v1/schema/" in routes
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

    urlconf = type("urlconf", (), {"urlpatterns": [path("api/v1/leaky/", LeakyApi.as_view(), name="leaky")]})
    with override_settings(ROOT_URLCONF=urlconf):
        from django.urls import clear_url_caches

        clear_url_caches()
        try:
            routes = api_routes()
            problems = anonymous_problems(routes)
        finally:
            clear_url_caches()

    assert [r.route for r in routes] == ["api/v1/leaky/"]
    assert problems == ["GET /api/v1/leaky/ -> 200 to anonymous (want 401)"]


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
