"""What a scanned QR code will pay, before the customer confirms (``POST /api/v1/payments/preview``).

A read: it verifies the signed payload (``payments.qr.qr_verify``: forged, altered or expired codes
are refused exactly as the payment would refuse them) and reads the merchant and, for a dynamic QR,
its order. Nothing is reserved or written: the payment itself re-checks everything under its locks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from core.money import Money
from payments.errors_movements import MerchantUnavailable, OrderAlreadyPaid, OrderCancelled
from payments.models import Merchant, MerchantOrder
from payments.qr import QrInvalid, qr_verify

__all__ = ["QrPreview", "merchant_qr_preview"]


@dataclass(frozen=True)
class QrPreview:
    merchant: Merchant
    currency: str
    amount: Money | None  # fixed by a dynamic QR (an order); None: the customer types it
    order_public_id: uuid.UUID | None
    order_description: str
    expires_at: datetime | None


def merchant_qr_preview(*, qr: object) -> QrPreview:
    """The merchant, currency and (dynamic QR) amount of ``qr``; the payment's own refusals otherwise:
    ``qr_invalid``/``qr_expired`` (400), ``merchant_unavailable`` (403), ``order_already_paid`` /
    ``order_cancelled`` (409). Two queries at most."""
    payload = qr_verify(qr)
    merchant = Merchant.objects.filter(public_id=payload.merchant_public_id).first()
    if merchant is None:
        raise QrInvalid()
    if merchant.status != Merchant.Status.ACTIVE or not merchant.accepts(payload.currency):
        raise MerchantUnavailable()
    description = ""
    if payload.order_public_id is not None:  # a dynamic QR
        order = MerchantOrder.objects.filter(public_id=payload.order_public_id, merchant=merchant).first()
        if order is None:
            raise QrInvalid()
        if order.status == MerchantOrder.Status.PAID:
            raise OrderAlreadyPaid()
        if order.status == MerchantOrder.Status.CANCELLED:
            raise OrderCancelled()
        description = order.description
    expires_at = datetime.fromtimestamp(payload.expires_at, tz=UTC) if payload.expires_at is not None else None
    return QrPreview(
        merchant=merchant,
        currency=payload.currency,
        amount=payload.amount,
        order_public_id=payload.order_public_id,
        order_description=description,
        expires_at=expires_at,
    )
