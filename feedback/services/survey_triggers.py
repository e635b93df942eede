"""What each event means for surveys: which customer, which trigger, which reference. Called by the
outbox consumers in ``feedback.tasks`` inside the delivery's transaction."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_datetime

from accounts.models import Customer
from accounts.selectors import customer_get_by_public_id
from feedback.models import SurveyTrigger
from feedback.services.surveys import survey_invite
from payments.models import Transfer

__all__ = ["on_payment", "on_payments", "on_reward", "on_ticket_resolved"]

PAYMENT_KINDS = (Transfer.Kind.P2P, Transfer.Kind.MERCHANT_PAYMENT, Transfer.Kind.BILL_PAYMENT)


def _customer(payload: dict[str, Any], key: str) -> Customer | None:
    value = payload.get(key)
    if not value:
        return None
    try:
        return customer_get_by_public_id(uuid.UUID(str(value)))
    except ValueError:
        return None


# The customers of a batch of payment events whose payment is their first (no earlier payment they
# initiated) and who were never invited for it: one statement for the whole batch. Most payments are
# not a first one, and the outbox hands a busy festival's events over by the hundred, so the
# per-event ORM version (three queries an event) could not keep up with 200 payments a second
# (make bench "events": commit -> handled p95 7.3 s; this one keeps it in milliseconds).
_FIRST_PAYERS_SQL = """
SELECT DISTINCT c.id
  FROM unnest(%s::uuid[], %s::uuid[], %s::timestamptz[]) AS e(customer, transfer, at)
  JOIN accounts_customer c ON c.public_id = e.customer
 WHERE c.status = 'ACTIVE'
   AND NOT EXISTS (SELECT 1 FROM feedback_surveyinvitation i WHERE i.customer_id = c.id AND i.trigger = %s)
   AND NOT EXISTS (SELECT 1 FROM payments_transfer t
                    WHERE t.initiated_by_id = c.id AND t.kind = ANY(%s)
                      AND t.public_id IS DISTINCT FROM e.transfer
                      AND (e.at IS NULL OR t.created_at < e.at))
"""


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def on_payments(payloads: list[dict[str, Any]], *, customer_key: str) -> int:
    """Invite to the first-payment survey the customers for whom one of these payments is their
    first. Returns how many were invited (the cap and the unique key still apply in ``survey_invite``)."""
    rows = [
        (
            _uuid_or_none(p.get(customer_key)),
            _uuid_or_none(p.get("transfer_id")),
            parse_datetime(str(p.get("created_at") or "")),
        )
        for p in payloads
    ]
    rows = [row for row in rows if row[0] is not None]
    if not rows:
        return 0
    customers, transfers, ats = (list(column) for column in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(
            _FIRST_PAYERS_SQL,
            [customers, transfers, ats, str(SurveyTrigger.FIRST_PAYMENT.value), [str(k.value) for k in PAYMENT_KINDS]],
        )
        ids = [row[0] for row in cursor.fetchall()]
    invited = 0
    for customer in Customer.objects.filter(pk__in=ids).order_by("pk"):
        invited += survey_invite(customer=customer, trigger=SurveyTrigger.FIRST_PAYMENT) is not None
    return invited


def on_payment(payload: dict[str, Any], *, customer_key: str) -> None:
    on_payments([payload], customer_key=customer_key)


def on_ticket_resolved(payload: dict[str, Any]) -> None:
    customer = _customer(payload, "customer_id")
    if customer is not None:
        survey_invite(customer=customer, trigger=SurveyTrigger.TICKET_RESOLVED, trigger_ref=str(payload["ticket_id"]))


def on_reward(payload: dict[str, Any], *, event_id: int) -> None:
    customer = _customer(payload, "customer_id")
    if customer is not None:
        ref = str(payload.get("campaign") or event_id)
        survey_invite(customer=customer, trigger=SurveyTrigger.CAMPAIGN_REWARD, trigger_ref=ref)
