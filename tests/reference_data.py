"""Reference rows that data migrations create (KYC tiers, role groups and their permissions).

A ``transaction=True`` test ends with a flush of every table; ``reference_data_restore`` puts
these rows back straight after it (tests/conftest.py), so every later test, and the next
``--reuse-db`` run, starts from the migrated state. A new data migration that defines
``ROLE_PERMISSIONS`` or ``TIERS`` is picked up by adding its module to the list.
"""

from __future__ import annotations

import importlib

REFERENCE_DATA_MIGRATIONS = [
    "accounts.migrations.0002_kyc_tiers_and_roles",
    "payments.migrations.0004_movement_roles",
    "accounts.migrations.0004_deskcust_branch_attribution",
    "accounts.migrations.0006_staffsod_staff_change_requests",
    "promotions.migrations.0002_campaign_versions_append_only_and_roles",
    "promotions.migrations.0005_reward_and_coupon_roles",
    "promotions.migrations.0009_referral_and_lottery_roles",
    "promotions.migrations.0011_instant_benefit_roles",
    "risk.migrations.0002_builtin",
    "feedback.migrations.0002_feedback_ticket_roles",
    "feedback.migrations.0004_messages_products_roles",
]


def reference_data_restore() -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from accounts.models import KycTier

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for dotted in REFERENCE_DATA_MIGRATIONS:
        module = importlib.import_module(dotted)
        for level, name, per_txn, daily, monthly, cap in getattr(module, "TIERS", []):
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
        if dotted.startswith("risk."):
            from risk.builtin import builtin_ensure

            builtin_ensure()
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            group, _ = Group.objects.get_or_create(name=role)
            for app_label, codename in perms:
                permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
                if permission is not None:
                    group.permissions.add(permission)
