"""Fixtures of the promotions tests: staff of each role, a valid draft, reference data back after flushes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.payments.conftest import reference_data_ensure
from tests.reference_data import reference_data_restore


@pytest.fixture(autouse=True)
def _promotions_reference_data(request: pytest.FixtureRequest) -> None:
    """Role groups with the promotions permissions (a transactional test's flush empties them)."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from django.contrib.auth.models import Group

    reference_data_ensure()
    marketing = Group.objects.filter(name="MARKETING").first()
    if (
        marketing is None
        or marketing.permissions.filter(codename__in=["approve_campaign", "add_couponbatch"]).count() < 2
    ):
        reference_data_restore()


@pytest.fixture
def maker() -> Any:
    from tests.factories import StaffFactory

    return StaffFactory(roles=["MARKETING"], branch=None)


@pytest.fixture
def approver() -> Any:
    from tests.factories import StaffFactory

    return StaffFactory(roles=["MARKETING"], branch=None)


@pytest.fixture
def risk_officer() -> Any:
    from tests.factories import StaffFactory

    return StaffFactory(roles=["RISK_OFFICER"], branch=None)


def draft_data(**overrides: Any) -> dict[str, Any]:
    """A valid cashback draft: 10 % up to 5.00 on merchant payments of 20.00 or more, budget 1,000.00."""
    now = timezone.now()
    data: dict[str, Any] = {
        "name_zh": "春季消费返现",
        "name_en": "Spring cashback",
        "description_zh": "满20元返10%",
        "description_en": "10% back on 20.00 or more",
        "kind": "CASHBACK",
        "conditions": {"min_amount": "20.00", "payment_types": ["MERCHANT"]},
        "benefit": {"percent": "10", "cap": "5.00", "release_after_days": 0},
        "window": {},
        "segment": {},
        "valid_from": now - timedelta(days=1),
        "valid_until": now + timedelta(days=30),
        "budget_minor": 1_000_00,
        "holdout_bps": 0,
    }
    data.update(overrides)
    return data
