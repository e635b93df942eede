"""The quote hook of the payment path: instant benefits (first-order, spend threshold, coupon,
limited-time, merchant co-funded) for one merchant payment. Registered as
``PAYMENTS_PROMOTIONS_QUOTE = "promotions.selectors_instant.promotions_quote"``.

A read, on the hot path of every payment, kept to one SQL statement by a per-process cache of each
merchant's offers (``_OFFERS``, keyed by merchant and MCC): the ACTIVE instant campaigns that target
the merchant (status, kind, merchant, category, MCC and co-funding merchant filtered in SQL;
campaigns naming other merchants are not even read: a partial index for the campaigns open to every
merchant, a GIN index on the merchant lists), not spent nor sold out, with their compiled rules,
budget account and schedule, read in one statement together with the counter
``promotions_quotestate.version`` that every committed change to what a campaign offers bumps
(promotions 0014: a deferred trigger on ``promotions_campaign``). Per payment, Python drops the offers
the payment alone rules out (amount, schedule at ``now``, window, conditions), then ONE statement
(``promotions_quote_read``: PL/pgSQL, its plan kept per session, one JSON document) checks the
counter is unchanged (else ``stale``: the offers are read again), and reads the customer's segment
facts and, by primary key, what a payment or a transition changes: each candidate still ACTIVE, in
its schedule, not spent, under its global limit, its budget's available balance, the customer's
usage and the first-order marker of the person's identity; and the coupon the payment names. So
a pause, an end or a spent budget is seen by the very next quote, cache or not, and the payment's
statement re-checks all of it under lock anyway. When no offer can apply, only the counter is
read. Inside a transaction the cache is not used (the counter moves at commit). The rules of each
campaign are read from its approved version and compiled once per process (``_compiled``: versions
never change, so that cache never goes stale).

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
from decimal import ROUND_CEILING, Decimal
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
    Rules,
    ThresholdBenefit,
    percent_of,
    rules_parse,
)
from promotions.selectors_segments import CustomerFacts, segment_branch_ids, segment_matches
from promotions.versions import holdout_bucket

__all__ = ["promotions_quote", "quote_cache_clear"]

# Skipped entries recorded per payment (highest priority first). Only campaigns the payment was
# eligible for are "skipped" (holdout, first order used, limits, budget, stacking, the amount): one
# whose window, conditions, segment or threshold the payment does not meet is not listed.
MAX_SKIPPED = 10
_BRANCH_TTL = 300.0  # seconds a segment's branch subtree is reused

_QUOTE_SQL = "SELECT promotions_quote_read(%s, %s, %s, %s, %s::bigint[], %s::bigint[])"  # promotions 0014
_VERSION_SQL = "SELECT COALESCE((SELECT version FROM promotions_quotestate WHERE id = 1), 0)"  # promotions 0014

_VERSIONS_SQL = "SELECT id, rules, holdout_salt FROM promotions_campaignversion WHERE id = ANY(%s)"


@dataclass(frozen=True)
class _Compiled:
    """A version's rules as the quote needs them, parsed once per process."""

    version_id: int
    rules: Rules
    group: str
    exclusive: bool
    per_person: int | None
    global_limit: int | None
    merchant_share_bps: int
    holdout_salt: str
    holdout_bps: int
    names: dict[str, str]
    bank_max_single: int  # the largest single discount the budget pays (the bank's share)


_CACHE: dict[int, _Compiled] = {}
_BRANCHES: dict[int, tuple[float, set[int]]] = {}


def quote_cache_clear() -> None:
    """Forget compiled versions, branch subtrees and merchants' offers (tests)."""
    _CACHE.clear()
    _BRANCHES.clear()
    _OFFERS.clear()


def _compile(version_id: int, doc: dict[str, Any], salt: str) -> _Compiled:
    rules = rules_parse(
        kind=doc["kind"],
        conditions=doc["conditions"],
        benefit=doc["benefit"],
        window=doc["window"],
        segment=doc["segment"],
    )
    return _Compiled(
        version_id=version_id,
        rules=rules,
        group=str(doc["stacking"]["group"] or ""),
        exclusive=bool(doc["stacking"]["exclusive"]),
        per_person=doc["limits"]["per_person"],
        global_limit=doc["limits"]["global"],
        merchant_share_bps=int(doc.get("merchant_share_bps") or 0),
        holdout_salt=salt,
        holdout_bps=int(doc.get("holdout_bps") or 0),
        names={k: str(v) for k, v in (doc.get("names") or {}).items()},
        bank_max_single=(
            _bank_share(rules.benefit.max_single, int(doc.get("merchant_share_bps") or 0))
            if rules.kind == CO_FUNDED
            else rules.benefit.max_single
        ).minor,
    )


def _compiled(version_ids: set[int]) -> dict[int, _Compiled]:
    missing = [v for v in version_ids if v not in _CACHE]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(_VERSIONS_SQL, [missing])
            for version_id, rules, salt in cursor.fetchall():
                doc = json.loads(rules) if isinstance(rules, str) else rules
                _CACHE[version_id] = _compile(version_id, doc, salt)
    return {v: _CACHE[v] for v in version_ids}


def _branch_ids(compiled: _Compiled) -> set[int] | None:
    if not compiled.rules.segment.home_branches:
        return None
    cached = _BRANCHES.get(compiled.version_id)
    if cached is None or time.monotonic() - cached[0] > _BRANCH_TTL:
        cached = (time.monotonic(), segment_branch_ids(compiled.rules.segment))
        _BRANCHES[compiled.version_id] = cached
    return cached[1]


def _bank_share(discount: Money, merchant_share_bps: int) -> Money:
    """The budget's part of a co-funded discount, rounded UP (as the approved exposure counts it)."""
    bank = (Decimal(discount.minor) * Decimal(10_000 - merchant_share_bps) / Decimal(10_000)).to_integral_value(
        rounding=ROUND_CEILING
    )
    return Money(int(bank), discount.currency)


def _discount(compiled: _Compiled, amount: Money) -> tuple[Money | None, str]:
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


# --- the offers of one merchant, cached per process ------------------------------------------------
@dataclass(frozen=True)
class _Offer:
    """A campaign a merchant's payments must consider, as it stood at version ``_Offers.version``:
    what only a campaign transition changes (a new version bumps the counter). What payments change
    (claims, budget, per-person use) and the status are read again on every payment."""

    campaign_id: int
    public_id: str
    kind: str
    version_id: int
    budget_id: int
    priority: int
    min_payment: int
    starts_at: datetime
    ends_at: datetime
    compiled: _Compiled


@dataclass(frozen=True)
class _Offers:
    version: int
    offers: tuple[_Offer, ...]  # priority DESC, id


_OFFERS: dict[tuple[int | None, str, str], _Offers] = {}
_OFFERS_MAX = 10_000  # merchants (with their MCC) kept; past it the cache starts afresh

# The ACTIVE, non-coupon instant campaigns that target a merchant (category, MCC, payment type,
# co-funding merchant; the merchant lists through the GIN index, the rest through the partial index),
# not spent nor sold out (neither ever comes back), with the budget account's id and the counter they
# stand at, in one statement (one snapshot). The amount, the schedule and the window are checked per
# payment in Python; the rest per payment by ``promotions_quote_read``.
_OFFERS_SQL = """
SELECT COALESCE((SELECT q.version FROM promotions_quotestate q WHERE q.id = 1), 0),
       COALESCE(jsonb_agg(jsonb_build_array(x.id, x.public_id, x.kind, x.version_id, b.id, x.priority,
                                            x.min_payment_minor, x.starts_at, x.ends_at) ORDER BY x.priority DESC, x.id), '[]')
  FROM (SELECT c.* FROM promotions_campaign c
         WHERE c.status = 'ACTIVE' AND NOT (c.conditions ? 'merchants')
        UNION ALL
        (SELECT c.* FROM promotions_campaign c
          WHERE (c.conditions -> 'merchants') ? %(merchant_public)s AND upper(c.status) = 'ACTIVE'
         OFFSET 0)) x
  JOIN payments_ledgeraccount b ON b.code = x.budget_account_code
 WHERE x.kind IN ('FIRST_ORDER', 'SPEND_THRESHOLD', 'LIMITED_TIME', 'CO_FUNDED')
   AND x.version_id IS NOT NULL AND x.starts_at IS NOT NULL AND x.ends_at IS NOT NULL
   AND x.budget_exhausted_at IS NULL AND (x.global_limit IS NULL OR x.granted_count < x.global_limit)
   AND (x.kind <> 'CO_FUNDED' OR x.merchant_id = %(merchant)s)
   AND (NOT x.conditions ? 'mcc_categories' OR x.conditions -> 'mcc_categories' ? %(category)s)
   AND (NOT x.conditions ? 'mccs' OR x.conditions -> 'mccs' ? %(mcc)s)
   AND (NOT x.conditions ? 'payment_types' OR x.conditions -> 'payment_types' ? 'MERCHANT')
"""


def _offers_read(merchant_pk: int | None, merchant_public: str, mcc: str) -> _Offers:
    with connection.cursor() as cursor:
        cursor.execute(
            _OFFERS_SQL,
            {
                "merchant": merchant_pk,
                "merchant_public": merchant_public,
                "category": mcc_category(mcc) if mcc else "",
                "mcc": mcc,
            },
        )
        version, raw = cursor.fetchone()
    rows = json.loads(raw) if isinstance(raw, str) else raw
    compiled = _compiled({r[3] for r in rows})
    offers = tuple(
        _Offer(
            campaign_id=r[0],
            public_id=str(r[1]),
            kind=r[2],
            version_id=r[3],
            budget_id=r[4],
            priority=int(r[5]),
            min_payment=int(r[6]),
            starts_at=datetime.fromisoformat(r[7]),
            ends_at=datetime.fromisoformat(r[8]),
            compiled=compiled[r[3]],
        )
        for r in rows
    )
    return _Offers(version=int(version), offers=offers)


def _cache_usable() -> bool:
    """Cached offers are used in autocommit only: the counter is bumped when a change COMMITS
    (a deferred trigger), so inside a transaction that changed a campaign it would not tell."""
    return connection.get_autocommit() and not connection.in_atomic_block


def _offers_load(key: tuple[int | None, str, str], *, keep: bool) -> _Offers:
    offers = _offers_read(*key)
    if keep:
        if len(_OFFERS) >= _OFFERS_MAX:
            _OFFERS.clear()
        _OFFERS[key] = offers
    return offers


def _may_apply(offer: _Offer, ctx: PaymentContext, now: datetime, mcc: str, category: str) -> bool:
    """What the payment alone decides: the amount, the schedule, the window, the conditions
    (a campaign failing one is not listed among the skipped: dropping it here changes nothing)."""
    rules = offer.compiled.rules
    return (
        offer.min_payment <= ctx.amount.minor
        and offer.starts_at <= now < offer.ends_at
        and rules.window.contains(now)
        and not rules.conditions.refusal(
            amount=ctx.amount, payment_type="MERCHANT", mcc=mcc, category=category, merchant=ctx.merchant_id
        )
    )


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


def _version() -> int:
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        return int(cursor.fetchone()[0])


def _read_now(
    ctx: PaymentContext, now: datetime, coupon: str | None, version: int | None, candidates: list[_Offer]
) -> dict[str, Any]:
    """``promotions_quote_read`` (promotions 0014): ``{"stale": true}`` when the counter is no longer
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
) -> tuple[CustomerFacts | None, str | None, list[_Row], dict[int, _Compiled]]:
    """The merchant's offers (cached per process: ``_OFFERS``), narrowed by what the payment alone
    decides, then one statement (``promotions_quote_read``, promotions 0014): the counter the offers
    must still stand at, the customer's facts, the candidates as they are now and the named coupon.
    When no offer can apply and no coupon is named, only the counter is read (nothing when the
    offers were read by this quote); a changed counter (``stale``) reads the offers again."""
    mcc = str(ctx.metadata.get("mcc") or "")
    category = mcc_category(mcc) if mcc else ""
    key = (ctx.metadata.get("merchant_pk"), ctx.merchant_id, mcc)
    keep = _cache_usable()
    offers = _OFFERS.get(key) if keep else None
    fresh = offers is None  # read by this quote: nothing to check
    if offers is None:
        offers = _offers_load(key, keep=keep)
    candidates = [o for o in offers.offers if _may_apply(o, ctx, now, mcc, category)]
    if not candidates and not coupon:
        if fresh or _version() == offers.version:
            return None, None, [], {}
        offers, fresh = _offers_load(key, keep=keep), True
        candidates = [o for o in offers.offers if _may_apply(o, ctx, now, mcc, category)]
        if not candidates:
            return None, None, [], {}
    doc = _read_now(ctx, now, coupon, None if fresh else offers.version, candidates)
    if doc.get("stale"):  # a campaign changed since these offers were read: read them again
        offers = _offers_load(key, keep=keep)
        candidates = [o for o in offers.offers if _may_apply(o, ctx, now, mcc, category)]
        doc = _read_now(ctx, now, coupon, None, candidates)
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
        compiled.update(_compiled({row.version_id}))
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


def _entry(row: _Row, c: _Compiled, status: str, reason: str, amount: Money) -> dict[str, Any]:
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
    compiled: dict[int, _Compiled],
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

        def skip(reason: str, *, listed: bool = True, row: _Row = row, c: _Compiled = c) -> None:
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
        if not segment_matches(rules.segment, facts, now=now, branch_ids=_branch_ids(c)):
            skip("segment", listed=False)
            continue
        if c.holdout_bps and holdout_bucket(c.holdout_salt, facts.customer_id) < c.holdout_bps:
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
        bank = _bank_share(discount, c.merchant_share_bps) if row.kind == CO_FUNDED else discount
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
