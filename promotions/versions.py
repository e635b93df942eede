"""What a campaign version freezes: the rules snapshot, its hash, the maximum exposure, the holdout.

Pure functions (no writes). ``version_rules`` parses a stored version once per process (versions
are immutable, so the cache can never go stale).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings

from core.money import Money
from promotions.rules import (
    CO_FUNDED,
    FixedDiscountBenefit,
    PercentBenefit,
    Rules,
    ThresholdBenefit,
    campaign_currency,
    rules_parse,
)

if TYPE_CHECKING:
    from promotions.models import Campaign, CampaignVersion

__all__ = [
    "Exposure",
    "campaign_rules",
    "campaign_snapshot",
    "exposure_compute",
    "holdout_bucket",
    "in_holdout",
    "min_payment_minor",
    "snapshot_hash",
    "version_rules",
]


def campaign_rules(campaign: Campaign) -> Rules:
    """Parse the draft's four documents (``RulesInvalid`` 400 on any mistake)."""
    return rules_parse(
        kind=campaign.kind,
        conditions=campaign.conditions,
        benefit=campaign.benefit,
        window=campaign.window,
        segment=campaign.segment,
    )


def campaign_snapshot(campaign: Campaign) -> dict[str, Any]:
    """Everything that decides who gets what, as JSON: what a version freezes and approvers read."""
    return {
        "kind": campaign.kind,
        "currency": campaign_currency(campaign.kind),
        "names": {"zh-hans": campaign.name_zh, "en": campaign.name_en},
        "descriptions": {"zh-hans": campaign.description_zh, "en": campaign.description_en},
        "conditions": campaign.conditions,
        "benefit": campaign.benefit,
        "window": campaign.window,
        "segment": campaign.segment,
        "stacking": {"group": campaign.stacking_group, "priority": campaign.priority, "exclusive": campaign.exclusive},
        "limits": {"per_person": campaign.per_person_limit, "global": campaign.global_limit},
        "validity": {"from": campaign.valid_from.isoformat(), "until": campaign.valid_until.isoformat()},
        "budget_minor": campaign.budget_minor,
        "merchant": str(campaign.merchant.public_id) if campaign.merchant_id and campaign.merchant else None,
        "merchant_share_bps": campaign.merchant_share_bps,
        "holdout_bps": campaign.holdout_bps,
    }


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Exposure:
    max_single: Money  # the largest single reward the bank pays (its share)
    max_total: Money  # the most the bank can pay under the version, in the budget currency
    max_total_cny: Money  # the same in CNY (points at PROMOTIONS_POINT_VALUE_CNY each, rounded up)


def _bank_share(amount: Money, merchant_share_bps: int) -> Money:
    bank = (Decimal(amount.minor) * Decimal(10_000 - merchant_share_bps) / Decimal(10_000)).to_integral_value(
        rounding=ROUND_CEILING
    )
    return Money(int(bank), amount.currency)


def exposure_compute(rules: Rules, *, budget_minor: int, global_limit: int | None, merchant_share_bps: int) -> Exposure:
    """The bank's maximum exposure: the budget (a ledger account that can never go below zero, so
    no concurrency can pay more), or fewer when the global limit allows fewer rewards than the
    budget pays for. A co-funded campaign's budget carries the bank's share only."""
    single = rules.benefit.max_single
    if rules.kind == CO_FUNDED:
        single = _bank_share(single, merchant_share_bps)
    total = budget_minor
    if global_limit is not None:
        total = min(total, global_limit * single.minor)
    max_total = Money(total, rules.currency)
    if rules.currency == "PTS":
        value = Decimal(str(settings.PROMOTIONS_POINT_VALUE_CNY))
        cny = Money(int((Decimal(total) * value * 100).to_integral_value(rounding=ROUND_CEILING)), "CNY")
    else:
        cny = max_total
    return Exposure(max_single=single, max_total=max_total, max_total_cny=cny)


def min_payment_minor(rules: Rules) -> int:
    """The smallest payment (minor units) an instant campaign can discount: its conditions' minimum,
    a coupon's minimum, the lowest threshold, a fixed discount plus one minor unit (the customer
    always pays something), the amount whose percent is one minor unit. 0 for the other kinds."""
    benefit = rules.benefit
    floor = rules.conditions.min_amount.minor if rules.conditions.min_amount is not None else 1
    if isinstance(benefit, FixedDiscountBenefit):
        floor = max(floor, benefit.discount.minor + 1, benefit.min_amount.minor if benefit.min_amount else 0)
    elif isinstance(benefit, ThresholdBenefit):
        floor = max(floor, min(threshold.minor for threshold, _discount in benefit.tiers))
    elif isinstance(benefit, PercentBenefit) and benefit.percent > 0:
        floor = max(floor, int((Decimal(100) / benefit.percent).to_integral_value(rounding=ROUND_CEILING)))
    else:
        return 0
    return floor


@lru_cache(maxsize=4096)
def _rules_cached(version_id: int, content_hash: str, rules_json: str) -> Rules:
    doc = json.loads(rules_json)
    return rules_parse(
        kind=doc["kind"],
        conditions=doc["conditions"],
        benefit=doc["benefit"],
        window=doc["window"],
        segment=doc["segment"],
    )


def version_rules(version: CampaignVersion) -> Rules:
    """The parsed rules of an approved version (cached per process: versions never change)."""
    return _rules_cached(version.pk, version.content_hash, json.dumps(version.rules, sort_keys=True))


# --- holdout ---------------------------------------------------------------------------------------
HOLDOUT_BUCKETS = 10_000  # basis points


def holdout_bucket(salt: str, customer_id: int) -> int:
    """The customer's bucket 0..9999 for a version: the first 32 bits of md5(salt:customer id).
    The segment SQL computes the same expression (``promotions.selectors_segments``)."""
    digest = hashlib.md5(f"{salt}:{customer_id}".encode(), usedforsecurity=False).hexdigest()
    return int(digest[:8], 16) % HOLDOUT_BUCKETS


def in_holdout(version: CampaignVersion, customer_id: int) -> bool:
    bps = int(version.rules.get("holdout_bps", 0))
    return bps > 0 and holdout_bucket(version.holdout_salt, customer_id) < bps
