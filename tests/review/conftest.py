"""Fixtures for the outside reviewers' attack tests (reuse the payments fixtures and reference data)."""

from tests.payments.conftest import _reference_data_present, alice, bob  # noqa: F401
from tests.promotions.conftest import approver, maker, risk_officer  # noqa: F401 - stop 19 review
