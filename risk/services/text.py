"""Free text staff and customers write into risk records."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from core.validators import reject_card_numbers
from risk.errors import RiskActionRefused

__all__ = ["no_card_numbers"]


def no_card_numbers(text: str) -> None:
    """Card numbers are never stored, even typed into a note (docs/foundation.md): refused."""
    try:
        reject_card_numbers(text)
    except ValidationError as exc:
        raise RiskActionRefused(" ".join(exc.messages), code="card_number_in_text", status_code=400) from None
