"""QR payload signing and verification (payments/qr.py): forged, altered, truncated and expired codes are refused."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest
from django.test import override_settings

from core.money import Money
from payments.qr import PREFIX, QrExpired, QrInvalid, QrPayload, qr_png, qr_sign, qr_svg, qr_verify

MERCHANT = uuid.UUID("7d1f8e8a-1111-4222-8333-944455556666")
ORDER = uuid.UUID("0b7a2d6c-aaaa-4bbb-8ccc-ddddeeeeffff")


def _dynamic(expires_at: int | None = None) -> QrPayload:
    return QrPayload(
        merchant_public_id=MERCHANT,
        currency="CNY",
        order_public_id=ORDER,
        amount=Money.parse("88.80", "CNY"),
        expires_at=expires_at if expires_at is not None else int(time.time()) + 300,
    )


def test_static_qr_round_trips_without_amount() -> None:
    text = qr_sign(QrPayload(merchant_public_id=MERCHANT, currency="CNY"))

    payload = qr_verify(text)

    assert text.startswith(f"{PREFIX}.")
    assert payload == QrPayload(merchant_public_id=MERCHANT, currency="CNY")
    assert not payload.is_dynamic


def test_dynamic_qr_round_trips_amount_order_and_expiry() -> None:
    original = _dynamic()

    payload = qr_verify(qr_sign(original))

    assert payload == original
    assert payload.amount == Money(8880, "CNY")


def test_altered_amount_is_refused() -> None:
    prefix, body, mac = qr_sign(_dynamic()).split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["a"] = "0.01"
    forged_body = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()

    with pytest.raises(QrInvalid):
        qr_verify(f"{prefix}.{forged_body}.{mac}")


def test_qr_signed_with_another_key_is_refused() -> None:
    with override_settings(QR_SIGNING_KEY="an-attackers-own-key-0000000000000"):
        forged = qr_sign(_dynamic())

    with pytest.raises(QrInvalid):
        qr_verify(forged)


@pytest.mark.parametrize(
    "text",
    ["", "hello", "TBPAY1", "TBPAY1.abc", "TBPAY2.e30.AAAA", "TBPAY1.!!!.AAAA", "x" * 600, None, 12, {"qr": 1}],
)
def test_garbage_is_refused_as_invalid(text: object) -> None:
    with pytest.raises(QrInvalid):
        qr_verify(text)


def test_truncated_signature_is_refused() -> None:
    text = qr_sign(_dynamic())

    with pytest.raises(QrInvalid):
        qr_verify(text[:-3])


def test_expired_dynamic_qr_is_refused_as_expired() -> None:
    text = qr_sign(_dynamic(expires_at=int(time.time()) - 1))

    with pytest.raises(QrExpired) as excinfo:
        qr_verify(text)

    assert excinfo.value.code == "qr_expired"
    assert excinfo.value.status_code == 400


def test_previous_key_still_verifies_after_rotation() -> None:
    with override_settings(QR_SIGNING_KEY="old-key-old-key-old-key-old-key-00"):
        text = qr_sign(QrPayload(merchant_public_id=MERCHANT, currency="CNY"))

    with override_settings(
        QR_SIGNING_KEY="new-key-new-key-new-key-new-key-11",
        QR_SIGNING_KEYS_PREVIOUS=["old-key-old-key-old-key-old-key-00"],
    ):
        assert qr_verify(text).merchant_public_id == MERCHANT


def test_images_render_svg_and_png() -> None:
    text = qr_sign(QrPayload(merchant_public_id=MERCHANT, currency="CNY"))

    svg = qr_svg(text)
    png = qr_png(text)

    assert svg.lstrip().startswith(b"<svg")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
