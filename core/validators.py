"""Validators shared by every app: a card number never enters free text.

ARCHITECTURE: card numbers are never stored. A customer (memo, display name, device name) or a
staff member (reasons, notes) may still type one into free text. Policy: **refuse**, never mask.
Masking would silently change what the writer meant (and what an idempotent replay returns);
refusing tells them at once, and nothing is written. The error code is ``card_number_in_text``
(400 under /api/, a form error in the admin).

What counts: a run of 13–19 decimal digits (any script; full-width digits included), optionally
split by spaces, hyphens or dots, whose digits pass the Luhn check. In a longer grouped run
("6222 0212 3456 7890 123 9") every run of whole consecutive groups of 3+ digits is tried. An ungrouped run
of 20+ digits is an identifier, not a card. About one random 13–19 digit number in ten passes
Luhn; such a number in a memo is refused too (the writer can split it with a letter).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CARD_NUMBER_IN_TEXT = "card_number_in_text"

# A digit, then digits each optionally preceded by up to 3 separators (space, hyphen, dot).
_RUN = re.compile(r"\d(?:[\s\-.]{0,3}\d)*")
_SEPARATORS = re.compile(r"[\s\-.]+")


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


def card_numbers_in(text: str) -> list[str]:
    """The Luhn-valid 13–19 digit sequences in ``text`` (as ASCII digits, separators removed)."""
    if not isinstance(text, str):
        return []
    found: list[str] = []
    for match in _RUN.finditer(unicodedata.normalize("NFKC", text)):
        groups = [_ascii_digits(g) for g in _SEPARATORS.split(match.group()) if g]
        if len(groups) == 1:
            if 13 <= len(groups[0]) <= 19 and _luhn_valid(groups[0]):
                found.append(groups[0])
            continue
        for start in range(len(groups)):
            candidate = ""
            for group in groups[start:]:
                if len(group) < 3:  # "10 20 30 …" is a list of numbers, not a card written in groups
                    break
                candidate += group
                if len(candidate) > 19:
                    break
                if len(candidate) >= 13 and _luhn_valid(candidate):
                    found.append(candidate)
    return found


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
