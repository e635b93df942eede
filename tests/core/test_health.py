import pytest
from django.test import Client

from core.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_health_reports_each_dependency_and_503_without_worker_heartbeat() -> None:
    response = Client().get("/health/")

    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True, "pending": 0}
    assert body["checks"]["worker"]["ok"] is False


def test_health_is_ok_after_a_worker_heartbeat() -> None:
    heartbeat()

    response = Client().get("/health/")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_metrics_are_not_public() -> None:
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 403
    ok = Client(REMOTE_ADDR="10.1.2.3").get("/metrics", HTTP_AUTHORIZATION="Bearer dev-metrics-token")
    assert ok.status_code == 200
    assert b"django_http_requests" in ok.content
