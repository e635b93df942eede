"""Referrals (推荐奖励): attach a referee to a referrer at sign-up, qualify them on a payment, and
grant both sides through the deferred-reward machinery (``rewards.grant_decide``).

Flow (each step in an outbox consumer's transaction, once per event, ``promotions.tasks``):

1. ``customer.registered`` with a ``referral_code`` (or the older ``referred_by`` public id) ->
   ``referral_attach``: unknown code, self-referral, a cycle or a ring (below) is REFUSED with its
   reason; else a PENDING ``Referral``. Every decision is a ``ReferralAttempt`` row.
2. ``payment.completed`` of the referee -> ``referral_qualify`` under the referral's row lock:
   KYC passed before the payment, the ring checked again (cards and devices may have been added
   since), the payment paid with the referee's own funds (``own_funds_check``), a REFERRAL
   campaign running at the payment's moment whose conditions, window and segment it meets. Then
   QUALIFIED, and two grants, sources ``referral:<id>:referrer`` / ``referral:<id>:referee``,
   each held on the budget for ``cooling_off_days`` (``grant_decide(release_after=...)``) and paid
   by ``promotions.rewards_release`` when the cooling-off ends. Unique (campaign, source): at most
   one grant per side, whatever the redelivery; the budget account cannot go negative.
   A refund of the qualifying payment (any part of it) during the cooling-off voids both held
   rewards (``referral_rewards_void_on_refund``, consumer ``promotions.referral_on_refund``): the
   cooling-off exists to catch pay-then-refund farming. After the release nothing is taken back.

The ring of a referee: the referrer, the referrer's own referrer, and every other customer the
referrer referred. Shared with any of them: a device id (``shared_device``), a national ID
(``shared_identity``; the same person as the referrer is ``self_referral``) or a card
(``shared_card``: the gateway token, or bank + last 4 + card type, since the gateway issues one
token per link and gives no card fingerprint).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum

from accounts.models import Customer, Device, LinkedCard
from core.money import Money
from payments.models import TopUp, Transfer
from promotions.models import Campaign, Referral, ReferralAttempt, RewardGrant
from promotions.referral_codes import code_decode, code_normalize
from promotions.rules import REFERRAL, ReferralBenefit
from promotions.selectors import campaign_active_at
from promotions.selectors_segments import customer_facts
from promotions.services.holdout import holdout_record_customer
from promotions.services.rewards import Occasion, _candidates, _refusal, _skipped, grant_decide
from promotions.versions import version_rules

__all__ = [
    "own_funds_check",
    "referral_attach",
    "referral_qualify",
    "referral_refuse",
    "referral_rewards_void_on_refund",
    "ring_refusal",
]

Reason = ReferralAttempt.Reason


def _attempt(
    *,
    referee: Customer,
    referrer: Customer | None,
    referral: Referral | None,
    stage: str,
    status: str,
    reason: str,
    source: str,
    code: str = "",
    detail: dict[str, Any] | None = None,
) -> ReferralAttempt:
    """Record one decision (once per referee and source: a redelivery finds the first one)."""
    try:
        with transaction.atomic():
            return ReferralAttempt.objects.create(
                referee=referee,
                referrer=referrer,
                referral=referral,
                stage=stage,
                status=status,
                reason=reason,
                code=code[:16],
                source=source[:120],
                detail=detail or {},
            )
    except IntegrityError:
        return ReferralAttempt.objects.get(referee=referee, source=source[:120])


# --- rings -----------------------------------------------------------------------------------------
def _ring(referrer: Customer, referee: Customer) -> list[int]:
    others = Referral.objects.filter(referrer=referrer).exclude(referee=referee).exclude(status=Referral.Status.REFUSED)
    ids = {referrer.pk, *others.values_list("referee_id", flat=True)}
    if referrer.referred_by_id:
        ids.add(referrer.referred_by_id)
    upline = Referral.objects.filter(referee=referrer).values_list("referrer_id", flat=True).first()
    if upline:
        ids.add(upline)
    ids.discard(referee.pk)
    return sorted(ids)


def _card_keys(customer_ids: list[int]) -> dict[tuple[str, ...], int]:
    keys: dict[tuple[str, ...], int] = {}
    for owner, token, bank, last4, card_type in LinkedCard.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "gateway_token", "bank_name", "last4", "card_type"
    ):
        keys[("token", token)] = owner
        keys[("card", bank.strip().lower(), last4, card_type)] = owner
    return keys


def ring_refusal(referrer: Customer, referee: Customer) -> tuple[str, dict[str, Any]]:
    """Why this referral is refused ("" if it is not) and the evidence (internal ids only)."""
    if referrer.pk == referee.pk:
        return Reason.SELF_REFERRAL, {}
    if referee.national_id_index and referee.national_id_index == referrer.national_id_index:
        return Reason.SELF_REFERRAL, {"same_identity_as": referrer.pk}
    if (
        referrer.referred_by_id == referee.pk
        or Referral.objects.filter(
            referrer=referee, referee=referrer, status__in=(Referral.Status.PENDING, Referral.Status.QUALIFIED)
        ).exists()
    ):
        return Reason.REFERRAL_CYCLE, {"referrer": referrer.pk}
    ring = _ring(referrer, referee)
    if referee.national_id_index:
        twin = (
            Customer.objects.filter(pk__in=ring, national_id_index=referee.national_id_index)
            .values_list("pk", flat=True)
            .first()
        )
        if twin:
            return Reason.SHARED_IDENTITY, {"shared_with": twin}
    mine = set(Device.objects.filter(customer=referee).values_list("device_id", flat=True))
    if mine:
        shared = (
            Device.objects.filter(customer_id__in=ring, device_id__in=mine)
            .values_list("customer_id", flat=True)
            .order_by("customer_id")
            .first()
        )
        if shared:
            return Reason.SHARED_DEVICE, {"shared_with": shared}
    theirs = _card_keys(ring)
    for key in _card_keys([referee.pk]):
        if key in theirs:
            return Reason.SHARED_CARD, {"shared_with": theirs[key], "by": key[0]}
    return "", {}


# --- 1. sign-up ---------------------------------------------------------------------------------------
def referral_attach(*, referee: Customer, code: str = "", referrer_public_id: str = "", source: str) -> Referral | None:
    """Link a new customer to the one whose code (or public id) they gave at sign-up, or record why
    not. Call inside the consumer's transaction. None when nothing was linked."""
    referrer: Customer | None = None
    normalized = code_normalize(code) or ""
    if code:
        customer_id = code_decode(code)
        referrer = Customer.objects.filter(pk=customer_id).first() if customer_id else None
    elif referrer_public_id:
        referrer = Customer.objects.filter(public_id=referrer_public_id).first()
    stage = ReferralAttempt.Stage.SIGN_UP

    def refuse(reason: str, detail: dict[str, Any] | None = None, referral: Referral | None = None) -> None:
        _attempt(
            referee=referee,
            referrer=referrer,
            referral=referral,
            stage=stage,
            status=ReferralAttempt.Status.REFUSED,
            reason=reason,
            source=source,
            code=normalized or str(code)[:16],
            detail=detail,
        )

    if referrer is None:
        refuse(Reason.UNKNOWN_CODE)
        return None
    existing = Referral.objects.filter(referee=referee).first()
    if existing is not None:
        if existing.referrer_id != referrer.pk:
            refuse(Reason.ALREADY_REFERRED, {"referral": existing.pk})
        return existing
    if referrer.status != Customer.Status.ACTIVE:
        refuse(Reason.REFERRER_INACTIVE)
        return None
    reason, detail = ring_refusal(referrer, referee)
    if reason == Reason.SELF_REFERRAL and referrer.pk == referee.pk:
        refuse(reason, detail)  # a row referring oneself cannot exist (referral_not_self)
        return None
    referral = Referral.objects.create(
        referrer=referrer,
        referee=referee,
        code=normalized,
        status=Referral.Status.REFUSED if reason else Referral.Status.PENDING,
        refusal_reason=reason,
    )
    if reason:
        refuse(reason, detail, referral)
    else:
        _attempt(
            referee=referee,
            referrer=referrer,
            referral=referral,
            stage=stage,
            status=ReferralAttempt.Status.ACCEPTED,
            reason="",
            source=source,
            code=normalized,
        )
    return referral


# --- 2. qualification ------------------------------------------------------------------------------
@dataclass(frozen=True)
class OwnFunds:
    ok: bool
    topped_up_minor: int
    from_ring_minor: int


def own_funds_check(*, referee: Customer, ring: list[int], paid: Money, at: datetime) -> OwnFunds:
    """ "Paid with their own funds", precisely: by the payment's moment the referee's COMPLETED
    top-ups from cards linked to their OWN wallet total at least what they paid, and they received
    no P2P transfer from anyone in the ring (the referrer, the referrer's upline, the referrer's
    other referees). So money sent by the referrer, or a card that is the referrer's, never
    qualifies (a card shared with the ring is refused earlier as ``shared_card``)."""
    topped = (
        TopUp.objects.filter(
            customer=referee,
            card__customer=referee,
            status=TopUp.Status.COMPLETED,
            currency=paid.currency,
            completed_at__lte=at,
        ).aggregate(total=Sum("amount_minor"))["total"]
        or 0
    )
    from_ring = (
        Transfer.objects.filter(
            kind=Transfer.Kind.P2P,
            initiated_by_id__in=ring,
            created_at__lte=at,
            postings__account__customer=referee,
            postings__amount_minor__gt=0,
        ).aggregate(total=Sum("postings__amount_minor"))["total"]
        or 0
    )
    return OwnFunds(ok=topped >= paid.minor and from_ring == 0, topped_up_minor=topped, from_ring_minor=from_ring)


def _campaign_for(occasion: Occasion) -> tuple[Campaign | None, str]:
    """The highest-priority REFERRAL campaign active at the payment that it qualifies for."""
    facts = customer_facts(occasion.customer.pk)
    if facts is None:
        return None, Reason.NO_CAMPAIGN
    reason = Reason.NO_CAMPAIGN
    for campaign in _candidates((REFERRAL,), occasion.at):
        version = campaign.version
        if version is None or (
            not campaign_active_at(campaign, occasion.at) and campaign.status != Campaign.Status.PAUSED
        ):
            continue
        if _refusal(version_rules(version), occasion, facts, {}, version.pk):
            reason = Reason.CONDITIONS
            continue
        return campaign, ""
    return None, reason


def referral_qualify(occasion: Occasion) -> list[RewardGrant]:
    """The referee paid: qualify their PENDING referral and decide both rewards, or record why not
    yet (``kyc_pending``, ``not_own_funds``, ``no_campaign``, ``conditions``) or why never (a ring).
    Call inside the consumer's transaction; the referral row is locked for the decision."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("referrer", "referee__kyc_tier")
        .filter(referee=occasion.customer, status=Referral.Status.PENDING)
        .first()
    )
    if referral is None:
        return []
    referee, referrer = referral.referee, referral.referrer
    source = occasion.source
    stage = ReferralAttempt.Stage.QUALIFY

    def record(status: str, reason: str = "", detail: dict[str, Any] | None = None) -> None:
        _attempt(
            referee=referee,
            referrer=referrer,
            referral=referral,
            stage=stage,
            status=status,
            reason=reason,
            source=source,
            detail=detail,
        )

    reason, detail = ring_refusal(referrer, referee)
    if reason:
        referral.status, referral.refusal_reason = Referral.Status.REFUSED, reason
        referral.save(update_fields=["status", "refusal_reason", "updated_at"])
        record(ReferralAttempt.Status.REFUSED, reason, detail)
        return []
    if referee.kyc_tier.level < 1 or referee.kyc_verified_at is None or referee.kyc_verified_at > occasion.at:
        record(ReferralAttempt.Status.NOT_YET, Reason.KYC_PENDING)
        return []
    funds = own_funds_check(referee=referee, ring=_ring(referrer, referee), paid=occasion.paid, at=occasion.at)
    if not funds.ok:
        record(
            ReferralAttempt.Status.NOT_YET,
            Reason.NOT_OWN_FUNDS,
            {
                "paid_minor": occasion.paid.minor,
                "own_topups_minor": funds.topped_up_minor,
                "from_ring_minor": funds.from_ring_minor,
            },
        )
        return []
    campaign, why = _campaign_for(occasion)
    if campaign is None:
        record(ReferralAttempt.Status.NOT_YET, why)
        return []
    version = campaign.version
    assert version is not None
    rules = version_rules(version)
    benefit = rules.benefit
    assert isinstance(benefit, ReferralBenefit)
    cooling = timedelta(days=benefit.cooling_off_days)
    referral.status, referral.campaign = Referral.Status.QUALIFIED, campaign
    referral.qualifying_transfer_public_id = occasion.transfer_public_id
    referral.qualified_at, referral.cooling_off_until = occasion.at, occasion.at + cooling
    referral.save(
        update_fields=[
            "status",
            "campaign",
            "qualifying_transfer_public_id",
            "qualified_at",
            "cooling_off_until",
            "updated_at",
        ]
    )
    record(ReferralAttempt.Status.QUALIFIED, "", {"campaign": str(campaign.public_id)})
    grants = []
    for side, customer, reward in (
        ("referrer", referrer, benefit.referrer_reward),
        ("referee", referee, benefit.referee_reward),
    ):
        grant_source = f"referral:{referral.pk}:{side}"
        if reward.minor <= 0:
            continue
        if holdout_record_customer(version, customer.pk):
            fields = _fields(campaign, version, customer, grant_source, occasion, reward)
            grants.append(_skipped(campaign, version, None, grant_source, "holdout", fields=fields))
            continue
        grants.append(
            grant_decide(
                campaign=campaign,
                version=version,
                rules=rules,
                customer=customer,
                source=grant_source,
                transfer_public_id=occasion.transfer_public_id,
                reward=reward,
                base=occasion.amount,
                at=occasion.at,
                release_after=cooling if cooling > timedelta(0) else timedelta(0),
            )
        )
    return grants


def _fields(
    campaign: Campaign, version: Any, customer: Customer, source: str, occasion: Occasion, reward: Money
) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "version": version,
        "customer": customer,
        "kind": REFERRAL,
        "source": source,
        "source_transfer_public_id": occasion.transfer_public_id,
        "amount_minor": 0,
        "currency": reward.currency,
        "base_amount_minor": occasion.amount.minor,
    }


def referral_refuse(*, referral_id: int, by: Any, reason: str, request: Any = None) -> Referral:
    """Marketing or risk refuses a PENDING referral by hand (fraud found outside the automatic
    checks); audited ``promotions.referral.refuse``. Held rewards of a QUALIFIED one are not
    touched here (they are voided by a refund, or released)."""
    from core.audit import audit_record
    from promotions.errors import CampaignStateInvalid, ReasonRequired
    from promotions.services.campaigns import require_perm

    require_perm(by, "promotions.change_referral")
    if not (reason or "").strip():
        raise ReasonRequired()
    with transaction.atomic(durable=True):
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        if referral.status != Referral.Status.PENDING:
            raise CampaignStateInvalid(details={"status": referral.status})
        referral.status, referral.refusal_reason = Referral.Status.REFUSED, Reason.REFUSED_BY_STAFF
        referral.save(update_fields=["status", "refusal_reason", "updated_at"])
        _attempt(
            referee=referral.referee,
            referrer=referral.referrer,
            referral=referral,
            stage=ReferralAttempt.Stage.QUALIFY,
            status=ReferralAttempt.Status.REFUSED,
            reason=Reason.REFUSED_BY_STAFF,
            source=f"staff:{by.pk}:{uuid.uuid4().hex[:8]}",
            detail={"reason": reason.strip()[:500]},
        )
        audit_record(
            action="promotions.referral.refuse", actor=by, obj=referral, reason=reason.strip(), request=request
        )
    return referral


def referral_rewards_void_on_refund(*, original: uuid.UUID, refund_ref: str, refunded: Money) -> list[RewardGrant]:
    """A refund of a referral's qualifying payment during the cooling-off: both rewards still held
    are voided whole (hold released back to the budget), once per (grant, refund); the referral is
    recorded REFUSED ``qualifying_payment_refunded``. Paid rewards are kept. Call inside the
    consumer's transaction; grants locked in pk order before any ledger lock."""
    from promotions.services.clawbacks import clawback_grant

    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("referrer", "referee")
        .filter(qualifying_transfer_public_id=original, status=Referral.Status.QUALIFIED)
        .first()
    )
    if referral is None:
        return []
    held = list(
        RewardGrant.objects.select_for_update(of=("self",))
        .filter(
            campaign=referral.campaign,
            source__in=[f"referral:{referral.pk}:referrer", f"referral:{referral.pk}:referee"],
            status=RewardGrant.Status.PENDING,
        )
        .order_by("pk")
    )
    for grant in held:
        clawback_grant(grant=grant, refund_ref=refund_ref, refunded=refunded, full=True)
    if held:
        referral.status, referral.refusal_reason = Referral.Status.REFUSED, Reason.PAYMENT_REFUNDED
        referral.save(update_fields=["status", "refusal_reason", "updated_at"])
        _attempt(
            referee=referral.referee,
            referrer=referral.referrer,
            referral=referral,
            stage=ReferralAttempt.Stage.QUALIFY,
            status=ReferralAttempt.Status.REFUSED,
            reason=Reason.PAYMENT_REFUNDED,
            source=f"refund:{refund_ref}",
            detail={"voided_grants": [g.pk for g in held], "refunded_minor": refunded.minor},
        )
    return held
