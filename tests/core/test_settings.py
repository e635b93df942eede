"""Settings: strict parsing, secure defaults, a clean `check --deploy` under production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_url

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "n3Kq8-vZ1pLx_R7tYb2Wc9Hs4Jd6Fg0Mu5Ae8Oi3Ky7Nw1Qz6Tr2Vx9Lb4Pm0Sj",
    "ALLOWED_HOSTS": "wallet.bank.example",
    "PII_ENCRYPTION_KEYS": "7mBz1Zq3kF0y8hXq2dJ4wUe9vN5tR6sA1cL0pO3iK8g=",
    "PII_BLIND_INDEX_KEY": "Xq4Rt8Lm2Zp6Wn0Bv3Yc7Hd1Js5Kf9Ga-eTu",
    "METRICS_TOKEN": "Hn7Vc2Xp9Lq4Zm8Rt1Wb5Yd3Js6Kf0Ga-mEt",
    "BANK_GATEWAY_CALLBACK_SECRET": "Pk3Nw8Qr1Zs6Xt0Vy4Bm7Cd2Hf5Jg9La-gWy",
    "QR_SIGNING_KEY": "Wc5Ty9Zb2Xn6Qm0Rp3Vs8Hd1Lk4Jf7Ga-qRs",
    "PIN_HASH_KEY": "Zr6Yp1Xm4Wq8Vn2Ut7Sb0Hc5Kd9Jf3La-pIn",
    "LEDGER_ANCHOR_KEY": "Tb8Qw3Zr7Xn1Vm5Kp9Ys2Hd6Jf0Lc4Ga-aNc",
    "OTP_HASH_KEY": "Qv2Lp7Xk4Zs9Wm1Rn6Yb3Hc8Jd0Kf5Ga-oTp",
    "SMS_BACKEND": "bank_adapters.sms.CmppSmsBackend",
    "KYC_VERIFIER": "bank_adapters.kyc.PublicSecurityVerifier",
    "BANK_GATEWAY": "bank_adapters.gateway.CoreBankingGateway",
    "FEEDBACK_PUSH_BACKEND": "bank_adapters.push.GatewayPushBackend",
}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DJANGO_DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("value", ["maybe", "2", "tru"])
def test_malformed_boolean_names_the_variable(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG", False, environ={"DJANGO_DEBUG": value})


def test_malformed_integer_and_url_name_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="AXES_FAILURE_LIMIT"):
        env_int("AXES_FAILURE_LIMIT", 5, environ={"AXES_FAILURE_LIMIT": "five"})
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_url("DATABASE_URL", None, ("postgres",), environ={"DATABASE_URL": "mysql://x/y"})


def test_start_up_stops_on_a_malformed_setting_with_its_name() -> None:
    result = run_manage("check", DJANGO_ENV="development", DJANGO_DEBUG="perhaps")

    assert result.returncode != 0
    assert "DJANGO_DEBUG='perhaps' is not a boolean" in result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}

    result = run_manage("check", **env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_ledger_anchor_key() -> None:
    result = run_manage("check", **{**PRODUCTION_ENV, "LEDGER_ANCHOR_KEY": ""})

    assert result.returncode != 0
    assert "LEDGER_ANCHOR_KEY" in result.stderr


def test_production_refuses_the_development_simulators() -> None:
    env = {**PRODUCTION_ENV, "BANK_GATEWAY": "payments.integrations.SimulatedCoreBankingGateway"}

    result = run_manage("check", **env)

    assert result.returncode != 0
    assert "BANK_GATEWAY must name a real adapter in production" in result.stderr


def test_production_refuses_debug() -> None:
    result = run_manage("check", **PRODUCTION_ENV, DJANGO_DEBUG="1")

    assert result.returncode != 0
    assert "DJANGO_DEBUG=1 is refused" in result.stderr


def test_check_deploy_is_clean_under_production_settings() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_turned_on() -> None:
    from django.conf import settings

    assert settings.DEBUG is False


@pytest.mark.parametrize(
    "name,value,why",
    [
        ("SECRET_KEY", "dev-only-insecure-secret-key-do-not-use-in-production-0123456789abcdef", "known development"),
        ("SECRET_KEY", "django-insecure-" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0", "known development"),
        ("PIN_HASH_KEY", "p" * 40, "too little entropy"),
        ("QR_SIGNING_KEY", "abcd1234" * 5, "too little entropy"),
        ("BANK_GATEWAY_CALLBACK_SECRET", "dev-only-bank-gateway-callback-secret", "known development"),
        ("METRICS_TOKEN", "dev-metrics-token", "known development"),
        ("METRICS_TOKEN", "47d9ec423f631d25", "shorter than 32"),
        ("PII_ENCRYPTION_KEYS", "ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy0wMDAwMDA=", "known development"),
        ("PII_ENCRYPTION_KEYS", "dGhpcy1pcy1hLXBocmFzZS1ub3QtMzItcmFuZG9tISE=", "not random bytes"),
    ],
)
def test_production_refuses_development_and_low_entropy_secrets(name: str, value: str, why: str) -> None:
    result = run_manage("check", **{**PRODUCTION_ENV, name: value})

    assert result.returncode != 0
    assert "Production secrets refused" in result.stderr and name in result.stderr and why in result.stderr
    assert value not in result.stderr  # the message never echoes a secret


def test_generated_secrets_are_accepted() -> None:
    import secrets

    from cryptography.fernet import Fernet

    from core.env import fernet_key_problem, secret_problem

    assert [secret_problem(secrets.token_urlsafe(48), min_length=50) for _ in range(200)] == [None] * 200
    assert [secret_problem(secrets.token_urlsafe(32), min_length=32) for _ in range(200)] == [None] * 200
    assert [fernet_key_problem(Fernet.generate_key().decode()) for _ in range(200)] == [None] * 200
