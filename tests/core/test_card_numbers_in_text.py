"""A card number typed into free text (memo, display name, device name, staff reasons) is refused."""

from __future__ import annotations

import pytest

from accounts.admin import CounterRegistrationForm, ReasonForm
from core.validators import card_numbers_in, card_numbers_masked, reject_card_numbers
from payments.admin import RefundForm

UNIONPAY = "6222021234567890128"  # Luhn-valid, 19 digits
VISA = "4111111111111111"


@pytest.mark.parametrize(
    "text",
    [
        f"给你 {UNIONPAY} 谢谢",
        "卡号 6222 0212 3456 7890 128",
        "4111-1111-1111-1111",
        "4111.1111.1111.1111",
        "４１１１ １１１１ １１１１ １１１１",  # full-width digits from a Chinese input method
        "amex 3714 496353 98431",
        f"x{VISA}y",
    ],
)
def test_luhn_valid_13_to_19_digits_are_found_spaced_or_not(text: str) -> None:
    assert card_numbers_in(text) != []


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # fails Luhn
        "6222021234567890123",  # fails Luhn
        "10 20 30 40 50 60 70 80 90",  # a list of small numbers
        "电话 138 0013 8000, 金额 12.34",
        "",
    ],
)
def test_other_numbers_are_not_card_numbers(text: str) -> None:
    assert card_numbers_in(text) == []


# Ways a person writes (or pastes) a card number that the validator did not see.
EVASIONS = [
    "4111\u200b1111\u200b1111\u200b1111",  # zero-width space (pasted from a chat app)
    "4111\u20131111\u20131111\u20131111",  # en dash
    "4111/1111/1111/1111",
    "4111_1111_1111_1111",
    "4111,1111,1111,1111",
    "41 11 11 11 11 11 11 11",  # pairs
    "0000" + VISA,  # 20 digits: 'an identifier', though it ends with the card
    "4111 1111 1111 1111".replace(" ", "\u00a0\u00a0\u00a0\u00a0"),  # 4 no-break spaces (> 3 separators)
]


@pytest.mark.parametrize("text", EVASIONS)
def test_validator_sees_card_numbers_written_with_other_separators(text: str) -> None:
    """Review: zero-width/no-break spaces, en dashes, / _ , pairs and a 20-digit run hid a card number."""
    assert card_numbers_in(text), f"not detected: {text!r}"


def test_card_numbers_masked_keeps_other_numbers() -> None:
    text = f'{{"reference": "card {VISA}", "amount": "12.34", "ref": "TU20261130", "n": "4111111111111112"}}'
    masked = card_numbers_masked(text)
    assert card_numbers_in(masked) == []
    assert '"card ################"' in masked and "12.34" in masked and "TU20261130" in masked
    assert "4111111111111112" in masked  # not Luhn-valid: not a card number, kept


def test_staff_reason_fields_refuse_card_numbers() -> None:
    refund = RefundForm(data={"amount": "1.00", "reason": f"customer read out {UNIONPAY}"})
    freeze = ReasonForm(data={"reason": "card 4111-1111-1111-1111 stolen"})
    fine = ReasonForm(data={"reason": "card ending 1111 stolen"})

    assert not refund.is_valid() and refund.errors.as_data()["reason"][0].code == "card_number_in_text"
    assert not freeze.is_valid() and freeze.errors.as_data()["reason"][0].code == "card_number_in_text"
    assert fine.is_valid()
    assert "business_name" in CounterRegistrationForm(data={"business_name": VISA}).errors


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
