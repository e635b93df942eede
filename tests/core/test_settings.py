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
    "PII_ENCRYPTION_KEYS": "ZGV2LW9ubHktcGlpLWtleS0zMi1ieXRlcy0wMDAwMDA=",
    "PII_BLIND_INDEX_KEY": "k" * 40,
    "METRICS_TOKEN": "m" * 40,
    "BANK_GATEWAY_CALLBACK_SECRET": "g" * 40,
    "QR_SIGNING_KEY": "q" * 40,
    "PIN_HASH_KEY": "p" * 40,
    "OTP_HASH_KEY": "o" * 40,
    "SMS_BACKEND": "bank_adapters.sms.CmppSmsBackend",
    "KYC_VERIFIER": "bank_adapters.kyc.PublicSecurityVerifier",
    "BANK_GATEWAY": "bank_adapters.gateway.CoreBankingGateway",
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
