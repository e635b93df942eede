"""Biller account-number checks (payments/billers.py)."""

from __future__ import annotations

import pytest

from payments.billers import (
    BillAccountInvalid,
    bill_account_validate,
    luhn_check_digit,
    mod11_check_char,
    weighted31_check_digit,
)


@pytest.mark.parametrize("body", ["123456789", "000012345678", "4401234567"])
def test_electricity_accepts_luhn_valid_numbers_of_10_to_13_digits(body: str) -> None:
    number = body + luhn_check_digit(body)

    assert bill_account_validate(validator="electricity", account_number=number) == number


def test_electricity_strips_spaces_and_hyphens() -> None:
    number = "123456789" + luhn_check_digit("123456789")

    assert (
        bill_account_validate(validator="electricity", account_number=f" {number[:4]} {number[4:7]}-{number[7:]} ")
        == number
    )


@pytest.mark.parametrize("raw", ["1234567890", "12345", "12345678901234", "12345678A0", "１２３４５６７８９０"])
def test_electricity_refuses_bad_check_digit_length_or_characters(raw: str) -> None:
    with pytest.raises(BillAccountInvalid) as excinfo:
        bill_account_validate(validator="electricity", account_number=raw)

    assert excinfo.value.code == "bill_account_invalid"


def test_electricity_refuses_a_single_digit_typo() -> None:
    number = "123456789" + luhn_check_digit("123456789")
    typo = number[:3] + str((int(number[3]) + 1) % 10) + number[4:]

    with pytest.raises(BillAccountInvalid):
        bill_account_validate(validator="electricity", account_number=typo)


def test_water_checks_weighted_check_digit() -> None:
    good = "3100221" + weighted31_check_digit("3100221")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)

    assert bill_account_validate(validator="water", account_number=good) == good
    with pytest.raises(BillAccountInvalid):
        bill_account_validate(validator="water", account_number=bad)


def test_gas_accepts_x_check_character() -> None:
    body = next(b for b in (f"{n:011d}" for n in range(100000, 200000)) if mod11_check_char(b) == "X")

    assert bill_account_validate(validator="gas", account_number=body + "x") == body + "X"
    with pytest.raises(BillAccountInvalid):
        bill_account_validate(validator="gas", account_number=body + "0")


@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "138-1234-5678"])
def test_mobile_accepts_cn_mobile_numbers(raw: str) -> None:
    assert bill_account_validate(validator="mobile", account_number=raw) == "13812345678"


@pytest.mark.parametrize("raw", ["01012345678", "12345678901", "+14155550123", "1381234567", "abc"])
def test_mobile_refuses_landlines_foreign_and_malformed(raw: str) -> None:
    with pytest.raises(BillAccountInvalid):
        bill_account_validate(validator="mobile", account_number=raw)


@pytest.mark.parametrize("value", [None, 123, "", "   ", "9" * 41])
def test_non_string_or_empty_or_too_long_is_refused(value: object) -> None:
    with pytest.raises(BillAccountInvalid):
        bill_account_validate(validator="electricity", account_number=value)


def test_unknown_validator_is_refused() -> None:
    with pytest.raises(BillAccountInvalid):
        bill_account_validate(validator="nope", account_number="12345678")


@pytest.mark.parametrize(
    ("validator", "account"),
    [("generic", "4111111111111111"), ("generic", "00004111111111111111"), ("broadband", "4111-1111-1111-1111")],
)
def test_free_form_billers_refuse_a_card_number(validator: str, account: str) -> None:
    with pytest.raises(BillAccountInvalid) as caught:
        bill_account_validate(validator=validator, account_number=account)
    assert caught.value.details == {"reason": "card_number"}


@pytest.mark.parametrize(("validator", "account"), [("generic", "ACC4111111111"), ("broadband", "BJ-0101-88817")])
def test_free_form_billers_keep_ordinary_account_numbers(validator: str, account: str) -> None:
    assert bill_account_validate(validator=validator, account_number=account) == account
