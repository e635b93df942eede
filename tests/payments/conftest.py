"""Fixtures of the payments tests (ledger core and movements)."""

from __future__ import annotations

from importlib import import_module

import pytest

from accounts.models import Customer, KycTier
from tests.factories import CustomerFactory

# Data migrations whose rows a ``transaction=True`` test's flush removes (KYC tiers, role groups).
_ROLE_MIGRATIONS = ("accounts.migrations.0002_kyc_tiers_and_roles", "payments.migrations.0004_movement_roles")


def reference_data_ensure() -> None:
    """Transactional tests end with a flush that also empties what data migrations seeded: put the
    KYC tiers and the role groups with their permissions back (same values as those migrations)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    if KycTier.objects.filter(level=2).exists() and Group.objects.filter(name="ADMINISTRATOR").exists():
        return
    for level, name, per_txn, daily, monthly, cap in import_module(_ROLE_MIGRATIONS[0]).TIERS:
        KycTier.objects.update_or_create(
            level=level,
            defaults={
                "name": name,
                "currency": "CNY",
                "per_transaction_limit_minor": per_txn,
                "daily_limit_minor": daily,
                "monthly_limit_minor": monthly,
                "balance_cap_minor": cap,
            },
        )
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for module in _ROLE_MIGRATIONS:
        try:
            roles = import_module(module).ROLE_PERMISSIONS
        except ModuleNotFoundError:
            continue
        for role, perms in roles.items():
            group, _ = Group.objects.get_or_create(name=role)
            for app_label, codename in perms:
                group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


kyc_tiers_ensure = reference_data_ensure


@pytest.fixture(autouse=True)
def _reference_data_present(request: pytest.FixtureRequest) -> None:
    """pytest-django's own autouse fixture has opened database access for marked tests by now."""
    if request.node.get_closest_marker("django_db") is not None:
        reference_data_ensure()


@pytest.fixture
def alice(db: None) -> Customer:
    reference_data_ensure()
    return CustomerFactory(legal_name="王小明")


@pytest.fixture
def bob(db: None) -> Customer:
    reference_data_ensure()
    return CustomerFactory(legal_name="李娜")
