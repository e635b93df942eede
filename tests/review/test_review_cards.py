"""Reviewer: card numbers in free text (ARCHITECTURE §6: never stored, never in a log)."""

from __future__ import annotations

import pytest

from core.validators import reject_card_numbers

VISA = "4111111111111111"


@pytest.mark.parametrize(
    ("module", "form", "field"),
    [
        ("payments.admin", "FxRateForm", "override_reason"),
        ("accounts.admin_org", "StaffChangeRequestForm", "reason"),
        ("accounts.admin_org", "StaffChangeRequestForm", "first_name"),
        ("accounts.admin_org", "StaffChangeRequestForm", "device_name"),
    ],
)
@pytest.mark.django_db
def test_staff_free_text_fields_refuse_card_numbers(module: str, form: str, field: str) -> None:
    import importlib

    form_class = getattr(importlib.import_module(module), form)
    validators = form_class.base_fields[field].validators
    assert reject_card_numbers in validators, f"{module}.{form}.{field} stores a card number unchecked"
