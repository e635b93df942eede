"""The branch desk tests reuse the accounts fixtures (SMS outbox, reference data)."""

from tests.accounts.conftest import _reference_data, _sms_outbox, sms_outbox  # noqa: F401
