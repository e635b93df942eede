from tests.payments.conftest import _reference_data_present, alice, bob  # noqa: F401
