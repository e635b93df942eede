"""Reads of referrals and lottery entries for the customer API and the admin (no writes: a
customer's code is computed, ``promotions.referral_codes``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet, Sum

from accounts.models import Customer
from core.pagination import Page, queryset_page
from promotions.models import LotteryEntry, Referral, RewardGrant
from promotions.referral_codes import code_encode

__all__ = ["ReferralSummary", "lottery_entries_page", "referral_summary", "referrals_page_for_referrer"]


@dataclass(frozen=True)
class ReferralSummary:
    code: str
    link: str
    invited: int
    pending: int
    qualified: int
    refused: int
    rewards_paid_minor: int
    rewards_held_minor: int


def referral_summary(*, customer: Customer) -> ReferralSummary:
    """My code and link, and how my referrals are doing (counts by status, rewards paid and held)."""
    code = code_encode(customer.pk)
    counts = dict(
        Referral.objects.filter(referrer=customer)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    rewards = dict(
        RewardGrant.objects.filter(customer=customer, kind="REFERRAL", status__in=("PAID", "PENDING"))
        .values_list("status")
        .annotate(total=Sum("amount_minor"))
        .values_list("status", "total")
    )
    return ReferralSummary(
        code=code,
        link=f"{settings.PROMOTIONS_REFERRAL_LINK_BASE}{code}",
        invited=sum(counts.values()),
        pending=counts.get(Referral.Status.PENDING, 0),
        qualified=counts.get(Referral.Status.QUALIFIED, 0),
        refused=counts.get(Referral.Status.REFUSED, 0),
        rewards_paid_minor=int(rewards.get("PAID") or 0),
        rewards_held_minor=int(rewards.get("PENDING") or 0),
    )


def referrals_page_for_referrer(*, customer: Customer, token: str | None, size: int) -> Page[Referral]:
    """The people I referred, newest first (keyset on created_at, id; index ``referral_referrer_page``)."""
    qs: QuerySet[Referral] = Referral.objects.filter(referrer=customer).select_related("referee")
    return queryset_page(qs, ordering=("-created_at", "-id"), token=token, size=size)


def lottery_entries_page(*, customer: Customer, token: str | None, size: int) -> Page[LotteryEntry]:
    """My lottery entries with their campaign, draw and prize grant, newest first (keyset on
    created_at, id; index ``lottery_entry_customer_page``)."""
    qs = LotteryEntry.objects.filter(customer=customer).select_related(
        "campaign__version", "campaign__lottery_draw", "grant"
    )
    return queryset_page(qs, ordering=("-created_at", "-id"), token=token, size=size)
