"""Fixtures of the risk tests: reference data, SMS into an in-memory outbox, the risk pre-check on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accounts import integrations
from accounts.models import Customer
from tests.factories import CustomerFactory
from tests.payments.conftest import reference_data_ensure

RISK_PRECHECK = "risk.precheck.risk_precheck"
STEP_UP_ISSUE = "risk.services.step_up_payment_issue"


@pytest.fixture(autouse=True)
def _reference_data_present(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("django_db") is not None:
        request.getfixturevalue(
            "transactional_db" if request.node.get_closest_marker("django_db").kwargs.get("transaction") else "db"
        )
        reference_data_ensure()
        risk_roles_ensure()


def risk_roles_ensure() -> None:
    """The built-in rules and the risk permissions of the roles (risk 0002), idempotent."""
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    from risk.builtin import builtin_ensure

    builtin_ensure()
    for role, perms in import_module("risk.migrations.0002_builtin").ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in perms:
            group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


@pytest.fixture
def officers() -> tuple[Any, Any]:
    """Two independent risk officers (bank-wide)."""
    from accounts.models import StaffRole
    from tests.factories import StaffFactory

    return StaffFactory(roles=[StaffRole.RISK_OFFICER]), StaffFactory(roles=[StaffRole.RISK_OFFICER])


@pytest.fixture(autouse=True)
def _sms_outbox(settings: Any) -> Iterator[list[integrations.SmsMessage]]:
    settings.SMS_BACKEND = "accounts.integrations.LocmemSmsBackend"
    settings.ACCOUNTS_SMS_DELIVERY = "inline"
    integrations.outbox.clear()
    yield integrations.outbox
    integrations.outbox.clear()


@pytest.fixture
def risk_on(settings: Any) -> None:
    settings.PAYMENTS_RISK_PRECHECK = RISK_PRECHECK
    settings.PAYMENTS_STEP_UP_ISSUE = STEP_UP_ISSUE


@pytest.fixture
def alice(db: None) -> Customer:
    return CustomerFactory(legal_name="王小明")


@pytest.fixture
def bob(db: None) -> Customer:
    return CustomerFactory(legal_name="李娜")
