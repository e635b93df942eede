"""Statement PDF rendering (payments/statements.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from core.money import Money
from payments.statements import StatementRow, StatementSection, statement_pdf_render


def test_statement_renders_a_pdf_with_chinese_text_and_totals() -> None:
    rows = [
        StatementRow(
            datetime(2026, 11, 2, 3, 0, tzinfo=UTC),
            "银行卡充值 工商银行 ****4242",
            "TU-1",
            Money(10000, "CNY"),
            Money(10000, "CNY"),
        ),
        StatementRow(
            datetime(2026, 11, 3, 3, 0, tzinfo=UTC),
            "扫码付款 星巴克咖啡",
            "MP-1",
            Money(-3550, "CNY"),
            Money(6450, "CNY"),
        ),
    ]
    section = StatementSection(
        currency="CNY", account_code="W-CNY-1", opening=Money(0, "CNY"), closing=Money(6450, "CNY"), rows=rows
    )

    pdf = statement_pdf_render(customer_label="张*", period="2026-11", sections=[section])

    assert pdf.startswith(b"%PDF-")
    assert b"STSong-Light" in pdf
    assert section.total_in == Money(10000, "CNY")
    assert section.total_out == Money(3550, "CNY")


def test_statement_without_activity_still_renders() -> None:
    pdf = statement_pdf_render(customer_label="x", period="2026-10", sections=[])

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
