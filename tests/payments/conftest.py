"""Fixtures of the payments tests (ledger core and movements)."""

from __future__ import annotations

from importlib import import_module

import pytest

from accounts.models import Customer, KycTier
from tests.factories import CustomerFactory


def kyc_tiers_ensure() -> None:
    """Transactional tests end with a flush that also empties the KYC tiers seeded by a migration:
    put them back (same values as accounts/migrations/0002) before creating customers."""
    if KycTier.objects.filter(level=2).exists():
        return
    tiers = import_module("accounts.migrations.0002_kyc_tiers_and_roles").TIERS
    for level, name, per_txn, daily, monthly, cap in tiers:
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


@pytest.fixture(autouse=True)
def _kyc_tiers_present(request: pytest.FixtureRequest) -> None:
    """pytest-django's own autouse fixture has opened database access for marked tests by now."""
    if request.node.get_closest_marker("django_db") is not None:
        kyc_tiers_ensure()


@pytest.fixture
def alice(db: None) -> Customer:
    kyc_tiers_ensure()
    return CustomerFactory(legal_name="王小明")


@pytest.fixture
def bob(db: None) -> Customer:
    kyc_tiers_ensure()
    return CustomerFactory(legal_name="李娜")
