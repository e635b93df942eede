import pytest

from tests.accounts.conftest import last_code

pytestmark = pytest.mark.django_db


def test_register_login_flow(api_client):
    r = api_client.post("/api/v1/auth/otp", {"phone": "13812345678", "purpose": "REGISTER"})
    assert r.status_code == 202, r.json()
    code = last_code()
    r = api_client.post(
        "/api/v1/auth/register",
        {
            "phone": "+8613812345678",
            "password": "Very-Strong-Pass-77",
            "otp_code": code,
            "device_id": "device-abc-123",
            "terms_version": "2026-01",
            "privacy_version": "2026-01",
        },
    )
    assert r.status_code == 201, r.json()
    token = r.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    r = api_client.get("/api/v1/me")
    assert r.status_code == 200, r.json()
    print(r.json())
