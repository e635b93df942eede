"""What each event means for surveys: which customer, which trigger, which reference. Called by the
outbox consumers in ``feedback.tasks`` inside the delivery's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils.dateparse import parse_datetime

from accounts.models import Customer
from accounts.selectors import customer_get_by_public_id
from feedback.models import SurveyInvitation, SurveyTrigger
from feedback.services.surveys import survey_invite
from payments.models import Transfer

__all__ = ["on_payment", "on_reward", "on_ticket_resolved"]

PAYMENT_KINDS = (Transfer.Kind.P2P, Transfer.Kind.MERCHANT_PAYMENT, Transfer.Kind.BILL_PAYMENT)


def _customer(payload: dict[str, Any], key: str) -> Customer | None:
    value = payload.get(key)
    if not value:
        return None
    try:
        return customer_get_by_public_id(uuid.UUID(str(value)))
    except ValueError:
        return None


def _is_first_payment(customer: Customer, payload: dict[str, Any]) -> bool:
    """No earlier payment initiated by the customer than this one (the invitation's unique key also
    holds a second "first" payment to no invitation)."""
    at = parse_datetime(str(payload.get("created_at") or ""))
    earlier = Transfer.objects.filter(initiated_by=customer, kind__in=PAYMENT_KINDS)
    if payload.get("transfer_id"):
        earlier = earlier.exclude(public_id=payload["transfer_id"])
    if at is not None:
        earlier = earlier.filter(created_at__lt=at)
    return not earlier.exists()


def on_payment(payload: dict[str, Any], *, customer_key: str) -> None:
    customer = _customer(payload, customer_key)
    if customer is None:
        return
    if SurveyInvitation.objects.filter(customer=customer, trigger=SurveyTrigger.FIRST_PAYMENT).exists():
        return
    if _is_first_payment(customer, payload):
        survey_invite(customer=customer, trigger=SurveyTrigger.FIRST_PAYMENT)


def on_ticket_resolved(payload: dict[str, Any]) -> None:
    customer = _customer(payload, "customer_id")
    if customer is not None:
        survey_invite(customer=customer, trigger=SurveyTrigger.TICKET_RESOLVED, trigger_ref=str(payload["ticket_id"]))


def on_reward(payload: dict[str, Any], *, event_id: int) -> None:
    customer = _customer(payload, "customer_id")
    if customer is not None:
        ref = str(payload.get("campaign") or event_id)
        survey_invite(customer=customer, trigger=SurveyTrigger.CAMPAIGN_REWARD, trigger_ref=ref)
