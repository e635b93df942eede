"""Accounts test helpers on top of the shared tests/factories.py."""

from __future__ import annotations

import importlib

from accounts.pii import _ID_CHECK, _ID_WEIGHTS


def ensure_reference_data() -> None:
    """Put back the rows of data migration 0002 (KYC tiers, role groups and their permissions).

    A ``transaction=True`` test ends with a flush that empties every table, so every later test of
    the run (and of the next ``--reuse-db`` run) would miss them. Call from a db-enabled fixture.
    """
    from django.apps import apps as django_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from accounts.models import KycTier

    if KycTier.objects.count() >= 3 and Group.objects.filter(name="ADMINISTRATOR").exists():
        return
    migration = importlib.import_module("accounts.migrations.0002_kyc_tiers_and_roles")
    for app_config in django_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for level, name, per_txn, daily, monthly, cap in migration.TIERS:
        KycTier.objects.update_or_create(
            level=level,
            defaults={
                "name": name,
                "per_transaction_limit_minor": per_txn,
                "daily_limit_minor": daily,
                "monthly_limit_minor": monthly,
                "balance_cap_minor": cap,
            },
        )
    for role, perms in migration.ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in perms:
            group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


def national_id(first17: str = "11010519900307123") -> str:
    """A mainland ID number with a correct check digit."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]


def bad_checksum(value: str) -> str:
    wrong = "0" if value[-1] != "0" else "1"
    return value[:-1] + wrong
