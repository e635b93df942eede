"""Every 4xx/5xx under /api/ uses {code, message, details, request_id}."""

import json

import pytest
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "message", "details", "request_id"}


def assert_error(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code
    assert body["request_id"] == response["X-Request-ID"]
    return body


def test_unknown_api_url_is_a_json_404() -> None:
    assert_error(Client().get("/api/v1/no-such-thing"), 404, "not_found")


def test_oversized_body_is_a_json_413() -> None:
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048):
        response = Client().post("/api/v1/schema", data="x" * 4096, content_type="application/json")

    body = assert_error(response, 413, "request_too_large")
    assert body["details"] == {"max_bytes": 2048}


def test_wrong_method_is_a_json_405() -> None:
    assert_error(Client().post("/api/v1/schema", data="{}", content_type="application/json"), 405, "method_not_allowed")


def test_request_id_from_proxy_is_echoed_when_well_formed() -> None:
    response = Client().get("/api/v1/nothing", HTTP_X_REQUEST_ID="abc123def456")

    assert response["X-Request-ID"] == "abc123def456"
    assert response.json()["request_id"] == "abc123def456"


def test_schema_and_docs_are_served_from_local_assets() -> None:
    schema = Client().get("/api/v1/schema")
    docs = Client().get("/api/v1/docs")

    assert schema.status_code == 200
    assert b"openapi" in schema.content
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    assert b"/static/drf_spectacular_sidecar/" in docs.content


def test_throttled_requests_get_a_json_429_with_retry_after(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rest_framework.throttling import AnonRateThrottle

    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {**AnonRateThrottle.THROTTLE_RATES, "anon": "2/min"})
    client = Client(REMOTE_ADDR="203.0.113.9")

    statuses = [client.get("/api/v1/schema").status_code for _ in range(3)]
    response = client.get("/api/v1/schema")

    assert statuses[:2] == [200, 200]
    body = assert_error(response, 429, "throttled")
    assert body["details"]["retry_after_seconds"] > 0
    assert "Retry-After" in response


def test_unexpected_error_in_an_api_view_is_a_json_500_without_internals() -> None:
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    class Broken(APIView):
        permission_classes = ()
        authentication_classes = ()

        def get(self, request):  # type: ignore[no-untyped-def]
            raise RuntimeError("secret internal detail")

    response = Broken.as_view()(APIRequestFactory().get("/api/v1/broken"))

    assert response.status_code == 500
    assert response.data["code"] == "internal_error"
    assert "secret" not in str(response.data)


def test_error_messages_follow_the_browser_language() -> None:
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/no-such-thing")
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/api/v1/no-such-thing")

    assert english.json()["message"] == "No such resource."
    assert chinese.json()["message"] != "No such resource."


def test_database_outage_is_a_503_the_client_may_retry() -> None:
    from django.db import OperationalError
    from rest_framework.test import APIRequestFactory
    from rest_framework.views import APIView

    class NeedsDatabase(APIView):
        permission_classes = ()
        authentication_classes = ()

        def get(self, request):  # type: ignore[no-untyped-def]
            raise OperationalError("server closed the connection unexpectedly")

    response = NeedsDatabase.as_view()(APIRequestFactory().get("/api/v1/wallets"))

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert json.loads(response.content)["code"] == "service_unavailable"
