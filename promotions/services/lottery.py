"""Lottery (抽奖): entries earned by qualifying payments, a draw an auditor can reproduce, prizes
paid from the campaign's budget exactly once.

Commitment. ``lottery_draw_open`` creates the campaign's ``LotteryDraw`` with a fresh 32-byte
secret seed (``secrets``, stored encrypted) and publishes ``seed_commitment = sha256(seed hex)``
(the customer API and the admin show it). It runs before any entry can be written (the entry
consumer opens the draw first) and at the latest from the beat job once the campaign is
scheduled, so the commitment always precedes the close of entries; nobody, the bank included,
can choose a seed after seeing the entries without breaking the published hash.

Entries. ``lottery_enter`` (consumer of ``payment.completed``): a payment made while the campaign
runs that meets its conditions, window and segment (not held out) earns one entry, once per
(campaign, payment) (a database constraint), ticket ``<campaign public id>:<source>``. An entry
takes the draw row ``FOR SHARE``: the draw's ``FOR UPDATE`` waits for entries being written, and
an entry arriving after the draw is refused (not entered).

Draw (``lottery_draw_run``, algorithm ``hmac-sha256-rank-v1``), once, under the draw row's lock,
at ``ends_at + draw_after_minutes``:

1. the entries, sorted by ticket; ``entries_digest = sha256("\\n".join(tickets))``;
2. ``score(ticket) = HMAC-SHA256(key = bytes.fromhex(seed), msg = ticket UTF-8)``, hex;
3. rank = position in the order by (score, ticket), from 1;
4. the prize table expanded to one amount per prize, largest first (``LotteryBenefit.expanded``):
   rank i wins prize i, every rank beyond the prizes wins no prize (``prize_minor`` 0);
5. ``results_digest = sha256("\\n".join("<rank>:<ticket>:<prize_minor>"))``; the seed is revealed.

Pay (``lottery_prizes_pay``): each WON entry's prize through ``rewards.grant_decide`` with source
``lottery:<ticket>`` (unique per campaign: a second job, a redelivery or a killed worker can never
pay twice), each entry in its own transaction; the draw is PAID once every winner has a grant.
The campaign's budget is not returned before then (``lifecycle.campaign_settle``).

Proof (``lottery_draw_verify``, management command ``lottery_verify`` and the admin action):
recompute steps 1-5 from the record and compare with what was recorded, plus
``sha256(seed) == seed_commitment``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.audit import audit_record
from core.money import Money
from promotions.models import Campaign, LotteryDraw, LotteryEntry, RewardGrant
from promotions.rules import LOTTERY, LotteryBenefit
from promotions.selectors import campaign_active_at
from promotions.selectors_segments import customer_facts
from promotions.services.holdout import holdout_record_customer
from promotions.services.rewards import Occasion, _candidates, _refusal, grant_decide
from promotions.versions import version_rules

__all__ = [
    "ALGORITHM",
    "DrawOutcome",
    "draw_compute",
    "lottery_draw_open",
    "lottery_draw_run",
    "lottery_draw_verify",
    "lottery_enter",
    "lottery_entries_void_on_refund",
    "lottery_prizes_pay",
    "lottery_tick",
]

ALGORITHM = "hmac-sha256-rank-v1"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- the algorithm (pure) ------------------------------------------------------------------------
@dataclass(frozen=True)
class DrawOutcome:
    entries_digest: str
    results_digest: str
    ranked: list[tuple[int, str, str, int]] = field(default_factory=list)  # (rank, ticket, score, prize)


def draw_compute(*, seed_hex: str, tickets: list[str], prizes: list[int]) -> DrawOutcome:
    """The draw from its inputs alone: the seed, the tickets and the expanded prize table (one
    amount per prize, largest first). Deterministic; see the module docstring."""
    ordered_tickets = sorted(tickets)
    key = bytes.fromhex(seed_hex)
    scored = sorted(
        ((hmac.new(key, t.encode(), hashlib.sha256).hexdigest(), t) for t in ordered_tickets),
    )
    ranked = [
        (rank, ticket, score, prizes[rank - 1] if rank <= len(prizes) else 0)
        for rank, (score, ticket) in enumerate(scored, start=1)
    ]
    return DrawOutcome(
        entries_digest=_sha256("\n".join(ordered_tickets)),
        results_digest=_sha256("\n".join(f"{r}:{t}:{p}" for r, t, _s, p in ranked)),
        ranked=ranked,
    )


# --- commitment and entries -----------------------------------------------------------------------
def lottery_draw_open(campaign: Campaign) -> LotteryDraw:
    """The campaign's draw, created with a fresh committed seed if it has none (idempotent)."""
    existing = LotteryDraw.objects.filter(campaign=campaign).first()
    if existing is not None:
        return existing
    seed = secrets.token_hex(32)
    try:
        with transaction.atomic():
            return LotteryDraw.objects.create(
                campaign=campaign, algorithm=ALGORITHM, seed_secret=seed, seed_commitment=_sha256(seed)
            )
    except IntegrityError:
        return LotteryDraw.objects.get(campaign=campaign)


def lottery_enter(occasion: Occasion) -> list[LotteryEntry]:
    """Entries this payment earns (one per running lottery it qualifies for). Call inside the
    consumer's transaction."""
    candidates = _candidates((LOTTERY,), occasion.at)
    facts = customer_facts(occasion.customer.pk) if candidates else None
    if facts is None or _payment_refunded(occasion.transfer_public_id):
        return []
    entries: list[LotteryEntry] = []
    for campaign in candidates:
        version = campaign.version
        if version is None or not campaign_active_at(campaign, occasion.at):
            continue
        if _refusal(version_rules(version), occasion, facts, {}, version.pk):
            continue
        if holdout_record_customer(version, occasion.customer.pk):
            continue
        draw = lottery_draw_open(campaign)
        with connection.cursor() as cursor:  # waits for a draw in progress; refuses after it
            cursor.execute("SELECT status FROM promotions_lotterydraw WHERE id = %s FOR SHARE", [draw.pk])
            row = cursor.fetchone()
        if row is None or row[0] != LotteryDraw.Status.OPEN:
            continue
        ticket = f"{campaign.public_id}:{occasion.source}"
        try:
            with transaction.atomic():
                entry = LotteryEntry.objects.create(
                    campaign=campaign,
                    customer=occasion.customer,
                    source=occasion.source,
                    ticket=ticket,
                    source_at=occasion.at,
                )
        except IntegrityError:
            entry = LotteryEntry.objects.get(campaign=campaign, source=occasion.source)
        entries.append(entry)
    return entries


# The payment's record, FOR SHARE: a refund holds it FOR UPDATE until it commits (``refund_post``), so
# an entry either sees the refund or is written before it (and the refund's consumer voids it).
_REFUNDED_SQL = (
    "SELECT r.refunded_minor FROM {table} r JOIN payments_transfer t ON t.id = r.transfer_id"
    " WHERE t.public_id = %s FOR SHARE OF r"
)


def _payment_refunded(transfer_public_id: uuid.UUID) -> bool:
    """Whether any of the payment was refunded (its entry would be withdrawn at once)."""
    with connection.cursor() as cursor:
        for table in ("payments_merchantpayment", "payments_billpayment"):
            cursor.execute(_REFUNDED_SQL.format(table=table), [transfer_public_id])
            row = cursor.fetchone()
            if row is not None:
                return bool(row[0])
    return False


def lottery_entries_void_on_refund(*, original: uuid.UUID) -> int:
    """A refund (any part) of a payment before its lottery's draw withdraws the payment's entries
    (outcome VOIDED: the draw and its proof leave them out), so paying and getting refunded earns
    no entry. After the draw nothing changes (the draw is final, as a referral after its release).
    Takes each draw row ``FOR SHARE`` like an entry: a draw in progress is waited for. Call inside
    the consumer's transaction; returns the entries withdrawn (0 on a redelivery)."""
    voided = 0
    entries = LotteryEntry.objects.filter(source=f"payment:{original}", outcome=LotteryEntry.Outcome.PENDING)
    for entry_id, campaign_id in entries.values_list("pk", "campaign_id"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM promotions_lotterydraw WHERE campaign_id = %s FOR SHARE", [campaign_id])
            row = cursor.fetchone()
        if row is not None and row[0] != LotteryDraw.Status.OPEN:
            continue
        voided += LotteryEntry.objects.filter(pk=entry_id, outcome=LotteryEntry.Outcome.PENDING).update(
            outcome=LotteryEntry.Outcome.VOIDED
        )
    return voided


# --- the draw ---------------------------------------------------------------------------------------
def _draw_due(campaign: Campaign, benefit: LotteryBenefit, now: datetime) -> bool:
    if campaign.ends_at is None or campaign.status not in (Campaign.Status.ACTIVE, Campaign.Status.ENDED):
        return False
    return now >= campaign.ends_at + timedelta(minutes=benefit.draw_after_minutes)


def lottery_draw_run(*, campaign_id: int, now: datetime | None = None) -> bool:
    """Draw once, when due: record every entry's rank and prize, reveal the seed. True if it drew
    now. A second run (doubled beat, retried job) finds the draw DRAWN and does nothing."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        campaign = Campaign.objects.select_related("version").get(pk=campaign_id)
        draw = LotteryDraw.objects.select_for_update().filter(campaign=campaign).first()
        if draw is None or draw.status != LotteryDraw.Status.OPEN or campaign.version is None:
            return False
        benefit = version_rules(campaign.version).benefit
        assert isinstance(benefit, LotteryBenefit)
        if not _draw_due(campaign, benefit, now):
            return False
        entries = {
            e.ticket: e
            for e in LotteryEntry.objects.select_for_update()
            .filter(campaign=campaign)
            .exclude(outcome=LotteryEntry.Outcome.VOIDED)
        }
        seed = draw.seed_secret
        outcome = draw_compute(seed_hex=seed, tickets=list(entries), prizes=benefit.expanded())
        for rank, ticket, score, prize in outcome.ranked:
            entry = entries[ticket]
            entry.rank, entry.score, entry.prize_minor = rank, score, prize
            entry.outcome = LotteryEntry.Outcome.WON if prize > 0 else LotteryEntry.Outcome.NO_PRIZE
        LotteryEntry.objects.bulk_update(
            list(entries.values()), ["rank", "score", "prize_minor", "outcome"], batch_size=2000
        )
        draw.prize_table = [{"amount": a.as_dict(), "count": c} for a, c in benefit.prizes]
        draw.entries_closed_at = min(now, campaign.ends_at) if campaign.ends_at else now
        draw.entries_count = len(entries)
        draw.entries_digest, draw.results_digest = outcome.entries_digest, outcome.results_digest
        draw.seed_revealed, draw.drawn_at = seed, now
        draw.status = LotteryDraw.Status.DRAWN
        draw.save()
        audit_record(
            action="promotions.lottery.draw",
            obj=draw,
            changes={
                "campaign": str(campaign.public_id),
                "entries": len(entries),
                "winners": sum(1 for r in outcome.ranked if r[3] > 0),
                "seed_commitment": draw.seed_commitment,
                "results_digest": draw.results_digest,
            },
        )
    return True


def lottery_prize_pay(*, entry_id: int) -> RewardGrant | None:
    """Decide one winner's prize (its own transaction): PAID from the budget, or SKIPPED with the
    reason (budget spent, wallet frozen...). Once: the entry is locked and the grant is unique per
    (campaign, ``lottery:<ticket>``)."""
    with transaction.atomic(durable=True):
        entry = (
            LotteryEntry.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("campaign__version", "customer")
            .filter(pk=entry_id, outcome=LotteryEntry.Outcome.WON, grant__isnull=True)
            .first()
        )
        if entry is None or entry.prize_minor is None:
            return None
        campaign = entry.campaign
        assert campaign.version is not None
        rules = version_rules(campaign.version)
        prize = Money(entry.prize_minor, rules.currency)
        grant = grant_decide(
            campaign=campaign,
            version=campaign.version,
            rules=rules,
            customer=entry.customer,
            source=f"lottery:{entry.ticket}"[:120],
            transfer_public_id=None,
            reward=prize,
            base=prize,
            at=timezone.now(),
        )
        entry.grant = grant
        entry.save(update_fields=["grant"])
        return grant


def lottery_prizes_pay(*, campaign_id: int) -> int:
    """Decide every winner's prize not decided yet; the draw becomes PAID when none is left.
    Returns the prizes decided now."""
    draw = LotteryDraw.objects.filter(campaign_id=campaign_id, status=LotteryDraw.Status.DRAWN).first()
    if draw is None or Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.PAUSED).exists():
        return 0  # a paused campaign pays nothing now; its winners are paid when it resumes or ends
    todo = LotteryEntry.objects.filter(
        campaign_id=campaign_id, outcome=LotteryEntry.Outcome.WON, grant__isnull=True
    ).order_by("rank")
    done = sum(lottery_prize_pay(entry_id=pk) is not None for pk in list(todo.values_list("pk", flat=True)))
    if not todo.exists():
        LotteryDraw.objects.filter(pk=draw.pk, status=LotteryDraw.Status.DRAWN).update(
            status=LotteryDraw.Status.PAID, paid_at=timezone.now()
        )
    return done


def lottery_tick(*, now: datetime | None = None) -> dict[str, int]:
    """Beat's lottery job: commit a seed for every scheduled or running lottery without one, draw
    what is due, pay what is drawn. Every step is a no-op when repeated."""
    now = now or timezone.now()
    opened = 0
    live = Campaign.objects.filter(
        kind=LOTTERY,
        status__in=(Campaign.Status.SCHEDULED, Campaign.Status.ACTIVE, Campaign.Status.PAUSED, Campaign.Status.ENDED),
        lottery_draw__isnull=True,
    )
    for campaign in live:
        lottery_draw_open(campaign)
        opened += 1
    drawn = sum(
        lottery_draw_run(campaign_id=pk, now=now)
        for pk in LotteryDraw.objects.filter(status=LotteryDraw.Status.OPEN).values_list("campaign_id", flat=True)
    )
    paid = sum(
        lottery_prizes_pay(campaign_id=pk)
        for pk in LotteryDraw.objects.filter(status=LotteryDraw.Status.DRAWN).values_list("campaign_id", flat=True)
    )
    return {"opened": opened, "drawn": drawn, "paid": paid}


# --- the proof ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DrawVerification:
    ok: bool
    problems: list[str]
    entries: int
    winners: list[tuple[int, str, int]]  # (rank, ticket, prize_minor) as recomputed


def lottery_draw_verify(*, campaign_id: int, by: object = None, request: object = None) -> DrawVerification:
    """Re-run the draw from its record alone and compare with what was recorded: the revealed seed
    against its commitment, the entries against their digest, every entry's rank and prize.
    Read-only; audited ``promotions.lottery.verify`` when a staff member asks."""
    draw = LotteryDraw.objects.select_related("campaign").get(campaign_id=campaign_id)
    problems: list[str] = []
    if draw.status == LotteryDraw.Status.OPEN:
        return DrawVerification(ok=False, problems=["not drawn yet"], entries=0, winners=[])
    if _sha256(draw.seed_revealed) != draw.seed_commitment:
        problems.append("the revealed seed does not match its commitment")
    entries = list(
        LotteryEntry.objects.filter(campaign_id=campaign_id)
        .exclude(outcome=LotteryEntry.Outcome.VOIDED)
        .values_list("ticket", "rank", "prize_minor")
    )
    prizes: list[int] = []
    for row in sorted(
        draw.prize_table, key=lambda p: -Money.parse(p["amount"]["amount"], p["amount"]["currency"]).minor
    ):
        prizes += [Money.parse(row["amount"]["amount"], row["amount"]["currency"]).minor] * int(row["count"])
    outcome = draw_compute(seed_hex=draw.seed_revealed, tickets=[t for t, _r, _p in entries], prizes=prizes)
    if outcome.entries_digest != draw.entries_digest or len(entries) != draw.entries_count:
        problems.append("the entries differ from those drawn")
    if outcome.results_digest != draw.results_digest:
        problems.append("the recomputed results differ from the recorded digest")
    recorded = {t: (r, p) for t, r, p in entries}
    mismatched = [t for r, t, _s, p in outcome.ranked if recorded.get(t) != (r, p)]
    if mismatched:
        problems.append(f"{len(mismatched)} entries recorded with another rank or prize")
    result = DrawVerification(
        ok=not problems,
        problems=problems,
        entries=len(entries),
        winners=[(r, t, p) for r, t, _s, p in outcome.ranked if p > 0],
    )
    if by is not None:
        audit_record(
            action="promotions.lottery.verify",
            actor=by,
            obj=draw,
            request=request,  # type: ignore[arg-type]
            changes={"ok": result.ok, "problems": problems, "entries": result.entries},
        )
    return result
