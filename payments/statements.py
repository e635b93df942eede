"""Monthly statement as PDF (reportlab). Pure rendering: the rows come from ``selectors_insight``.

Chinese text uses reportlab's built-in ``STSong-Light`` CID font (Adobe's Asian font pack
convention: PDF viewers supply the glyphs), so no font file is shipped or embedded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.money import Money

FONT = "STSong-Light"
_font_registered = False


def _ensure_font() -> None:
    global _font_registered
    if not _font_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_registered = True


@dataclass(frozen=True)
class StatementRow:
    occurred_at: datetime
    description: str
    reference: str
    amount: Money  # signed: negative = money left the wallet
    balance: Money  # posted balance after this row


@dataclass(frozen=True)
class StatementSection:
    """One wallet (one currency) of the statement."""

    currency: str
    account_code: str
    opening: Money
    closing: Money
    rows: Sequence[StatementRow] = field(default_factory=list)

    @property
    def total_in(self) -> Money:
        return sum((r.amount for r in self.rows if r.amount.minor > 0), Money.zero(self.currency))

    @property
    def total_out(self) -> Money:
        return sum((-r.amount for r in self.rows if r.amount.minor < 0), Money.zero(self.currency))


def _styles() -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=FONT, fontSize=16, leading=20, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12),
        "heading": ParagraphStyle("heading", fontName=FONT, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
    }


def statement_pdf_render(
    *,
    customer_label: str,
    period: str,
    sections: Sequence[StatementSection],
    generated_at: datetime | None = None,
) -> bytes:
    """Render the statement for ``period`` (``YYYY-MM``) and return the PDF bytes."""
    _ensure_font()
    styles = _styles()
    generated = timezone.localtime(generated_at or timezone.now())
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Tongbao statement {period}",
        author="Tongbao",
    )
    story: list = [
        Paragraph(_("Tongbao wallet statement %(period)s") % {"period": period}, styles["title"]),
        Paragraph(_("Customer: %(customer)s") % {"customer": customer_label}, styles["body"]),
        Paragraph(_("Generated at %(when)s") % {"when": generated.strftime("%Y-%m-%d %H:%M")}, styles["body"]),
        Spacer(1, 4 * mm),
    ]
    if not sections:
        story.append(Paragraph(_("No wallet activity in this period."), styles["body"]))
    for section in sections:
        story.append(Paragraph(f"{section.currency} · {section.account_code}", styles["heading"]))
        summary = Table(
            [
                [_("Opening balance"), _("Money in"), _("Money out"), _("Closing balance")],
                [
                    section.opening.amount_str(),
                    section.total_in.amount_str(),
                    section.total_out.amount_str(),
                    section.closing.amount_str(),
                ],
            ],
            colWidths=[45 * mm] * 4,
        )
        summary.setStyle(_table_style(header_rows=1, align_right_from=0))
        story += [summary, Spacer(1, 3 * mm)]
        data: list[list[Any]] = [[_("Date"), _("Description"), _("Reference"), _("Amount"), _("Balance")]]
        for row in section.rows:
            data.append(
                [
                    timezone.localtime(row.occurred_at).strftime("%Y-%m-%d %H:%M"),
                    Paragraph(row.description, styles["cell"]),
                    Paragraph(row.reference, styles["cell"]),
                    row.amount.amount_str(),
                    row.balance.amount_str(),
                ]
            )
        if not section.rows:
            data.append(["", _("No transactions"), "", "", ""])
        table = Table(data, colWidths=[28 * mm, 62 * mm, 40 * mm, 25 * mm, 25 * mm], repeatRows=1)
        table.setStyle(_table_style(header_rows=1, align_right_from=3))
        story.append(table)
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            _("Amounts in each wallet's currency. Balances are posted balances; held amounts are not deducted."),
            styles["body"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _table_style(*, header_rows: int, align_right_from: int) -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 8),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8eef5")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c0")),
            ("ALIGN", (align_right_from, header_rows), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
