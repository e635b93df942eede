"""Fixtures of the payments tests (ledger core and movements)."""

from __future__ import annotations

import pytest

from accounts.models import Customer
from tests.factories import CustomerFactory


@pytest.fixture
def alice(db: None) -> Customer:
    return CustomerFactory(legal_name="王小明")


@pytest.fixture
def bob(db: None) -> Customer:
    return CustomerFactory(legal_name="李娜")
