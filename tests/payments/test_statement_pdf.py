"""Statement PDF rendering (payments/statements.py)."""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime

import pytest
import reportlab

from core.money import Money
from payments import statements
from payments.statements import StatementRow, StatementSection, statement_pdf_render

VERA = os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")


def _section(description: str, reference: str = "TU-1") -> StatementSection:
    row = StatementRow(
        datetime(2026, 11, 2, 3, 0, tzinfo=UTC), description, reference, Money(100, "CNY"), Money(100, "CNY")
    )
    return StatementSection(
        currency="CNY", account_code="W-CNY-1", opening=Money(0, "CNY"), closing=Money(100, "CNY"), rows=[row]
    )


def _base_fonts(pdf: bytes) -> list[bytes]:
    return re.findall(rb"/BaseFont /([^\s/\]>]+)", pdf)


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
    assert re.search(rb"/BaseFont /[A-Z]{6}\+", pdf) or b"STSong-Light" in pdf  # embedded subset, or the fallback
    assert section.total_in == Money(10000, "CNY")
    assert section.total_out == Money(3550, "CNY")


def test_statement_without_activity_still_renders() -> None:
    pdf = statement_pdf_render(customer_label="x", period="2026-10", sections=[])

    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


@pytest.mark.parametrize(
    "memo",
    [
        '<a href="https://evil.example/phish">点此退款</a>',
        '<img src="/etc/passwd" width="100" height="100"/>',
        "<b>unclosed bold & an ampersand",
        '<font name="Courier" size="99">big</font>',
        "a < b > c &amp; d\x00\x1b",
    ],
)
def test_memo_markup_is_printed_as_text_never_interpreted(memo: str) -> None:
    pdf = statement_pdf_render(customer_label="<b>张*", period="2026-11", sections=[_section(memo, reference="<br/>R")])

    assert pdf.startswith(b"%PDF-")
    assert b"/URI" not in pdf and b"/Link" not in pdf  # no clickable link
    assert b"/Subtype /Image" not in pdf  # no local file pulled in
    assert b"Courier" not in b" ".join(_base_fonts(pdf))


def test_a_configured_truetype_font_is_subset_and_embedded(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Vera has no CJK glyphs: lower the probe to "·" to exercise the embedding path on any machine.
    monkeypatch.setattr(statements, "_PROBE", "·")
    settings.STATEMENT_FONT_FILES = ["/nonexistent/font.ttf", VERA]

    pdf = statement_pdf_render(customer_label="x", period="2026-11", sections=[_section("coffee · tea")])

    fonts = _base_fonts(pdf)
    assert any(re.fullmatch(rb"[A-Z]{6}\+BitstreamVeraSans-Roman", name) for name in fonts), fonts
    assert b"/FontFile2" in pdf  # the glyphs travel with the PDF
    assert b"STSong-Light" not in pdf


def test_without_a_usable_font_the_fallback_is_used_and_logged(settings, caplog) -> None:  # type: ignore[no-untyped-def]
    settings.STATEMENT_FONT_FILES = ["/nonexistent/wqy-microhei.ttc", VERA]  # Vera lacks CJK glyphs

    with caplog.at_level(logging.ERROR, logger="payments.statements"):
        pdf = statement_pdf_render(customer_label="张*", period="2026-11", sections=[_section("扫码付款")])

    assert b"STSong-Light" in pdf
    assert "No embeddable CJK font" in caplog.text


@pytest.mark.skipif(
    not any(os.path.exists(path) for path in statements.settings.STATEMENT_FONT_FILES),
    reason="no CJK TrueType font installed here (the production image installs fonts-wqy-microhei)",
)
def test_with_the_packaged_cjk_font_chinese_text_is_embedded() -> None:
    pdf = statement_pdf_render(customer_label="张*", period="2026-11", sections=[_section("扫码付款 星巴克 · 咖啡")])

    assert b"/FontFile2" in pdf
    assert b"STSong-Light" not in pdf
