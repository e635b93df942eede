"""Merchant QR codes: a signed, versioned payload, and its SVG/PNG image (segno).

Payload (documented in docs/payments-movements.md)::

    TBPAY1.<base64url(JSON)>.<base64url(HMAC-SHA256(key, "TBPAY1." + base64url(JSON)))>

JSON keys (compact, sorted): ``v`` (1), ``m`` (merchant public id), ``c`` (currency), and for a
dynamic QR ``o`` (order public id), ``a`` (amount as a decimal string) and ``e`` (expiry, Unix
seconds). A static QR has no ``o``/``a``/``e``: the customer types the amount. base64url is without
padding. The key is ``settings.QR_SIGNING_KEY``; keys in ``QR_SIGNING_KEYS_PREVIOUS`` still verify
(printed static QR codes outlive a key rotation).

``qr_verify`` refuses anything forged, altered, truncated or expired with ``QrInvalid`` /
``QrExpired`` (400): the amount and merchant of a QR can only come from us.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from core.errors import DomainError
from core.money import Money, MoneyError

PREFIX = "TBPAY1"
VERSION = 1
MAX_PAYLOAD_LENGTH = 512


class QrInvalid(DomainError):
    code = "qr_invalid"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("This QR code is not a valid Tongbao payment code.")


class QrExpired(DomainError):
    code = "qr_expired"
    status_code = status.HTTP_400_BAD_REQUEST
    default_message = _("This QR code has expired. Ask the merchant for a new one.")


@dataclass(frozen=True)
class QrPayload:
    merchant_public_id: uuid.UUID
    currency: str
    order_public_id: uuid.UUID | None = None
    amount: Money | None = None
    expires_at: int | None = None  # Unix seconds

    @property
    def is_dynamic(self) -> bool:
        return self.order_public_id is not None


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    if not text or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for ch in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: str, signed_part: str) -> bytes:
    return hmac.new(key.encode(), signed_part.encode("ascii"), hashlib.sha256).digest()


def qr_sign(payload: QrPayload) -> str:
    """The text to encode in the QR image."""
    body: dict[str, Any] = {"v": VERSION, "m": str(payload.merchant_public_id), "c": payload.currency}
    if payload.order_public_id is not None:
        if payload.amount is None or payload.expires_at is None:
            raise ValueError("a dynamic QR needs an amount and an expiry")
        if payload.amount.currency != payload.currency:
            raise ValueError("amount currency differs from the QR currency")
        body.update({"o": str(payload.order_public_id), "a": payload.amount.amount_str(), "e": payload.expires_at})
    encoded = _b64encode(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    signed_part = f"{PREFIX}.{encoded}"
    return f"{signed_part}.{_b64encode(_mac(str(settings.QR_SIGNING_KEY), signed_part))}"


def qr_verify(text: object, *, now: float | None = None) -> QrPayload:
    """Parse and verify a scanned payload; raises ``QrInvalid`` or ``QrExpired``."""
    if not isinstance(text, str) or len(text) > MAX_PAYLOAD_LENGTH:
        raise QrInvalid()
    parts = text.strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise QrInvalid()
    signed_part = f"{parts[0]}.{parts[1]}"
    try:
        given_mac = _b64decode(parts[2])
    except (ValueError, binascii.Error):
        raise QrInvalid() from None
    keys = [str(settings.QR_SIGNING_KEY), *getattr(settings, "QR_SIGNING_KEYS_PREVIOUS", [])]
    if not any(hmac.compare_digest(_mac(key, signed_part), given_mac) for key in keys if key):
        raise QrInvalid()
    try:
        body = json.loads(_b64decode(parts[1]))
        if not isinstance(body, dict) or body.get("v") != VERSION:
            raise ValueError("unknown version")
        payload = QrPayload(
            merchant_public_id=uuid.UUID(body["m"]),
            currency=str(body["c"]),
            order_public_id=uuid.UUID(body["o"]) if "o" in body else None,
            amount=Money.parse(body["a"], body["c"]) if "a" in body else None,
            expires_at=int(body["e"]) if "e" in body else None,
        )
    except (ValueError, KeyError, TypeError, MoneyError, binascii.Error):
        raise QrInvalid() from None
    if payload.is_dynamic and (payload.amount is None or payload.expires_at is None):
        raise QrInvalid()
    current = time.time() if now is None else now
    if payload.expires_at is not None and current >= payload.expires_at:
        raise QrExpired()
    return payload


# --- images --------------------------------------------------------------------------------------
def qr_svg(text: str, *, scale: int = 4) -> bytes:
    """An SVG image of ``text`` (error correction M: survives a scuffed sticker)."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="svg", scale=scale, border=2, xmldecl=False)
    return buffer.getvalue()


def qr_png(text: str, *, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()
