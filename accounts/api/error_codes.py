"""Error codes the accounts API raises ad hoc (``DomainError(code=...)``), with their meaning, for the
docs (``core.api_docs``). Codes carried by a ``DomainError`` subclass (accounts/errors.py) are
documented from the class; tests/core/test_api_docs.py fails on a raised code documented nowhere."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.api_docs import register_error_codes

register_error_codes(
    {
        "invalid_device_id": (400, "`device_id` must be 8 to 128 characters, stable per app install."),
        "consent_required": (400, "Registration needs `terms_version` and `privacy_version`."),
        "consent_version_invalid": (
            400,
            "Not the current version of that consent text (`details.current_version`; GET /api/v1/consent-texts).",
        ),
        "invalid_consent_version": (400, "A consent needs its text's version."),
        "invalid_consent_purpose": (400, "Unknown consent purpose (TERMS, PRIVACY, MARKETING, DATA_ANALYSIS)."),
        "invalid_referrer": (400, "`referrer_id` is not an active customer."),
        "invalid_referral_code": (400, "`referral_code` is not 8 letters and digits (Crockford base32)."),
        "password_incorrect": (403, "The current password is wrong."),
        "field_not_editable": (400, "Only `display_name` can be changed here; `details.fields` lists the others."),
        "otp_purpose_invalid": (400, "Unknown OTP purpose."),
        "otp_expired": (400, "The code expired (5 minutes): request a new one."),
        "otp_used": (400, "The code was used already: request a new one."),
        "payment_pin_too_simple": (400, "The PIN is too easy to guess (123456, 111111, the birth date...)."),
        "payment_pin_verification_required": (
            400,
            "Changing the PIN needs `old_pin` or a STEP_UP `otp_code` from POST /api/v1/me/otp.",
        ),
        "invalid_legal_name": (400, "The legal name as on the ID card, 1 to 60 characters without digits."),
        "kyc_too_many_attempts": (429, "Five failed or duplicate checks today: try again tomorrow."),
        "invalid_gateway_token": (400, "`gateway_token` is not a token of the bank gateway's SDK."),
        "invalid_last4": (400, "`last4` must be the card's last 4 digits."),
        "invalid_card_type": (400, "`card_type` is DEBIT or CREDIT."),
        "invalid_bank_name": (400, "`bank_name` is required."),
        "step_up_required": (
            403,
            "A second factor is needed. A payment: nothing moved; confirm `details.challenge_id` with the SMS "
            "code (POST /api/v1/risk/challenges/{id}/confirm), then repeat it with the same Idempotency-Key and "
            "`step_up_challenge`. Linking a card: send the payment PIN (`pin`) or a STEP_UP `otp_code` from "
            "POST /api/v1/me/otp.",
        ),
        "card_token_invalid": (400, "The bank gateway does not know this token (expired or revoked)."),
        "card_token_mismatch": (400, "`last4` differs from the card the bank tokenised."),
        "card_number_refused": (400, "A card number was sent: only the gateway token is accepted, nothing stored."),
        "invalid_payee": (
            400,
            "The payment's `payee` is missing or over 1100 characters (docs/accounts.md 'Passkeys').",
        ),
        # The code and message of payments.errors.IdempotencyKeyInvalid (accounts may not import payments), the
        # same msgid: the catalogue reads the same in every language whichever app is imported first.
        "idempotency_key_invalid": (400, _("The Idempotency-Key header must be 1 to 255 printable characters.")),
    }
)
