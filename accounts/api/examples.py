"""Request and response examples of the accounts API, for the docs (``core.api_docs.api_operation``).
Values are what a development stack answers (docs/api.md, "Getting started")."""

from __future__ import annotations

from typing import Any

CUSTOMER_ID = "3b0f6c1e-8a55-4f0e-9d8a-1f2c3d4e5f60"
DEVICE_ID = "9a7c5e3b-1d2f-4a6b-8c0d-2e4f6a8b0c1d"
CARD_ID = "5d1e9f20-7c3b-4a8e-b6d4-0f1e2d3c4b5a"
AT = "2026-11-30T08:15:30.123456Z"

PAGE_END: dict[str, Any] = {"next_cursor": None, "previous_cursor": None, "next": None, "previous": None}

OTP_REQUEST = {"phone": "+8613912345678", "purpose": "REGISTER"}
OTP_SENT = {"expires_in_seconds": 300, "resend_after_seconds": 60}

REGISTER = {
    "phone": "+8613912345678",
    "password": "correct-horse-battery-9",
    "otp_code": "483920",
    "device_id": "ios-2F6B1C9A-7D3E-4B8F",
    "device_name": "iPhone 15",
    "terms_version": "2026-01",
    "privacy_version": "2026-01",
    "marketing_version": "2026-01",
}
TOKEN = {
    "token": "tbk_3q2Vw8xY1zA9bC7dE5fG3hJ1kL9mN7pQ",
    "expires_at": "2026-12-30T08:15:30.123456Z",
    "customer_id": CUSTOMER_ID,
    "device_id": DEVICE_ID,
}
LOGIN = {
    "phone": "+8613912345678",
    "password": "correct-horse-battery-9",
    "device_id": "ios-2F6B1C9A-7D3E-4B8F",
    "device_name": "iPhone 15",
}
PASSWORD_CHANGE = {"old_password": "correct-horse-battery-9", "new_password": "another-long-passphrase-4"}
PASSWORD_RESET = {"phone": "+8613912345678", "otp_code": "551902", "new_password": "another-long-passphrase-4"}

TIER_1 = {
    "level": 1,
    "name": "Basic",
    "currency": "CNY",
    "per_transaction_limit": "2000.00",
    "daily_limit": "5000.00",
    "monthly_limit": "10000.00",
    "balance_cap": "10000.00",
}
ME = {
    "public_id": CUSTOMER_ID,
    "phone": "+8613912345678",
    "phone_masked": "139****5678",
    "legal_name": "王小明",
    "national_id_masked": "1101**********1239",
    "date_of_birth": "1995-03-07",
    "customer_type": "INDIVIDUAL",
    "business_name": "",
    "display_name": "小明",
    "kyc_tier": TIER_1,
    "kyc_verified_at": AT,
    "phone_verified_at": AT,
    "status": "ACTIVE",
    "status_reason": "",
    "status_changed_at": None,
    "home_branch": None,
    "onboarding_channel": "APP",
    "has_payment_pin": True,
    "payment_pin_locked_until": None,
    "created_at": AT,
}
ME_PATCH = {"display_name": "小明"}
PIN_SET = {"pin": "482915"}
KYC_SUBMIT = {"legal_name": "王小明", "national_id": "110105199503071235"}
KYC = {"tier": 1, "verified_at": AT, "national_id_masked": "1101**********1239", "review_pending": False}
CONSENT_GRANT = {"purpose": "DATA_ANALYSIS", "version": "2026-01"}
CONSENT = {"purpose": "DATA_ANALYSIS", "version": "2026-01", "granted_at": AT, "withdrawn_at": None, "live": True}
DEVICE = {
    "public_id": DEVICE_ID,
    "name": "iPhone 15",
    "trusted": True,
    "first_seen_at": AT,
    "last_seen_at": AT,
    "current": True,
    "signed_in": True,
}
CARD_LINK = {
    "gateway_token": "gw_tok_8f3k2m9q",
    "bank_name": "招商银行",
    "last4": "4821",
    "card_type": "DEBIT",
    "pin": "482915",
}
CARD = {
    "public_id": CARD_ID,
    "bank_name": "招商银行",
    "last4": "4821",
    "card_type": "DEBIT",
    "status": "ACTIVE",
    "created_at": AT,
}
CONSENT_TEXT = {
    "purpose": "TERMS",
    "version": "2026-01",
    "title": "Tongbao wallet terms of service",
    "text": "Tongbao is a digital wallet of the bank. ...",
    "required": True,
}
KYC_TIER = {
    "level": 1,
    "name": "Basic",
    "per_transaction_limit": {"amount": "2000.00", "currency": "CNY"},
    "daily_limit": {"amount": "5000.00", "currency": "CNY"},
    "monthly_limit": {"amount": "10000.00", "currency": "CNY"},
    "balance_cap": {"amount": "10000.00", "currency": "CNY"},
    "passkey_replaces_pin": False,
    "how_to_reach": "Verify your legal name and mainland ID number in the app: checked at once by the bank.",
    "endpoint": "POST /api/v1/me/kyc",
}


def page(*items: Any) -> dict[str, Any]:
    return {"results": list(items), **PAGE_END}


# --- passkeys (real WebAuthn payloads of a development stack: RP id "localhost", origin
# http://localhost:8000; accounts/api/passkeys.py) ---------------------------------------------------

PASSKEY_ID = "7e2d4c1a-5b3f-4e8d-9a6c-0f1b2d3e4a5c"
CHALLENGE_ID = "c4a8e2f1-6d3b-4a9e-8f7c-1b2d3e4f5a6b"
CHALLENGE_EXPIRES_AT = "2026-11-30T08:18:30.123456Z"  # WEBAUTHN_CHALLENGE_TTL_SECONDS (180) after AT
CREDENTIAL_ID = "tRlbhXjqqundKld-3tq5tV6Zg4N-URZEZoqI7rbIWWQ"
USER_HANDLE = "5hN2mv58DywjuKq3UnVZ_ZUL3xNe4e-ESeSMr7hTAWA"

PASSKEY_CREATION_OPTIONS = {
    "rp": {"name": "Tongbao", "id": "localhost"},
    "user": {"id": USER_HANDLE, "name": "139****5678", "displayName": "小明"},
    "challenge": "pk7gi2gYWv1BwAU849YcyC0Ptf0Eb3H6Ds3ld2BlLoc",
    "pubKeyCredParams": [
        {"type": "public-key", "alg": -7},
        {"type": "public-key", "alg": -8},
        {"type": "public-key", "alg": -257},
    ],
    "timeout": 180000,
    "excludeCredentials": [],
    "authenticatorSelection": {"residentKey": "required", "requireResidentKey": True, "userVerification": "required"},
    "attestation": "none",
}
PASSKEY_REGISTRATION_OPTIONS = {
    "challenge_id": CHALLENGE_ID,
    "expires_at": CHALLENGE_EXPIRES_AT,
    "public_key": PASSKEY_CREATION_OPTIONS,
}
PASSKEY_ATTESTATION = {
    "id": CREDENTIAL_ID,
    "rawId": CREDENTIAL_ID,
    "type": "public-key",
    "response": {
        "clientDataJSON": (
            "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoicGs3Z2kyZ1lXdjFCd0FVODQ5WWN5QzBQdGYwRWIzSDZEczNsZDJC"
            "bExvYyIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6ODAwMCIsImNyb3NzT3JpZ2luIjpmYWxzZX0"
        ),
        "attestationObject": (
            "o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVikSZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2NFAAAAAAAAAAAAAAAAAAAAAAAA"
            "AAAAILUZW4V46qrp3SpXft7aubVemYODflEWRGaKiO62yFlkpQECAyYgASFYIKuQLdUNiUjMQmgezgSLfkgBUCd88jUkUAkfwuP_HGCHIlgg"
            "apEVx0pp8WrwvkUGQZv_lIxUfAHak3SDuOAZXZ8y_eQ"
        ),
        "transports": ["internal"],
    },
    "clientExtensionResults": {},
    "authenticatorAttachment": "platform",
}
PASSKEY_REGISTER = {
    "challenge_id": CHALLENGE_ID,
    "otp_code": "730418",
    "name": "iPhone 15",
    "credential": PASSKEY_ATTESTATION,
}
PASSKEY = {
    "public_id": PASSKEY_ID,
    "name": "iPhone 15",
    "device_id": DEVICE_ID,
    "backup_eligible": True,
    "created_at": AT,
    "last_used_at": None,
}

PASSKEY_LOGIN_START = {"device_id": "ios-2F6B1C9A-7D3E-4B8F"}
PASSKEY_LOGIN_OPTIONS = {
    "challenge_id": CHALLENGE_ID,
    "expires_at": CHALLENGE_EXPIRES_AT,
    "public_key": {
        "challenge": "UnqXsQnz3r_mYVasgtPHYbk1bOD5Nw3-AMNdou_L2zc",
        "timeout": 180000,
        "rpId": "localhost",
        "allowCredentials": [],
        "userVerification": "required",
    },
}
PASSKEY_ASSERTION = {
    "id": CREDENTIAL_ID,
    "rawId": CREDENTIAL_ID,
    "type": "public-key",
    "response": {
        "clientDataJSON": (
            "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiVW5xWHNRbnozcl9tWVZhc2d0UEhZYmsxYk9ENU53My1BTU5kb3VfTDJ6"
            "YyIsIm9yaWdpbiI6Imh0dHA6Ly9sb2NhbGhvc3Q6ODAwMCIsImNyb3NzT3JpZ2luIjpmYWxzZX0"
        ),
        "authenticatorData": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",
        "signature": (
            "MEUCIAHlWxRUb_PvobkSiCn23fNnt3x_kDUANcVPiLjPYxrvAiEA6EdifbKtXATuL932tLKZEfQBMUhYP4QAjh3qT3sa6qU"
        ),
        "userHandle": USER_HANDLE,
    },
    "clientExtensionResults": {},
    "authenticatorAttachment": "platform",
}
PASSKEY_LOGIN = {
    "challenge_id": CHALLENGE_ID,
    "device_id": "ios-2F6B1C9A-7D3E-4B8F",
    "device_name": "iPhone 15",
    "credential": PASSKEY_ASSERTION,
}

PASSKEY_PAYMENT_START = {
    "amount": "36.00",
    "currency": "CNY",
    "payee": "phone:+8613800138000",
    "idempotency_key": "0b6f3c9e-2d4a-4f1b-8e7c-5a9d1c3e7f20",
}
PASSKEY_PAYMENT_OPTIONS = {
    "challenge_id": CHALLENGE_ID,
    "expires_at": CHALLENGE_EXPIRES_AT,
    "public_key": {
        "challenge": "E6eywP1ypO9QkYhhec7YjLjuXjCZDtvSZVY2nCIsSmb1ZbNjCpCF2lLCKjniHQOQpq3jMzTVMBs4xciXDPY9ig",
        "timeout": 180000,
        "rpId": "localhost",
        "allowCredentials": [{"id": CREDENTIAL_ID, "type": "public-key"}],
        "userVerification": "required",
    },
}
