"""Cumulative-spend milestones: each payment counted once per campaign, a reward per threshold crossed.

A payment is counted by inserting ``MilestoneSpend(campaign, payment)`` (unique: a redelivered
event counts nothing) and adding it to the customer's ``MilestoneProgress`` of the period with one
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (two concurrent payments of one customer
serialise on that row, and each sees exactly the total it made). Every milestone whose threshold
lies in (before, after] is granted through ``rewards.grant_decide`` under the source
``milestone:<customer>:<period>:<index>``, so a milestone is paid at most once per period. A refund
lowers the progress; a milestone no longer reached is clawed back (``clawbacks``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection, transaction

from core.money import Money
from promotions.models import Campaign, CampaignVersion, RewardGrant
from promotions.rules import CAMPAIGN_TZ, MilestoneBenefit, Rules

if TYPE_CHECKING:
    from promotions.services.rewards import Occasion

__all__ = ["milestone_period", "milestone_source", "milestones_count"]

_COUNT_SQL = """
INSERT INTO promotions_milestonespend (campaign_id, customer_id, source_transfer_public_id, period, amount_minor, refunded_minor, created_at)
VALUES (%s, %s, %s, %s, %s, 0, now()) ON CONFLICT DO NOTHING RETURNING id
"""
_PROGRESS_SQL = """
INSERT INTO promotions_milestoneprogress (campaign_id, customer_id, period, spent_minor) VALUES (%s, %s, %s, %s)
ON CONFLICT (campaign_id, customer_id, period) DO UPDATE SET spent_minor = promotions_milestoneprogress.spent_minor + EXCLUDED.spent_minor
RETURNING spent_minor
"""


def milestone_period(benefit: MilestoneBenefit, at: datetime) -> str:
    return "CAMPAIGN" if benefit.period == "CAMPAIGN" else at.astimezone(CAMPAIGN_TZ).strftime("%Y-%m")


def milestone_source(customer_id: int, period: str, index: int) -> str:
    return f"milestone:{customer_id}:{period}:{index}"


def milestones_count(
    *, campaign: Campaign, version: CampaignVersion, rules: Rules, occasion: Occasion
) -> list[RewardGrant | None]:
    """Count the occasion's payment and grant the milestones it crosses."""
    from promotions.services.rewards import grant_decide

    benefit = rules.benefit
    assert isinstance(benefit, MilestoneBenefit)
    period = milestone_period(benefit, occasion.at)
    spent = occasion.amount.minor  # the payment's amount: a refund (of that amount) uncounts it exactly
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, [campaign.pk, occasion.customer.pk, occasion.transfer_public_id, period, spent])
        if cursor.fetchone() is None:
            return []  # this payment was counted already
        cursor.execute(_PROGRESS_SQL, [campaign.pk, occasion.customer.pk, period, spent])
        after = int(cursor.fetchone()[0])
    before = after - spent
    grants: list[RewardGrant | None] = []
    for index, (threshold, reward) in enumerate(benefit.milestones):
        if before < threshold.minor <= after:
            grants.append(
                grant_decide(
                    campaign=campaign,
                    version=version,
                    rules=rules,
                    customer=occasion.customer,
                    source=milestone_source(occasion.customer.pk, period, index),
                    transfer_public_id=occasion.transfer_public_id,
                    reward=reward,
                    base=Money(0, reward.currency),
                    at=occasion.at,
                )
            )
    return grants
