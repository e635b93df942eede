"""Passkey settings: RP id and origins from the environment, safe defaults, unsafe values refused."""

from __future__ import annotations

import pytest

from core.env import webauthn_config_problem
from tests.core.test_settings import PRODUCTION_ENV, run_manage

APK = "android:apk-key-hash:" + "A" * 43


@pytest.mark.parametrize(
    "rp_id,origins,production,apps",
    [
        ("wallet.bank.example", ["https://wallet.bank.example"], True, False),
        ("bank.example", ["https://wallet.bank.example", "https://admin.bank.example:8443"], True, False),
        ("bank.example", ["https://wallet.bank.example", APK], True, True),
        ("localhost", ["http://localhost:8000"], False, False),
    ],
)
def test_safe_relying_parties_are_accepted(rp_id: str, origins: list[str], production: bool, apps: bool) -> None:
    assert webauthn_config_problem(rp_id, origins, production=production, app_origins=apps) is None


@pytest.mark.parametrize(
    "rp_id,origins,production,apps,why",
    [
        ("", ["https://wallet.bank.example"], True, False, "must name the host"),
        ("https://bank.example", ["https://bank.example"], True, False, "host name"),
        ("10.0.0.1", ["https://10.0.0.1"], True, False, "host name"),
        ("bank.example", [], True, False, "empty"),
        ("bank.example", ["http://wallet.bank.example"], True, False, "https"),
        ("localhost", ["http://localhost:8000"], True, False, "https"),
        ("bank.example", ["https://evilbank.example"], True, False, "not on the RP id"),
        ("bank.example", ["https://bank.example.evil.example"], True, False, "not on the RP id"),
        ("bank.example", ["https://bank.example/path"], True, False, "scheme://host"),
        ("bank.example", [APK], True, False, "scheme://host"),  # app origins are for customers only
    ],
)
def test_unsafe_relying_parties_are_refused(
    rp_id: str, origins: list[str], production: bool, apps: bool, why: str
) -> None:
    problem = webauthn_config_problem(rp_id, origins, production=production, app_origins=apps)

    assert problem is not None and why in problem


def test_production_defaults_follow_allowed_hosts_and_an_http_origin_stops_start_up() -> None:
    shown = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.WEBAUTHN_CUSTOMER_RP_ID, s.WEBAUTHN_CUSTOMER_ORIGINS,"
        " s.OTP_WEBAUTHN_ALLOWED_ORIGINS, s.STAFF_PASSKEY_REQUIRED_ROLES, s.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN)",
        **PRODUCTION_ENV,
    )
    refused = run_manage("check", **PRODUCTION_ENV, WEBAUTHN_STAFF_ORIGINS="http://wallet.bank.example")

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().split("\n")[-1] == (
        "wallet.bank.example ['https://wallet.bank.example'] ['https://wallet.bank.example'] "
        "['ADMINISTRATOR', 'RISK_OFFICER'] False"
    )
    assert refused.returncode != 0 and "must use https" in refused.stderr
