"""The consent texts customers agree to, one current version per purpose (docs/accounts.md, "Consents").

The app reads them from ``GET /api/v1/consent-texts`` (title and text in the customer's language) and
sends the versions back at registration (``terms_version``, ``privacy_version``, optionally
``marketing_version``) or with ``POST /api/v1/me/consents``. A version that is not the current one
(unknown, or an older text) is refused with 400 ``consent_version_invalid``: a consent is recorded
only for a text the customer could actually have read.

A new text is a new version here, reviewed like code (legal sign-off in the review); the recorded
``Consent`` rows keep the version each customer agreed to. Customers who agreed to an older version
are asked again by the app when ``GET /api/v1/me/consents`` shows a version below the current one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import errors
from accounts.models import Consent

__all__ = ["CONSENT_TEXTS", "ConsentText", "consent_text_list", "consent_version_validate"]


@dataclass(frozen=True)
class ConsentText:
    purpose: str
    version: str
    title: str | Promise
    text: str | Promise
    required: bool  # needed to register


CONSENT_TEXTS: dict[str, ConsentText] = {
    Consent.Purpose.TERMS: ConsentText(
        purpose=Consent.Purpose.TERMS,
        version="2026-01",
        title=_("Tongbao wallet terms of service"),
        text=_(
            "Tongbao is a digital wallet of the bank. Your balance is held by the bank in your name. "
            "Payments need your payment PIN; keep it secret. Limits depend on your verification tier. "
            "You can close your wallet at any branch; the remaining balance is paid to your bank card."
        ),
        required=True,
    ),
    Consent.Purpose.PRIVACY: ConsentText(
        purpose=Consent.Purpose.PRIVACY,
        version="2026-01",
        title=_("Privacy policy"),
        text=_(
            "We process your phone number, your identity details once you verify them, your devices and "
            "your transactions to run your wallet and to prevent fraud, as the law requires. Identity "
            "details are stored encrypted. Staff see them masked; revealing them is logged."
        ),
        required=True,
    ),
    Consent.Purpose.MARKETING: ConsentText(
        purpose=Consent.Purpose.MARKETING,
        version="2026-01",
        title=_("Offers and campaigns"),
        text=_("We may send you offers, coupons and campaign news. Optional; withdraw at any time in the app."),
        required=False,
    ),
    Consent.Purpose.DATA_ANALYSIS: ConsentText(
        purpose=Consent.Purpose.DATA_ANALYSIS,
        version="2026-01",
        title=_("Spending insights"),
        text=_("We analyse your transactions to show you spending insights. Optional; withdraw at any time."),
        required=False,
    ),
}


def consent_text_list() -> list[ConsentText]:
    """The current texts, required ones first, in a stable order."""
    return sorted(CONSENT_TEXTS.values(), key=lambda t: (not t.required, t.purpose))


def consent_version_validate(*, purpose: str, version: object) -> str:
    """``version`` if it is the current text's version for ``purpose``, else 400 ``consent_version_invalid``."""
    current = CONSENT_TEXTS.get(purpose)
    value = version.strip() if isinstance(version, str) else ""
    if current is None or value != current.version:
        raise errors.DomainError(
            gettext("This is not the current version of the %(purpose)s text. Read it again and agree to it.")
            % {"purpose": Consent.Purpose(purpose).label if purpose in Consent.Purpose.values else purpose},
            code="consent_version_invalid",
            details={"purpose": purpose, "current_version": current.version if current else None},
        )
    return value
