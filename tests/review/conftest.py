"""Fixtures for the review-2 attack tests (reuse the payments fixtures and reference data)."""

from tests.payments.conftest import _reference_data_present, alice, bob  # noqa: F401
