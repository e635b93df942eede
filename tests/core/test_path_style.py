"""One path style for the customer API (issue 16): no path under /api/v1/ ends with a slash, and the
slashed form of every path is the one documented JSON 404 (code ``not_found``, the right path in
``details.path``), on the full stack and on the API's lean WSGI lane alike, for every method.

Walks the URL conf (``tests.evidence.routes.api_routes``): a route added with a trailing slash
fails here the moment it is in the URL conf."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.evidence.routes import api_routes
from tests.wsgi import wsgi_call

ROUTES = api_routes()


def test_no_api_route_ends_with_a_slash() -> None:
    slashed = [r.route for r in ROUTES if r.route.endswith("/")]

    assert ROUTES
    assert slashed == []


def test_the_schema_lists_no_path_with_a_trailing_slash() -> None:
    from drf_spectacular.generators import SchemaGenerator

    paths = list(SchemaGenerator().get_schema(request=None, public=True)["paths"])

    assert paths
    assert [p for p in paths if p.endswith("/")] == []


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=[r.id for r in ROUTES])
def test_the_slashed_form_is_the_documented_404(route) -> None:  # type: ignore[no-untyped-def]
    path = route.path()

    for method in {*route.methods, "get", "post"}:
        full = getattr(Client(), method)(path + "/", content_type="application/json")
        status, _headers, content = wsgi_call(path + "/", method=method.upper(), body={})

        for got_status, body in ((full.status_code, full.json()), (status, json.loads(content))):
            assert got_status == 404, (method, path)
            assert body["code"] == "not_found"
            assert body["details"] == {"path": path}
            assert path in body["message"]


@pytest.mark.django_db
def test_an_unknown_path_is_the_same_404_without_a_hint() -> None:
    body = Client().get("/api/v1/no-such-thing/").json()

    assert body["code"] == "not_found"
    assert body["details"] == {}


@pytest.mark.django_db
def test_the_404_follows_accept_language() -> None:
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/cards/").json()
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/v1/cards/").json()

    assert english["code"] == chinese["code"] == "not_found"
    assert english["details"] == chinese["details"] == {"path": "/api/v1/cards"}
