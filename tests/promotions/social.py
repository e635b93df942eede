"""Helpers of the referral and lottery tests: real sign-up events, top-ups from the referee's own
card, payments (no shortcuts into the ledger)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Customer, Device
from core.models import OutboxEvent
from core.money import Money
from core.outbox import event_publish
from payments.integrations import GatewayStatus
from payments.services.funding import topup_apply_outcome, topup_create
from promotions.referral_codes import code_encode
from tests.factories import LinkedCardFactory
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import shopper

REGISTERED_CONSUMER = "promotions.referral_on_registered"
REFERRAL_CONSUMER = "promotions.referral_on_payment"
LOTTERY_CONSUMER = "promotions.lottery_on_payment"


def referral_campaign(**overrides: Any) -> Any:
    data: dict[str, Any] = {
        "kind": "REFERRAL",
        "name_en": "Invite a friend",
        "conditions": {"min_amount": "10.00", "payment_types": ["MERCHANT"]},
        "benefit": {"referrer_reward": "10.00", "referee_reward": "5.00", "cooling_off_days": 3},
    }
    data.update(overrides)
    return campaign_running(**data)


def lottery_campaign(**overrides: Any) -> Any:
    data: dict[str, Any] = {
        "kind": "LOTTERY",
        "name_en": "Spring draw",
        "conditions": {"min_amount": "10.00", "payment_types": ["MERCHANT"]},
        "benefit": {
            "prizes": [{"amount": "5.00", "count": 1}, {"amount": "10.00", "count": 2}],
            "draw_after_minutes": 10,
        },
        "budget_minor": 25_00,
    }
    data.update(overrides)
    return campaign_running(**data)


def person(device_id: str | None = None, *, kyc: bool = True, funds: str = "0.01") -> Customer:
    """A customer with marketing consent, a device and (``kyc``) verified identity yesterday."""
    customer = shopper(funds)
    if kyc:
        Customer.objects.filter(pk=customer.pk).update(
            kyc_verified_at=timezone.now() - timedelta(days=1), national_id_index=uuid.uuid4().hex
        )
        customer.refresh_from_db()
    Device.objects.create(customer=customer, device_id=device_id or f"dev-{uuid.uuid4().hex[:12]}")
    return customer


def topup_own_card(customer: Customer, amount: str) -> None:
    """A top-up from a card linked to the customer's own wallet, confirmed by the bank."""
    last4 = f"{customer.pk % 10_000:04d}"  # distinct cards (bank + last 4 is the ring's card fingerprint)
    card = LinkedCardFactory(customer=customer, gateway_token=f"tok_{uuid.uuid4().hex[:16]}", last4=last4)
    with transaction.atomic():
        topup = topup_create(customer=customer, card_public_id=card.public_id, amount=Money.parse(amount, "CNY"))
    topup_apply_outcome(reference=topup.reference, status=GatewayStatus.SUCCEEDED, gateway_ref="G" + topup.reference)


def registered_event(referee: Customer, *, code: str = "", referred_by: str = "") -> OutboxEvent:
    """The ``customer.registered`` event accounts writes at sign-up, with the code given."""
    with transaction.atomic():
        return event_publish(
            topic="customer.registered",
            key=str(referee.public_id),
            payload={
                "customer_id": str(referee.public_id),
                "channel": "APP",
                "home_branch": None,
                "registered_by": None,
                "referred_by": referred_by or None,
                "referral_code": code or None,
                "marketing_consent": True,
                "registered_at": timezone.now().isoformat(),
            },
        )


def code_of(customer: Customer) -> str:
    return code_encode(customer.pk)
