"""The shipped Simplified Chinese catalogue is complete: no untranslated and no fuzzy message.

A small parser of the gettext PO format (``polib`` is not a dependency): entries are separated by
blank lines; ``#,`` lines carry flags; ``#~`` lines are obsolete and ignored; strings continue on
following ``"..."`` lines.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@dataclass
class PoEntry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def label(self) -> str:
        context = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {context}{self.msgid!r}"


def po_parse(text: str) -> list[PoEntry]:
    entries: list[PoEntry] = []
    entry = PoEntry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, target, started
        if started:
            entries.append(entry)
        entry, target, started = PoEntry(), None, False

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if target is not None:
                name, index = target
                if name == "msgstr":
                    entry.msgstr[index] += value
                else:
                    setattr(entry, name, (getattr(entry, name) or "") + value)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest.strip())
            if not started:
                started, entry.line = True, number
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                entry.msgstr[index] = value
                target = ("msgstr", index)
            elif keyword in ("msgctxt", "msgid", "msgid_plural"):
                setattr(entry, keyword, value)
                target = (keyword, 0)
    finish()
    return entries


def test_po_parser_reads_contexts_plurals_continuations_and_flags() -> None:
    sample = "\n".join(
        [
            'msgid ""',
            'msgstr "Content-Type: text/plain\\n"',
            "",
            "#, fuzzy, python-format",
            'msgctxt "account action"',
            'msgid "Close"',
            'msgstr ""',
            '"销户"',
            "",
            'msgid "%(n)d request"',
            'msgid_plural "%(n)d requests"',
            'msgstr[0] ""',
            "",
            '#~ msgid "old"',
            '#~ msgstr "旧"',
        ]
    )

    header, close, plural = po_parse(sample)

    assert header.msgid == "" and close.msgctxt == "account action" and close.msgstr == {0: "销户"}
    assert "fuzzy" in close.flags and close.line == 5
    assert plural.msgid_plural == "%(n)d requests" and plural.msgstr == {0: ""}


def test_zh_hans_catalogue_has_no_untranslated_or_fuzzy_message() -> None:
    entries = [e for e in po_parse(CATALOGUE.read_text(encoding="utf-8")) if e.msgid]

    untranslated = [e.label for e in entries if not e.msgstr or any(not value for value in e.msgstr.values())]
    fuzzy = [e.label for e in entries if "fuzzy" in e.flags]

    assert entries
    assert not untranslated and not fuzzy, f"untranslated: {untranslated}\nfuzzy: {fuzzy}"
