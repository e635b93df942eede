"""The instant quote's view of the campaigns (``promotions.selectors_instant``): each approved
version's rules compiled once per process, and each merchant's offers cached per process.

**Offers** (``offers_for_payment``): the ACTIVE instant campaigns (not coupons: a coupon is read
when the payment names it) that target a merchant and its MCC (status, kind, merchant lists,
category, MCC, payment type and co-funding merchant filtered in SQL; campaigns naming other
merchants are not even read: a partial index for those open to every merchant, a GIN index on the
merchant lists), not spent nor sold out (neither ever comes back), with their compiled rules,
budget account, priority and schedule. They are read in one statement together with
``promotions_quotestate.version``, a counter every committed change to what a campaign offers
bumps (promotions 0015: a deferred trigger on ``promotions_campaign``: status, version, kind,
conditions, schedule, priority, budget account, co-funding merchant, minimum, global limit). The
per-payment read (``promotions_quote_read``) refuses them (``stale``) when the counter has moved,
and they are read again. Cached in autocommit only: inside a transaction the counter would not
show the transaction's own changes (it moves at commit).

Per payment, ``offers_for_payment`` drops the offers the payment alone rules out: the amount
(``min_payment_minor``), the schedule at ``now`` (starts/ends by timestamp at the moment of use),
the window, the conditions, and what the payer's own row (loaded with the request, as the payment's
limits use it) rules out: the segment's age band, type, tenure, home branch and KYC tier, and a
first order for someone not verified. Each of these would make the quote skip the campaign
unlisted, so dropping them earlier changes no outcome; the card, activity and consent criteria,
and everything a payment or a transition changes (status, claims, budget, per-person use), are read
per payment.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.conf import settings
from django.db import connection

from core.money import Money
from payments.interfaces import PaymentContext
from payments.models import mcc_category
from promotions.rules import CO_FUNDED, FIRST_ORDER, Rules, Segment, rules_parse
from promotions.selectors_segments import CustomerFacts, segment_branch_ids, segment_matches
from promotions.versions import holdout_bucket

__all__ = [
    "Compiled",
    "Offer",
    "Offers",
    "bank_share",
    "branch_ids",
    "compiled_versions",
    "counter_seen",
    "offers_cache_clear",
    "offers_for_payment",
]

_BRANCH_TTL = 300.0  # seconds a segment's branch subtree is reused
_VERSION_SQL = "SELECT COALESCE((SELECT version FROM promotions_quotestate WHERE id = 1), 0)"  # promotions 0015


_VERSIONS_SQL = "SELECT id, rules, holdout_salt FROM promotions_campaignversion WHERE id = ANY(%s)"


@dataclass(frozen=True)
class Compiled:
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


_CACHE: dict[int, Compiled] = {}
_BRANCHES: dict[int, tuple[float, set[int]]] = {}


def offers_cache_clear() -> None:
    """Forget compiled versions, branch subtrees and merchants' offers (tests)."""
    global _SEEN
    _CACHE.clear()
    _BRANCHES.clear()
    _OFFERS.clear()
    _OFFER_INSTANCES.clear()
    _HELD[0] = 0
    _SEEN = (-1, 0.0)


def _compile(version_id: int, doc: dict[str, Any], salt: str) -> Compiled:
    rules = rules_parse(
        kind=doc["kind"],
        conditions=doc["conditions"],
        benefit=doc["benefit"],
        window=doc["window"],
        segment=doc["segment"],
    )
    return Compiled(
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
            bank_share(rules.benefit.max_single, int(doc.get("merchant_share_bps") or 0))
            if rules.kind == CO_FUNDED
            else rules.benefit.max_single
        ).minor,
    )


def compiled_versions(version_ids: set[int]) -> dict[int, Compiled]:
    missing = [v for v in version_ids if v not in _CACHE]
    if missing:
        with connection.cursor() as cursor:
            cursor.execute(_VERSIONS_SQL, [missing])
            for version_id, rules, salt in cursor.fetchall():
                doc = json.loads(rules) if isinstance(rules, str) else rules
                _CACHE[version_id] = _compile(version_id, doc, salt)
    return {v: _CACHE[v] for v in version_ids}


def branch_ids(compiled: Compiled) -> set[int] | None:
    if not compiled.rules.segment.home_branches:
        return None
    cached = _BRANCHES.get(compiled.version_id)
    if cached is None or time.monotonic() - cached[0] > _BRANCH_TTL:
        cached = (time.monotonic(), segment_branch_ids(compiled.rules.segment))
        _BRANCHES[compiled.version_id] = cached
    return cached[1]


def bank_share(discount: Money, merchant_share_bps: int) -> Money:
    """The budget's part of a co-funded discount, rounded UP (as the approved exposure counts it)."""
    bank = (Decimal(discount.minor) * Decimal(10_000 - merchant_share_bps) / Decimal(10_000)).to_integral_value(
        rounding=ROUND_CEILING
    )
    return Money(int(bank), discount.currency)


# --- the offers of one merchant, cached per process ------------------------------------------------
@dataclass(frozen=True)
class Offer:
    """A campaign a merchant's payments must consider, as it stood at version ``Offers.version``:
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
    compiled: Compiled
    payer_segment: Segment | None  # the segment's criteria the payer's own row answers, if any


@dataclass(frozen=True)
class Offers:
    version: int
    offers: tuple[Offer, ...]  # priority DESC, id
    read_at: float = 0.0  # time.monotonic() taken before the statement that read them


_OFFERS: dict[tuple[int | None, str, str], Offers] = {}
_OFFER_INSTANCES: dict[tuple[Any, ...], Offer] = {}
# Past either bound the cache starts afresh: merchants (with their MCC) kept, offers held in all.
_OFFERS_MAX_MERCHANTS = 20_000
_OFFERS_MAX_HELD = 2_000_000  # references to shared ``Offer`` instances (~16 MB)
_OFFER_INSTANCES_MAX = 100_000  # campaign states interned (every transition makes a new one)
_HELD = [0]
_SEEN: tuple[int, float] = (-1, 0.0)  # the counter as this process last read it, and when

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


def _offers_read(merchant_pk: int | None, merchant_public: str, mcc: str) -> Offers:
    read_at = time.monotonic()  # before the statement: its snapshot is no older than this
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
    compiled = compiled_versions({r[3] for r in rows})
    return Offers(version=int(version), offers=tuple(_offer(r, compiled[r[3]]) for r in rows), read_at=read_at)


def _offer(r: list[Any], compiled: Compiled) -> Offer:
    """One instance per campaign as it stands, shared by every merchant whose offers hold it."""
    key = tuple(r)
    offer = _OFFER_INSTANCES.get(key)
    if offer is None or offer.compiled is not compiled:
        offer = Offer(
            campaign_id=r[0],
            public_id=str(r[1]),
            kind=r[2],
            version_id=r[3],
            budget_id=r[4],
            priority=int(r[5]),
            min_payment=int(r[6]),
            starts_at=datetime.fromisoformat(r[7]),
            ends_at=datetime.fromisoformat(r[8]),
            compiled=compiled,
            payer_segment=_payer_segment(compiled.rules.segment),
        )
        if len(_OFFER_INSTANCES) >= _OFFER_INSTANCES_MAX:
            _OFFER_INSTANCES.clear()  # also filled by reads inside transactions, which keep no offers
        _OFFER_INSTANCES[key] = offer
    return offer


def _cache_usable() -> bool:
    """Cached offers are used in autocommit only: the counter is bumped when a change COMMITS
    (a deferred trigger), so inside a transaction that changed a campaign it would not tell."""
    return connection.get_autocommit() and not connection.in_atomic_block


def _offers_load(key: tuple[int | None, str, str], *, keep: bool) -> Offers:
    offers = _offers_read(*key)
    if keep:
        counter_seen(offers.version, offers.read_at)
        replaced = _OFFERS.get(key)
        held = _HELD[0] + len(offers.offers) - (len(replaced.offers) if replaced else 0)
        if len(_OFFERS) >= _OFFERS_MAX_MERCHANTS or held > _OFFERS_MAX_HELD:
            _OFFERS.clear()  # bounded memory: start afresh (one read per merchant refills it)
            _OFFER_INSTANCES.clear()
            held = len(offers.offers)
        _HELD[0] = held  # approximate under threads: a bound, not an account
        _OFFERS[key] = offers
    return offers


def _payer_segment(segment: Segment) -> Segment | None:
    """The part of ``segment`` the payer's row answers (card, activity and consent are not on it)."""
    if not (
        segment.age_bands or segment.customer_types or segment.tenure or segment.home_branches or segment.kyc_tiers
    ):
        return None
    return dataclasses.replace(segment, card_linked=None, activity="")


_PAYER_FIELDS = ("date_of_birth", "customer_type", "created_at", "home_branch_id", "kyc_tier_id")


def _payer_facts(ctx: PaymentContext) -> CustomerFacts | None:
    """The payer's row as the request loaded it (never a query: a field not loaded means no facts)."""
    loaded = ctx.customer.__dict__
    if not all(name in loaded for name in _PAYER_FIELDS):
        return None
    return CustomerFacts(
        customer_id=ctx.customer.pk,
        reachable=True,
        date_of_birth=loaded["date_of_birth"],
        customer_type=loaded["customer_type"],
        created_at=loaded["created_at"],
        home_branch_id=loaded["home_branch_id"],
        kyc_tier=int(loaded["kyc_tier_id"]),
        card_linked=False,  # not asked: ``payer_segment`` has no card criterion
        last_spend_month=None,  # nor an activity one
    )


def _may_apply(
    offer: Offer, ctx: PaymentContext, now: datetime, mcc: str, category: str, payer: CustomerFacts | None
) -> bool:
    """What the payment and its payer's row decide: the amount, the schedule, the window, the
    conditions, the segment's criteria on the payer's row, a first order for someone not verified
    (unless its holdout comes first). The quote skips a campaign failing any of these unlisted and
    without a trace, so dropping it here changes nothing."""
    rules = offer.compiled.rules
    if not (
        offer.min_payment <= ctx.amount.minor
        and offer.starts_at <= now < offer.ends_at
        and rules.window.contains(now)
        and not rules.conditions.refusal(
            amount=ctx.amount, payment_type="MERCHANT", mcc=mcc, category=category, merchant=ctx.merchant_id
        )
    ):
        return False
    if payer is None:
        return True
    if offer.payer_segment is not None and not segment_matches(
        offer.payer_segment, payer, now=now, branch_ids=branch_ids(offer.compiled)
    ):
        return False
    if offer.kind == FIRST_ORDER:
        c = offer.compiled
        if c.holdout_bps and holdout_bucket(c.holdout_salt, payer.customer_id) < c.holdout_bps:
            return True  # the holdout comes first: listed and recorded
        identity = ctx.customer.__dict__.get("national_id_index", "?")  # not loaded: left to the read
        return bool(identity) and payer.kyc_tier >= 1
    return True


def offers_for_payment(
    ctx: PaymentContext, now: datetime, *, coupon: bool, reload: bool = False
) -> tuple[list[Offer], int | None]:
    """The merchant's offers that may apply to this payment (``_may_apply``), priority DESC then id,
    and the counter ``promotions_quote_read`` must still find (None: the offers were read just now).
    When none may apply and no coupon is named, the cached offers are confirmed by reading the
    counter alone, unless this process read it at that value less than
    ``PROMOTIONS_OFFERS_RECHECK_MS`` ago (then nothing is read: a campaign started or resumed within
    that time reaches such a payment that much later; nothing that could apply is ever trusted so).
    ``reload``: the read found the counter moved, read the offers again."""
    mcc = str(ctx.metadata.get("mcc") or "")
    category = mcc_category(mcc) if mcc else ""
    key = (ctx.metadata.get("merchant_pk"), ctx.merchant_id, mcc)
    keep = _cache_usable()
    offers = _OFFERS.get(key) if keep and not reload else None
    fresh = offers is None
    if offers is None:
        offers = _offers_load(key, keep=keep)
    payer = _payer_facts(ctx)
    candidates = [o for o in offers.offers if _may_apply(o, ctx, now, mcc, category, payer)]
    idle = not candidates and not coupon and not fresh
    if idle and not _recently_seen(offers.version) and _version() != offers.version:
        offers, fresh = _offers_load(key, keep=keep), True
        candidates = [o for o in offers.offers if _may_apply(o, ctx, now, mcc, category, payer)]
    return candidates, None if fresh else offers.version


def counter_seen(version: int, read_at: float) -> None:
    """Note that the counter stood at ``version`` in a statement started at ``read_at``
    (``time.monotonic()`` taken BEFORE the statement: a process stalled after it, or a thread
    waiting for the interpreter, must not make an old reading look fresh). A reading older than
    the one noted is ignored (threads finish out of order)."""
    global _SEEN
    if read_at >= _SEEN[1]:
        _SEEN = (version, read_at)


def _recently_seen(version: int) -> bool:
    """True when this process read the counter at ``version`` less than
    ``PROMOTIONS_OFFERS_RECHECK_MS`` ago: a quote with nothing that may apply then trusts it."""
    seen_version, seen_at = _SEEN
    return seen_version == version and time.monotonic() - seen_at < settings.PROMOTIONS_OFFERS_RECHECK_MS / 1000


def _version() -> int:
    read_at = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        version = int(cursor.fetchone()[0])
    counter_seen(version, read_at)
    return version
