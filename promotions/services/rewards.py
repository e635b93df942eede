"""Deferred rewards (cashback, points, top-up rebate, cumulative-spend milestones), granted by the
outbox consumers of ``payment.completed`` and ``topup.completed`` (``promotions.tasks``).

Exactly once per (campaign, source), whatever the redelivery or concurrency:

* the consumer runs in the delivery's transaction with its ``ConsumedEvent`` row (core.outbox),
  so a redelivered event does nothing and a worker killed mid-grant leaves nothing behind;
* every decision is a ``RewardGrant`` row under a unique (campaign, source) constraint, written in
  the same savepoint as the money, so even two deliveries racing past the outbox's guard (or a
  second consumer) cannot both pay: the second insert waits for the first and fails.

Order inside a grant's savepoint (the lock order: campaign row, then ledger accounts in pk order):
the grant row -> the campaign's claim (``UPDATE ... SET granted_count + 1 WHERE status pays AND
under the global limit``: a pause that committed is seen here, so pausing is instant) -> the
per-person counter (conditional UPSERT) -> the money through ``payments.services.campaign_budget``
(the kernel locks the budget and checks it under the lock: a budget for K rewards pays exactly K,
the rest are SKIPPED ``budget_exhausted``). Any refusal rolls the savepoint back (counters too) and
a SKIPPED row records the reason.

Eligibility, from the approved version's rules only: active at the moment of the payment
(``selectors.campaign_active_at``), window, conditions, segment, then the holdout (recorded,
SKIPPED ``holdout``), then stacking in priority order (one campaign per stacking group; an
exclusive campaign applies alone; instant benefits the payment already applied count first).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Customer
from accounts.selectors import customer_get_by_public_id
from core.models import OutboxEvent
from core.money import Money
from payments.errors import AccountClosed, AccountFrozen, BalanceCapExceeded, InsufficientFunds
from payments.models import mcc_category
from payments.services.campaign_budget import campaign_reward_hold, campaign_reward_pay
from promotions.models import Campaign, CampaignVersion, PointsLot, RewardGrant
from promotions.rules import (
    CASHBACK,
    CUMULATIVE_SPEND,
    POINTS,
    TOPUP_REBATE,
    CashbackBenefit,
    PointsBenefit,
    Rules,
)
from promotions.selectors import campaign_active_at
from promotions.selectors_segments import CustomerFacts, customer_facts, segment_branch_ids, segment_matches
from promotions.services.holdout import holdout_record_customer
from promotions.services.lifecycle import campaign_start_locked
from promotions.versions import version_rules

__all__ = [
    "HOLD_MARGIN",
    "Occasion",
    "grant_decide",
    "occasion_from_payment",
    "occasion_from_topup",
    "rewards_grant",
]

PAYMENT_KINDS = (CASHBACK, POINTS, CUMULATIVE_SPEND)
TOPUP_KINDS = (TOPUP_REBATE,)
# A held reward's hold outlives its release date by this much: the release job has a month to pay it.
HOLD_MARGIN = timedelta(days=30)


@dataclass(frozen=True)
class Occasion:
    """What happened, as the event told it: the source of any reward."""

    source: str  # "payment:<transfer id>" / "topup:<transfer id>"
    transfer_public_id: uuid.UUID
    customer: Customer
    at: datetime  # when the payment was made (the moment of use)
    amount: Money  # what the payment was for (a refund's pro rata is measured on it)
    paid: Money  # what the customer paid of it (after instant discounts)
    payment_type: str  # MERCHANT, BILL, TOPUP
    mcc: str = ""
    category: str = ""
    merchant: str = ""
    instant: list[dict[str, Any]] = field(default_factory=list)  # instant benefits the payment applied


def _money(doc: Any) -> Money | None:
    if not isinstance(doc, dict) or "amount" not in doc or "currency" not in doc:
        return None
    return Money.parse(doc["amount"], doc["currency"])


def occasion_from_payment(event: OutboxEvent) -> Occasion | None:
    """A merchant or bill payment's ``payment.completed`` (None for anything else or a malformed one)."""
    payload = event.payload
    customer = customer_get_by_public_id(payload.get("customer"))
    amount = _money(payload.get("amount"))
    if customer is None or amount is None or payload.get("payment_type") not in ("MERCHANT", "BILL"):
        return None
    mcc = str(payload.get("mcc") or "")
    return Occasion(
        source=f"payment:{payload['transfer_id']}",
        transfer_public_id=uuid.UUID(payload["transfer_id"]),
        customer=customer,
        at=datetime.fromisoformat(payload["created_at"]),
        amount=amount,
        paid=_money(payload.get("paid_by_customer")) or amount,
        payment_type=str(payload["payment_type"]),
        mcc=mcc,
        category=mcc_category(mcc) if mcc else "BILL",
        merchant=str(payload.get("merchant") or ""),
        # Only what the payment applied counts for stacking (skipped entries explain, nothing more).
        instant=[
            b for b in payload.get("benefits") or [] if isinstance(b, dict) and b.get("status", "APPLIED") == "APPLIED"
        ],
    )


def occasion_from_topup(event: OutboxEvent) -> Occasion | None:
    payload = event.payload
    customer = customer_get_by_public_id(payload.get("customer"))
    amount = _money(payload.get("amount"))
    if customer is None or amount is None:
        return None
    return Occasion(
        source=f"topup:{payload['transfer_id']}",
        transfer_public_id=uuid.UUID(payload["transfer_id"]),
        customer=customer,
        at=datetime.fromisoformat(payload["created_at"]),
        amount=amount,
        paid=amount,
        payment_type="TOPUP",
    )


# --- eligibility ------------------------------------------------------------------------------------
def _candidates(kinds: tuple[str, ...], at: datetime) -> list[Campaign]:
    """Campaigns of these kinds whose schedule covers ``at`` (paused ones are read too: they are
    refused at the claim, recorded as such). Highest priority first, then oldest."""
    return list(
        Campaign.objects.filter(
            kind__in=kinds,
            status__in=(
                Campaign.Status.SCHEDULED,
                Campaign.Status.ACTIVE,
                Campaign.Status.PAUSED,
                Campaign.Status.ENDED,
            ),
            starts_at__lte=at,
            ends_at__gt=at,
        )
        .select_related("version")
        .order_by("-priority", "pk")
    )


def _refusal(
    rules: Rules, occasion: Occasion, facts: CustomerFacts, branch_cache: dict[int, set[int]], version_id: int
) -> str:
    """Why the occasion does not qualify ("" when it does): window, conditions, segment."""
    if occasion.amount.currency != "CNY":
        return "currency"
    if not rules.window.contains(occasion.at):
        return "window"
    reason = rules.conditions.refusal(
        amount=occasion.amount,
        payment_type=occasion.payment_type,
        mcc=occasion.mcc,
        category=occasion.category,
        merchant=occasion.merchant,
    )
    if reason:
        return reason
    if rules.segment.home_branches and version_id not in branch_cache:
        branch_cache[version_id] = segment_branch_ids(rules.segment)
    if not segment_matches(rules.segment, facts, now=occasion.at, branch_ids=branch_cache.get(version_id)):
        return "segment"
    return ""


def rewards_grant(occasion: Occasion, kinds: tuple[str, ...]) -> list[RewardGrant]:
    """Every campaign of ``kinds`` decides on the occasion; returns the grants written now or before.
    Call inside the consumer's transaction."""
    facts = customer_facts(occasion.customer.pk)
    if facts is None:
        return []
    decided: list[RewardGrant] = []
    groups = {str(b.get("stacking_group")) for b in occasion.instant if b.get("stacking_group")}
    exclusive_taken = any(b.get("exclusive") for b in occasion.instant)
    branch_cache: dict[int, set[int]] = {}
    for campaign in _candidates(kinds, occasion.at):
        if campaign.status == Campaign.Status.SCHEDULED and campaign.funded_at is None:
            _start_if_due(campaign)  # its beat was missed: start it now (idempotent)
        version = campaign.version
        if version is None or (
            not campaign_active_at(campaign, occasion.at) and campaign.status != Campaign.Status.PAUSED
        ):
            continue
        rules = version_rules(version)
        if _refusal(rules, occasion, facts, branch_cache, version.pk):
            continue
        group = str(version.rules["stacking"]["group"] or "")
        exclusive = bool(version.rules["stacking"]["exclusive"])
        if holdout_record_customer(version, occasion.customer.pk):
            decided += [_skipped(campaign, version, occasion, occasion.source, "holdout")]
            continue
        if exclusive_taken or (exclusive and any(g.status in _PAYING for g in decided)):
            decided += [_skipped(campaign, version, occasion, occasion.source, "stacking_exclusive")]
            continue
        if group and group in groups:
            decided += [_skipped(campaign, version, occasion, occasion.source, "stacking_group")]
            continue
        grants = (
            _milestones(campaign, version, rules, occasion)
            if rules.kind == CUMULATIVE_SPEND
            else [_single(campaign, version, rules, occasion)]
        )
        decided += [g for g in grants if g is not None]
        if any(g is not None and g.status in _PAYING for g in grants):
            if group:
                groups.add(group)
            exclusive_taken = exclusive_taken or exclusive
    return decided


_PAYING = (RewardGrant.Status.PAID, RewardGrant.Status.PENDING)


def _start_if_due(campaign: Campaign) -> None:
    from promotions.lock_objects import campaign_lock

    locked = campaign_lock(campaign.pk)
    if locked is not None and campaign_start_locked(locked):
        campaign.status, campaign.funded_at = locked.status, locked.funded_at


def _single(campaign: Campaign, version: CampaignVersion, rules: Rules, occasion: Occasion) -> RewardGrant | None:
    benefit = rules.benefit
    release_days = 0
    if isinstance(benefit, PointsBenefit):
        reward = benefit.points_for(occasion.paid, occasion.category)
    elif isinstance(benefit, CashbackBenefit):
        base = occasion.amount if rules.kind == TOPUP_REBATE else occasion.paid
        reward, release_days = benefit.reward_for(base), benefit.release_after_days
    else:
        return None
    if reward.minor <= 0:
        return None
    return grant_decide(
        campaign=campaign,
        version=version,
        rules=rules,
        customer=occasion.customer,
        source=occasion.source,
        transfer_public_id=occasion.transfer_public_id,
        reward=reward,
        base=occasion.amount,
        at=occasion.at,
        release_after=timedelta(days=release_days),
    )


def _milestones(
    campaign: Campaign, version: CampaignVersion, rules: Rules, occasion: Occasion
) -> list[RewardGrant | None]:
    from promotions.services.milestones import milestones_count

    return milestones_count(campaign=campaign, version=version, rules=rules, occasion=occasion)


# --- the decision ------------------------------------------------------------------------------------
class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_CLAIM_SQL = """
UPDATE promotions_campaign SET granted_count = granted_count + 1
 WHERE id = %s AND status IN ('ACTIVE', 'ENDED') AND (%s::bigint IS NULL OR granted_count < %s::bigint)
RETURNING granted_count
"""
_PERSON_SQL = """
INSERT INTO promotions_personusage (campaign_id, customer_id, count) VALUES (%s, %s, 1)
ON CONFLICT (campaign_id, customer_id) DO UPDATE SET count = promotions_personusage.count + 1
 WHERE %s::bigint IS NULL OR promotions_personusage.count < %s::bigint
RETURNING count
"""


def _claim(campaign: Campaign, version: CampaignVersion, customer: Customer) -> None:
    """Take one reward from the campaign's global and per-person limits, or raise ``_Skip``. The
    campaign row's UPDATE re-reads its status after any pause that committed meanwhile."""
    limits = version.rules["limits"]
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [campaign.pk, limits["global"], limits["global"]])
        if cursor.fetchone() is None:
            status = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).get()
            if status == Campaign.Status.PAUSED:
                raise _Skip("campaign_paused")
            raise _Skip(
                "global_limit" if status in (Campaign.Status.ACTIVE, Campaign.Status.ENDED) else "campaign_not_running"
            )
        cursor.execute(_PERSON_SQL, [campaign.pk, customer.pk, limits["per_person"], limits["per_person"]])
        if cursor.fetchone() is None:
            raise _Skip("per_person_limit")


def grant_decide(
    *,
    campaign: Campaign,
    version: CampaignVersion,
    rules: Rules,
    customer: Customer,
    source: str,
    transfer_public_id: uuid.UUID | None,
    reward: Money,
    base: Money,
    at: datetime,
    release_after: timedelta = timedelta(0),
) -> RewardGrant:
    """Grant ``reward`` for ``source`` once: PAID (points, or no release delay), PENDING (held on the
    budget until ``at + release_after``) or SKIPPED with the reason. Returns the row, whoever wrote it."""
    existing = RewardGrant.objects.filter(campaign=campaign, source=source).first()
    if existing is not None:
        return existing
    fields: dict[str, Any] = {
        "campaign": campaign,
        "version": version,
        "customer": customer,
        "kind": rules.kind,
        "source": source,
        "source_transfer_public_id": transfer_public_id,
        "amount_minor": reward.minor,
        "currency": reward.currency,
        "base_amount_minor": base.minor,
    }
    reference = f"RW{campaign.pk}-{uuid.uuid4().hex[:12].upper()}"
    try:
        with transaction.atomic():
            grant = RewardGrant.objects.create(status=RewardGrant.Status.PENDING, **fields)
            _claim(campaign, version, customer)
            _pay(grant, campaign, rules, reward, reference, at, release_after)
            return grant
    except IntegrityError:
        existing = RewardGrant.objects.filter(campaign=campaign, source=source).first()
        if existing is None:
            raise
        return existing
    except _Skip as skip:
        return _skipped(campaign, version, None, source, skip.reason, fields=fields)


def _pay(
    grant: RewardGrant,
    campaign: Campaign,
    rules: Rules,
    reward: Money,
    reference: str,
    at: datetime,
    release_after: timedelta,
) -> None:
    """Move the money (inside the grant's savepoint); ``_Skip`` when the ledger refuses."""
    code = campaign.budget_account_code
    metadata = {"campaign": str(campaign.public_id), "grant": grant.pk, "kind": rules.kind, "source": grant.source}
    try:
        if release_after > timedelta(0):
            release_at = max(at + release_after, timezone.now())
            grant.hold = campaign_reward_hold(
                code=code, amount=reward, reference=reference, expires_at=release_at + HOLD_MARGIN
            )
            grant.release_at = release_at
            grant.save(update_fields=["hold", "release_at"])
            return
        grant.transfer = campaign_reward_pay(
            code=code,
            customer=grant.customer,
            amount=reward,
            reference=reference,
            memo=campaign.name_zh,
            metadata=metadata,
        )
    except InsufficientFunds as exc:
        raise _Skip("budget_exhausted") from exc
    except (AccountFrozen, AccountClosed) as exc:
        raise _Skip("account_not_active") from exc
    except BalanceCapExceeded as exc:
        raise _Skip("balance_cap") from exc
    grant.status, grant.released_at = RewardGrant.Status.PAID, timezone.now()
    grant.save(update_fields=["status", "transfer", "released_at"])
    if isinstance(rules.benefit, PointsBenefit):
        PointsLot.objects.create(
            grant=grant,
            customer=grant.customer,
            points=reward.minor,
            remaining=reward.minor,
            expires_at=at + timedelta(days=rules.benefit.expire_after_days),
        )


def _skipped(
    campaign: Campaign,
    version: CampaignVersion,
    occasion: Occasion | None,
    source: str,
    reason: str,
    *,
    fields: dict[str, Any] | None = None,
) -> RewardGrant:
    """Record that an eligible customer got nothing, and why (once per campaign and source)."""
    if fields is None:
        assert occasion is not None
        fields = {
            "campaign": campaign,
            "version": version,
            "customer": occasion.customer,
            "kind": campaign.kind,
            "source": source,
            "source_transfer_public_id": occasion.transfer_public_id,
            "amount_minor": 0,
            "currency": version.currency,
            "base_amount_minor": occasion.amount.minor,
        }
    if reason == "budget_exhausted":
        Campaign.objects.filter(pk=campaign.pk, budget_exhausted_at__isnull=True).update(
            budget_exhausted_at=timezone.now()
        )
    values = {**fields, "status": RewardGrant.Status.SKIPPED, "skip_reason": reason}
    try:
        with transaction.atomic():
            return RewardGrant.objects.create(**values)
    except IntegrityError:
        return RewardGrant.objects.get(campaign=campaign, source=source)
