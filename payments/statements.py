"""Monthly statement as PDF (reportlab). Pure rendering: the rows come from ``selectors_insight``.

Fonts: the statement embeds a TrueType CJK font (reportlab subsets and embeds every ``TTFont``),
so Chinese text and "·" render on any viewer. The first file of ``STATEMENT_FONT_FILES`` that
exists, loads, and has glyphs for ``_PROBE`` is used; the production image installs Debian's
``fonts-wqy-microhei`` (WenQuanYi Micro Hei, Apache-2.0/GPLv3) for the default path. Without
one, the statement falls back to reportlab's built-in ``STSong-Light`` CID font (not embedded:
the viewer must supply the glyphs) and logs an error once, so a missing font is visible.

Everything that is data (memos, merchant names, references, the customer label) is XML-escaped
before it reaches reportlab's paragraph markup: it can neither inject links or images nor break
the markup.
"""

from __future__ import annotations

import io
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.money import Money

logger = logging.getLogger(__name__)

FALLBACK_FONT = "STSong-Light"
EMBEDDED_FONT = "TongbaoStatement"
_PROBE = "通宝账单·￥"  # glyphs a statement font must have
_font_lock = threading.Lock()
_font_choice: dict[tuple[str, ...], str] = {}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _load_ttf(path: str) -> TTFont | None:
    try:
        font = TTFont(f"{EMBEDDED_FONT}-{len(_font_choice)}", path, subfontIndex=0)
    except (OSError, TTFError) as exc:
        logger.warning("Statement font %s unusable: %s", path, exc)
        return None
    widths = font.face.charToGlyph  # type: ignore[attr-defined]
    if not all(ord(char) in widths for char in _PROBE):
        logger.warning("Statement font %s lacks CJK glyphs; skipped", path)
        return None
    return font


def statement_font() -> str:
    """The registered font name statements use: an embedded TTF if one is configured, else the CID fallback."""
    candidates = tuple(getattr(settings, "STATEMENT_FONT_FILES", ()) or ())
    key = (*candidates, _PROBE)
    with _font_lock:
        if key in _font_choice:
            return _font_choice[key]
        chosen = None
        for path in candidates:
            font = _load_ttf(path)
            if font is not None:
                pdfmetrics.registerFont(font)
                chosen = font.fontName
                break
        if chosen is None:
            logger.error(
                "No embeddable CJK font among STATEMENT_FONT_FILES=%s: statements use the non-embedded %s "
                "(install fonts-wqy-microhei or point STATEMENT_FONT_FILES at a TrueType CJK font)",
                list(candidates),
                FALLBACK_FONT,
            )
            pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
            chosen = FALLBACK_FONT
        _font_choice[key] = chosen
        return chosen


def _text(value: object) -> str:
    """Data as paragraph text: control characters dropped, ``<``, ``>`` and ``&`` escaped."""
    return escape(_CONTROL.sub("", str(value)))


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


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=20, spaceAfter=6),
        "body": ParagraphStyle("body", fontName=font, fontSize=9, leading=12),
        "heading": ParagraphStyle("heading", fontName=font, fontSize=11, leading=14, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=8, leading=10),
    }


def statement_pdf_render(
    *,
    customer_label: str,
    period: str,
    sections: Sequence[StatementSection],
    generated_at: datetime | None = None,
) -> bytes:
    """Render the statement for ``period`` (``YYYY-MM``) and return the PDF bytes."""
    font = statement_font()
    styles = _styles(font)
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
        Paragraph(_text(_("Tongbao wallet statement %(period)s") % {"period": period}), styles["title"]),
        Paragraph(_text(_("Customer: %(customer)s") % {"customer": customer_label}), styles["body"]),
        Paragraph(_text(_("Generated at %(when)s") % {"when": generated.strftime("%Y-%m-%d %H:%M")}), styles["body"]),
        Spacer(1, 4 * mm),
    ]
    if not sections:
        story.append(Paragraph(_text(_("No wallet activity in this period.")), styles["body"]))
    for section in sections:
        story.append(Paragraph(_text(f"{section.currency} · {section.account_code}"), styles["heading"]))
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
        summary.setStyle(_table_style(font, header_rows=1, align_right_from=0))
        story += [summary, Spacer(1, 3 * mm)]
        data: list[list[Any]] = [[_("Date"), _("Description"), _("Reference"), _("Amount"), _("Balance")]]
        for row in section.rows:
            data.append(
                [
                    timezone.localtime(row.occurred_at).strftime("%Y-%m-%d %H:%M"),
                    Paragraph(_text(row.description), styles["cell"]),
                    Paragraph(_text(row.reference), styles["cell"]),
                    row.amount.amount_str(),
                    row.balance.amount_str(),
                ]
            )
        if not section.rows:
            data.append(["", _("No transactions"), "", "", ""])
        table = Table(data, colWidths=[28 * mm, 62 * mm, 40 * mm, 25 * mm, 25 * mm], repeatRows=1)
        table.setStyle(_table_style(font, header_rows=1, align_right_from=3))
        story.append(table)
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            _text(_("Amounts in each wallet's currency. Balances are posted balances; held amounts are not deducted.")),
            styles["body"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def _table_style(font: str, *, header_rows: int, align_right_from: int) -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 8),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8eef5")),
            ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b0b8c0")),
            ("ALIGN", (align_right_from, header_rows), (-1, -1), "RIGHT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
