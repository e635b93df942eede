"""A posting reads in yuan on the admin's transfer page (new-employee review: "4 -2250 CNY")."""

from __future__ import annotations

from payments.models import Posting


def test_a_posting_reads_as_a_signed_amount_in_yuan() -> None:
    assert str(Posting(account_id=4, amount_minor=-2250, currency="CNY")) == "-22.50 CNY"
    assert str(Posting(account_id=9, amount_minor=888800, currency="CNY")) == "+8888.00 CNY"
    assert str(Posting(account_id=9, amount_minor=500, currency="JPY")) == "+500 JPY"


def test_money_labels_drop_the_minor_units_suffix_in_every_language() -> None:
    """New-employee review: zh-hans pages read "金额（最小货币单位）" above a value in yuan."""
    from payments.admin.base import _strip_units

    assert _strip_units("amount (minor units)") == "amount"
    assert _strip_units("金额（最小货币单位）") == "金额"
    assert _strip_units("已退款金额（最小单位）") == "已退款金额"
    assert _strip_units("amount") == "amount"
