"""The quote hook of the payment path: instant benefits (first-order, spend threshold, coupon,
limited-time, merchant co-funded) for one merchant payment. Registered as
``PAYMENTS_PROMOTIONS_QUOTE = "promotions.selectors_instant.promotions_quote"``.

A read, on the hot path of every payment, so at most one SQL statement in the steady state: the
merchant's offers come from a per-process cache (``promotions.selectors_instant_offers``: the
ACTIVE instant campaigns targeting the merchant, with their compiled rules, checked against a
counter every committed campaign change bumps) and are narrowed by what the payment and its payer's
row alone decide. Then ONE statement (``promotions_quote_read``, promotions 0015: PL/pgSQL, its plan
kept per session, one JSON document) checks that counter (``stale``: the offers are read again) and
reads the customer's segment facts and, by primary key, what a payment or a transition changes:
each candidate still ACTIVE, in its schedule, not spent, under its global limit, its budget's
available balance, the customer's usage and the first-order marker of the person's identity; and
the coupon the payment names. A pause, an end or a spent budget is thus seen by the very next
quote, cache or not; the payment's statement re-checks all of it under lock anyway. When no offer
may apply and no coupon is named, only the counter is read.

Then, in Python and in priority order (the same stacking as ``promotions.services.rewards``): the
window, the conditions, the segment, the holdout, the limits, the amount, the budget, one campaign
per stacking group, an exclusive campaign alone, and never a discount up to the whole amount. What
is applied goes into ``PromotionQuote.take``; the payment's statement takes it under locks
(``payments_promotions_take``, promotions 0010) or moves nothing (``PromotionChanged``, re-quoted).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from core.money import Money
from payments.errors_movements import CouponNotApplicable
from payments.interfaces import DiscountFunding, PaymentContext, PromotionQuote
from payments.models import mcc_category
from payments.services.campaign_budget import campaign_budget_code
from promotions.rules import (
    CO_FUNDED,
    COUPON,
    FIRST_ORDER,
    FixedDiscountBenefit,
    PercentBenefit,
    ThresholdBenefit,
    percent_of,
)
from promotions.selectors_instant_offers import (
    Compiled,
    Offer,
    bank_share,
    branch_ids,
    compiled_versions,
    counter_seen,
    offers_cache_clear,
    offers_for_payment,
)
from promotions.selectors_segments import CustomerFacts, segment_matches
from promotions.versions import holdout_bucket

__all__ = ["promotions_quote", "quote_cache_clear"]

# Skipped entries recorded per payment (highest priority first). Only campaigns the payment was
# eligible for are "skipped" (holdout, first order used, limits, budget, stacking, the amount): one
# whose window, conditions, segment or threshold the payment does not meet is not listed.
MAX_SKIPPED = 10

_QUOTE_SQL = "SELECT promotions_quote_read(%s, %s, %s, %s, %s::bigint[], %s::bigint[])"  # promotions 0015


def quote_cache_clear() -> None:
    """Forget compiled versions, branch subtrees and merchants' offers (tests)."""
    offers_cache_clear()


def _discount(compiled: Compiled, amount: Money) -> tuple[Money | None, str]:
    """The discount a campaign gives on ``amount``, or None and why not."""
    benefit = compiled.rules.benefit
    if isinstance(benefit, FixedDiscountBenefit):
        if benefit.min_amount is not None and amount < benefit.min_amount:
            return None, "below_min_amount"
        return benefit.discount, ""
    if isinstance(benefit, ThresholdBenefit):
        reached = [discount for threshold, discount in benefit.tiers if amount >= threshold]
        return (reached[-1], "") if reached else (None, "below_threshold")
    if isinstance(benefit, PercentBenefit):
        value = min(percent_of(amount, benefit.percent), benefit.cap)
        return (value, "") if value.is_positive() else (None, "below_min_amount")
    return None, "kind"


@dataclass
class _Row:
    campaign_id: int
    public_id: str
    kind: str
    version_id: int
    granted: int
    budget_id: int
    available: int
    used: int
    first_used: bool
    claim_id: int | None
    claim_ok: bool | None


def _facts(doc: dict[str, Any], customer_id: int) -> CustomerFacts:
    return CustomerFacts(
        customer_id=customer_id,
        reachable=True,
        date_of_birth=date.fromisoformat(doc["born"]) if doc.get("born") else None,
        customer_type=doc["type"],
        created_at=datetime.fromisoformat(doc["created_at"]),
        home_branch_id=doc.get("branch"),
        kyc_tier=int(doc["tier"]),
        card_linked=bool(doc.get("card")),
        last_spend_month=date.fromisoformat(doc["last_spend"]) if doc.get("last_spend") else None,
    )


def _read_now(
    ctx: PaymentContext, now: datetime, coupon: str | None, version: int | None, candidates: list[Offer]
) -> dict[str, Any]:
    """``promotions_quote_read`` (promotions 0015): ``{"stale": true}`` when the counter is no longer
    ``version`` (None: not checked), else the customer's facts, the candidates still ACTIVE, in their
    schedule, not spent nor sold out (with budget, usage, first-order marker) and the named coupon."""
    params = [
        ctx.customer.pk,
        coupon,
        now,
        version,
        [o.campaign_id for o in candidates],
        [o.budget_id for o in candidates],
    ]
    with connection.cursor() as cursor:
        cursor.execute(_QUOTE_SQL, params)
        raw = cursor.fetchone()[0]
    doc: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else raw
    return doc


def _read(
    ctx: PaymentContext, now: datetime, coupon: str | None
) -> tuple[CustomerFacts | None, str | None, list[_Row], dict[int, Compiled]]:
    """The merchant's offers that may apply (``offers_for_payment``: cached per process), then one
    statement (``promotions_quote_read``, promotions 0015): the counter the offers must still stand
    at, the customer's facts, the candidates as they are now and the named coupon. When no offer
    may apply and no coupon is named, nothing more is read; a moved counter (``stale``) reads the
    offers again."""
    candidates, version = offers_for_payment(ctx, now, coupon=bool(coupon))
    if not candidates and not coupon:
        return None, None, [], {}
    read_at = time.monotonic()  # before the statement (``counter_seen``)
    doc = _read_now(ctx, now, coupon, version, candidates)
    if doc.get("stale"):  # a campaign changed since these offers were read: read them again
        candidates, _ = offers_for_payment(ctx, now, coupon=bool(coupon), reload=True)
        doc = _read_now(ctx, now, coupon, None, candidates)
    elif version is not None:
        counter_seen(version, read_at)
    if not doc.get("reachable"):
        return None, None, [], {}
    compiled = {o.version_id: o.compiled for o in candidates}
    now_rows = {r[0]: r for r in doc["campaigns"]}
    ranked: list[tuple[tuple[int, int], _Row]] = []
    for offer in candidates:
        r = now_rows.get(offer.campaign_id)
        if r is None or r[1] != offer.version_id:  # paused, ended, spent or sold out since it was cached
            continue
        row = _Row(
            offer.campaign_id,
            offer.public_id,
            offer.kind,
            offer.version_id,
            r[2],
            offer.budget_id,
            r[3],
            r[4],
            r[5],
            None,
            None,
        )
        ranked.append(((-offer.priority, offer.campaign_id), row))
    named = doc.get("coupon")
    if named:  # the coupon's campaign in its place: priority DESC, then id, as the offers are ranked
        row = _Row(*named[:11])
        compiled.update(compiled_versions({row.version_id}))
        ranked.append(((-int(named[11]), row.campaign_id), row))
        ranked.sort(key=lambda item: item[0])
    return _facts(doc, ctx.customer.pk), doc.get("identity"), [row for _, row in ranked], compiled


def promotions_quote(ctx: PaymentContext) -> PromotionQuote:
    """The instant benefits of a merchant payment (``ctx.kind == MERCHANT_PAYMENT``; anything else:
    none). ``ctx.metadata["coupon"]``: the public id of the customer's coupon the payment names;
    when it cannot be used, ``CouponNotApplicable`` (400, ``details.reason``) and nothing moves."""
    coupon = ctx.metadata.get("coupon") or None
    if ctx.kind != "MERCHANT_PAYMENT" or ctx.amount.currency != "CNY":
        if coupon:
            raise CouponNotApplicable(details={"reason": "unavailable"})
        return PromotionQuote()
    now = ctx.metadata.get("at") or timezone.now()
    facts, identity, rows, compiled = _read(ctx, now, str(coupon) if coupon else None)
    if facts is None or not rows:
        if coupon:
            raise CouponNotApplicable(details={"reason": "unavailable"})
        return PromotionQuote()
    return _decide(ctx, now, facts, identity, rows, compiled, coupon)


def _entry(row: _Row, c: Compiled, status: str, reason: str, amount: Money) -> dict[str, Any]:
    return {
        "campaign": row.public_id,
        "kind": row.kind,
        "status": status,
        "reason": reason,
        "amount": amount.as_dict(),
        "stacking_group": c.group,
        "exclusive": c.exclusive,
        "name": c.names,
    }


def _decide(
    ctx: PaymentContext,
    now: datetime,
    facts: CustomerFacts,
    identity: str | None,
    rows: list[_Row],
    compiled: dict[int, Compiled],
    coupon: Any,
) -> PromotionQuote:
    amount = ctx.amount
    mcc = str(ctx.metadata.get("mcc") or "")
    category = mcc_category(mcc) if mcc else ""
    zero = Money(0, amount.currency)
    total = 0
    groups: set[str] = set()
    exclusive_taken = False
    applied: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    funding: list[DiscountFunding] = []
    holdout: list[int] = []
    coupon_reason = "unavailable" if coupon else ""

    for row in rows:
        c = compiled[row.version_id]
        rules = c.rules
        is_coupon = row.kind == COUPON

        def skip(reason: str, *, listed: bool = True, row: _Row = row, c: Compiled = c) -> None:
            nonlocal coupon_reason
            if row.claim_id is not None:
                coupon_reason = reason
            if listed and len(skipped) < MAX_SKIPPED:
                skipped.append(_entry(row, c, "SKIPPED", reason, zero))

        if is_coupon and not row.claim_ok:
            skip("coupon_unavailable", listed=False)
            continue
        if not rules.window.contains(now):
            skip("outside_window", listed=False)
            continue
        reason = rules.conditions.refusal(
            amount=amount, payment_type="MERCHANT", mcc=mcc, category=category, merchant=ctx.merchant_id
        )
        if reason:
            skip(reason, listed=False)
            continue
        # The customer's own coupon (claimed by code or bought with points): its segment and holdout were
        # decided when it was claimed; a later change (marketing consent withdrawn, an age band left)
        # does not take back what the customer holds, nor the points it cost.
        held = is_coupon and row.claim_id is not None
        if not held and not segment_matches(rules.segment, facts, now=now, branch_ids=branch_ids(c)):
            skip("segment", listed=False)
            continue
        if not held and c.holdout_bps and holdout_bucket(c.holdout_salt, facts.customer_id) < c.holdout_bps:
            holdout.append(c.version_id)
            skip("holdout")
            continue
        if row.kind == FIRST_ORDER:
            if not identity or facts.kyc_tier < 1:
                skip("not_verified", listed=False)
                continue
            if row.first_used:
                skip("first_order_used")
                continue
        if not is_coupon and c.per_person is not None and row.used >= c.per_person:
            skip("per_person_limit")
            continue
        if c.global_limit is not None and row.granted >= c.global_limit:
            skip("global_limit")
            continue
        discount, reason = _discount(c, amount)
        if discount is None:
            skip(reason, listed=False)
            continue
        bank = bank_share(discount, c.merchant_share_bps) if row.kind == CO_FUNDED else discount
        merchant_share = discount - bank
        if row.available < bank.minor:
            skip("budget_exhausted")
            continue
        if exclusive_taken or (c.exclusive and applied):
            skip("stacking_exclusive")
            continue
        if c.group and c.group in groups:
            skip("stacking_group")
            continue
        if total + discount.minor >= amount.minor:
            skip("exceeds_amount")
            continue
        total += discount.minor
        if c.group:
            groups.add(c.group)
        exclusive_taken = exclusive_taken or c.exclusive
        applied.append(_entry(row, c, "APPLIED", "", discount))
        if row.claim_id is not None:
            coupon_reason = ""
        items.append(
            {
                "campaign": row.campaign_id,
                "version": c.version_id,
                "kind": row.kind,
                "glimit": c.global_limit,
                "plimit": c.per_person,
                "person": not is_coupon,
                "amount": discount.minor,
                "bank": bank.minor,
                "merchant_share": merchant_share.minor,
                "budget": row.budget_id,
                "floor": c.bank_max_single,
                "coupon_claim": row.claim_id,
                "identity": identity if row.kind == FIRST_ORDER else None,
            }
        )
        if bank.is_positive():
            funding.append(
                DiscountFunding(
                    amount=bank, account_id=row.budget_id, account_code=campaign_budget_code(row.public_id, "CNY")
                )
            )
        if merchant_share.is_positive():
            funding.append(DiscountFunding(amount=merchant_share, merchant=True))

    if coupon and coupon_reason:
        raise CouponNotApplicable(details={"reason": coupon_reason})
    if not items and not holdout:
        return PromotionQuote(benefits=skipped)
    take: dict[str, Any] = {"items": items, "holdout": holdout, "merchant": ctx.metadata.get("merchant_pk")}
    if not items:
        return PromotionQuote(benefits=skipped, take=take)
    budget_codes = [f.account_code for f in funding if not f.merchant]
    return PromotionQuote(
        discount=Money(total, amount.currency),
        benefits=applied + skipped,
        budget_account_code=budget_codes[0] if budget_codes else "",
        funding=funding,
        take=take,
    )
