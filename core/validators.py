"""Validators shared by every app: a card number never enters free text.

ARCHITECTURE: card numbers are never stored. A customer (memo, display name, device name) or a
staff member (reasons, notes) may still type one into free text. Policy: **refuse**, never mask.
Masking would silently change what the writer meant (and what an idempotent replay returns);
refusing tells them at once, and nothing is written. The error code is ``card_number_in_text``
(400 under /api/, a form error in the admin).

What counts: a run of 13–19 decimal digits (any script; full-width digits included), optionally
split by separators, whose digits pass the Luhn check. Unicode format characters (category Cf,
e.g. a zero-width space) are dropped first; then any character that is neither a letter nor a
digit (up to 6 in a row: spaces, no-break spaces, dashes, ``/ _ , .``) separates groups. In a
grouped run ("6222 0212 3456 7890 123 9") every run of whole consecutive groups of 2+ digits is
tried; inside a single run of 20+ digits every 13–19 digit window is tried (so "0000" glued to a
card number hides nothing). An ungrouped run of 20+ digits is therefore refused far more often
than not. About one random 13–19 digit number in ten passes Luhn; such a number in a memo is
refused too (the writer can split it with a letter).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CARD_NUMBER_IN_TEXT = "card_number_in_text"

# A digit, then digits each optionally preceded by up to 6 separators (anything but a letter or digit).
_RUN = re.compile(r"\d(?:[\W_]{0,6}\d)*")
_SEPARATORS = re.compile(r"[\W_]+")


def _luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(char)) for char in text)


def _without_format_characters(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def card_numbers_in(text: str) -> list[str]:
    """The Luhn-valid 13–19 digit sequences in ``text`` (as ASCII digits, separators removed)."""
    if not isinstance(text, str):
        return []
    found: list[str] = []
    for match in _RUN.finditer(unicodedata.normalize("NFKC", _without_format_characters(text))):
        groups = [_ascii_digits(g) for g in _SEPARATORS.split(match.group()) if g]
        for group in groups:  # a run of up to 19 digits as a whole, every window of a longer one
            if len(group) <= 19:
                if len(group) >= 13 and _luhn_valid(group):
                    found.append(group)
                continue
            for length in range(13, 20):
                for offset in range(len(group) - length + 1):
                    if _luhn_valid(window := group[offset : offset + length]):
                        found.append(window)
        for start in range(len(groups) - 1):  # whole consecutive groups
            candidate = groups[start]
            for group in groups[start + 1 :]:
                if len(group) < 2 or len(candidate) < 2:  # "1 2 3 …" is a count, not a card in groups
                    break
                candidate += group
                if len(candidate) > 19:
                    break
                if len(candidate) >= 13 and _luhn_valid(candidate):
                    found.append(candidate)
    return found


def card_numbers_masked(text: str) -> str:
    """``text`` with every digit of each digit run holding a card number replaced by ``#``.

    For text we must keep but did not write ourselves (a raw callback body from anyone on the
    internet): there is nobody to refuse, so the run is masked before it is stored or logged.
    """
    return _RUN.sub(lambda m: re.sub(r"\d", "#", m.group()) if card_numbers_in(m.group()) else m.group(), text)


def contains_card_number(value: Any) -> bool:
    """True if any string in ``value`` (nested dicts, lists and keys included) holds a card number."""
    if isinstance(value, str):
        return bool(card_numbers_in(value))
    if isinstance(value, dict):
        return any(contains_card_number(k) or contains_card_number(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(contains_card_number(v) for v in value)
    return False


def reject_card_numbers(value: Any) -> None:
    """Field validator (Django forms, model fields and DRF serializers alike): refuses a card number."""
    if contains_card_number(value):
        raise ValidationError(
            _("Do not type a bank card number here; card numbers are never stored."),
            code=CARD_NUMBER_IN_TEXT,
        )
