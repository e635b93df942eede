"""SMS backends (console refused in production, file backend), the simulated KYC verifier, demo data,
and audit of staff authenticator changes."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts import demo, integrations
from accounts.models import Branch, Customer, StaffTOTPDevice
from accounts.services import customer_payment_pin_verify
from core.models import AuditEvent
from tests.accounts.conftest import admin_client_for
from tests.accounts.factories import bad_checksum, national_id
from tests.factories import StaffFactory


def test_console_sms_backend_refuses_to_run_in_production(settings):
    settings.IS_PRODUCTION = True

    with pytest.raises(ImproperlyConfigured):
        integrations.ConsoleSmsBackend()
    with pytest.raises(ImproperlyConfigured):
        integrations.FileSmsBackend()


def test_file_sms_backend_writes_one_json_line_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "accounts.integrations.FileSmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")

    integrations.sms_send(phone="+8613800000000", body="code 123456")

    line = json.loads((tmp_path / "sms.jsonl").read_text(encoding="utf-8"))
    assert line["phone"] == "+8613800000000" and line["body"] == "code 123456"


def test_sms_send_logs_only_the_masked_phone(settings, caplog):
    settings.SMS_BACKEND = "accounts.integrations.LocmemSmsBackend"

    integrations.sms_send(phone="+8613800001234", body="code 654321")

    assert "138****1234" in caplog.text
    assert "654321" not in caplog.text and "13800001234" not in caplog.text


def test_simulated_kyc_verifier_matches_valid_ids_and_refuses_the_mismatch_prefix(settings):
    verifier = integrations.SimulatedKycVerifier()
    settings.KYC_SIMULATED_MISMATCH_PREFIX = "310104"

    assert verifier.verify(legal_name="张三", national_id=national_id()).matched is True
    assert verifier.verify(legal_name="张三", national_id=bad_checksum(national_id())).matched is False
    assert verifier.verify(legal_name="张三", national_id=national_id("31010419880112345")).matched is False
    assert verifier.verify(legal_name=" ", national_id=national_id()).matched is False


@pytest.mark.django_db
def test_demo_seed_is_idempotent_and_usable():
    first, second = StringIO(), StringIO()

    demo.seed(first)
    demo.seed(second)

    assert Branch.objects.get(code="BJ002").parent.code == "BJ001"
    assert Customer.objects.count() == len(demo.CUSTOMERS)
    assert StaffTOTPDevice.objects.filter(user__username="teller.bj", confirmed=True).count() == 1
    assert "otpauth://totp/" in first.getvalue() and demo.DEMO_CUSTOMER_PIN in first.getvalue()
    customer = Customer.objects.get(national_id_index__isnull=False, date_of_birth__year=1995)
    assert customer.kyc_tier_id == 2 and customer.consents.filter(purpose="MARKETING").exists()
    customer_payment_pin_verify(customer=customer, pin=demo.DEMO_CUSTOMER_PIN)


@pytest.mark.django_db
def test_demo_seed_does_nothing_in_production(settings):
    settings.IS_PRODUCTION = True

    demo.seed(StringIO())

    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_adding_a_staff_authenticator_is_audited_without_its_key():
    # staffsod: a person enrols only their own authenticator here; another person's needs a
    # StaffChangeRequest approved by a second administrator (tests/accounts/test_staff_sod.py).
    administrator = StaffFactory(roles=["ADMINISTRATOR"])
    client = admin_client_for(administrator)
    key = "3132333435363738393031323334353637383930"

    response = client.post(
        "/admin/accounts/stafftotpdevice/add/",
        {
            "user": administrator.pk,
            "name": "teller phone",
            "confirmed": "on",
            "key": key,
            "step": 30,
            "t0": 0,
            "digits": 6,
            "tolerance": 1,
            "drift": 0,
            "throttling_failure_count": 0,
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="accounts.stafftotpdevice.add")
    assert event.changes["key"] == "changed" and key not in json.dumps(event.changes)
