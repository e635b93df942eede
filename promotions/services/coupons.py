"""Coupons: bulk generation of unguessable codes (a resumable Celery job with progress), the
customer's redemption (claim), expiry.

Codes: 80 random bits from ``secrets`` as 16 Crockford base32 characters (no I, L, O, U; what a
customer types is normalised: case, spaces, hyphens, O->0, I/L->1). Stored encrypted, looked up by
keyed hash. Generation runs in chunks of ``CHUNK`` codes, one transaction each
(``INSERT ... ON CONFLICT (code_index) DO NOTHING``, so a collision is simply drawn again), moving
``generated_count`` with the rows it inserted: the admin shows the progress, and a worker killed
mid-batch leaves a consistent count that the next run continues from.

Redemption answers every failure the same (``CouponUnavailable``: unknown, already claimed by
someone else or by you, used up, expired, campaign not running, not in the segment, held out,
over your limit), so a guess learns nothing. Attempts are limited per customer: each failed
redemption is counted atomically BEFORE the code is compared (``core.throttling.attempt_take``),
so parallel guesses cannot pass the limit; the endpoint is also rate-limited (scope
``coupon_redeem``) and refuses (503) when Redis cannot count.
"""

from __future__ import annotations

import contextlib
import secrets
import time
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Customer
from core.audit import audit_record
from core.crypto import blind_index, encrypt
from core.errors import RateLimitUnavailable
from core.throttling import STORE_ERRORS, attempt_reset, attempt_take
from promotions.errors import (
    BudgetBelowMaxReward,
    CampaignInvalid,
    CampaignNotFound,
    CampaignStateInvalid,
    CouponUnavailable,
)
from promotions.models import Campaign, Coupon, CouponBatch, CouponClaim
from promotions.rules import COUPON
from promotions.selectors import campaign_active_at
from promotions.selectors_points import campaign_points_exchange
from promotions.selectors_segments import customer_facts, segment_matches
from promotions.services.campaigns import batch_claims, require_perm
from promotions.versions import in_holdout, version_rules

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

__all__ = [
    "CHUNK",
    "code_generate",
    "code_normalize",
    "coupon_batch_create",
    "coupon_batch_generate",
    "coupon_redeem",
    "coupons_expire_due",
    "person_usage_take",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CODE_LENGTH = 16  # 16 x 5 = 80 random bits
CHUNK = 5_000
_TRANSLATE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_generate() -> str:
    value = int.from_bytes(secrets.token_bytes(10), "big")  # 80 bits
    chars = []
    for _digit in range(CODE_LENGTH):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return "".join(chars)


def code_display(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_normalize(text: object) -> str | None:
    """What a customer typed, as a code (None when it cannot be one)."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    code = text.upper().replace("-", "").replace(" ", "").translate(_TRANSLATE)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def code_index(code: str) -> str:
    return blind_index(code, purpose="coupon")


# --- generation ------------------------------------------------------------------------------------
def coupon_batch_create(
    *, campaign_id: int, by: User, quantity: int, max_claims_per_code: int = 1, request: HttpRequest | None = None
) -> CouponBatch:
    """Queue a batch of codes for an approved COUPON campaign; the job is enqueued after commit."""
    require_perm(by, "promotions.operate_campaign")
    if not 1 <= quantity <= 10_000_000 or max_claims_per_code < 1:
        raise CampaignInvalid(details={"quantity": "1 to 10,000,000", "max_claims_per_code": "at least 1"})
    with transaction.atomic(durable=True):
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            raise CampaignNotFound()
        if campaign.kind != COUPON or campaign.status not in (
            Campaign.Status.APPROVED,
            Campaign.Status.SCHEDULED,
            Campaign.Status.ACTIVE,
            Campaign.Status.PAUSED,
        ):
            raise CampaignStateInvalid(details={"kind": campaign.kind, "status": campaign.status})
        _points_offer_reserve_check(campaign, quantity * max_claims_per_code)
        batch = CouponBatch.objects.create(
            campaign=campaign, quantity=quantity, max_claims_per_code=max_claims_per_code, requested_by=by
        )
        audit_record(
            action="promotions.couponbatch.create",
            actor=by,
            obj=batch,
            request=request,
            changes={
                "campaign": str(campaign.public_id),
                "quantity": quantity,
                "max_claims_per_code": max_claims_per_code,
            },
        )
        transaction.on_commit(lambda: _enqueue(batch.pk))
    return batch


def _points_offer_reserve_check(campaign: Campaign, claims: int) -> None:
    """A campaign that sells coupons for points keeps its budget (and its global limit) for them:
    codes of every batch, each claimable ``max_claims_per_code`` times, plus the offer's stock must
    fit, else a customer who paid points could find the budget spent by free codes and lose the
    points (they are not refunded). Called under the campaign's row lock."""
    offer = campaign_points_exchange(campaign)
    if offer is None:
        return
    benefit, exchange = offer
    issued = batch_claims(campaign)
    promised = exchange.stock + issued + claims
    if promised * benefit.discount.minor > campaign.budget_minor:
        raise BudgetBelowMaxReward(
            _("The budget cannot pay the discount of these codes and of every coupon offered for points."),
            details={
                "budget_minor": campaign.budget_minor,
                "points_exchange_stock": exchange.stock,
                "codes_claims": issued + claims,
                "discount_minor": benefit.discount.minor,
            },
        )
    if campaign.global_limit is not None and promised > campaign.global_limit:
        raise CampaignInvalid(
            details={"quantity": "the codes and the coupons offered for points exceed the campaign's global limit"}
        )


def _enqueue(batch_id: int) -> None:
    from promotions.tasks import coupon_batch_generate as task

    task.apply_async(kwargs={"batch_id": batch_id})


_INSERT_SQL = (
    "INSERT INTO promotions_coupon (batch_id, campaign_id, code_index, code, max_claims, claims_count) "
    "SELECT %s, %s, i, c, %s, 0 FROM unnest(%s::text[], %s::text[]) AS t(i, c) "
    "ON CONFLICT (code_index) DO NOTHING"
)


def _chunk(batch: CouponBatch, size: int) -> int:
    """Insert up to ``size`` new codes and move the progress by what was inserted (one transaction)."""
    codes = [code_generate() for _i in range(size)]
    with transaction.atomic(durable=True):
        locked = CouponBatch.objects.select_for_update().get(pk=batch.pk)
        size = min(size, locked.quantity - locked.generated_count)
        if size <= 0:
            return 0
        codes = codes[:size]
        with connection.cursor() as cursor:
            cursor.execute(
                _INSERT_SQL,
                [
                    locked.pk,
                    locked.campaign_id,
                    locked.max_claims_per_code,
                    [code_index(c) for c in codes],
                    [encrypt(c) for c in codes],
                ],
            )
            inserted = int(cursor.rowcount)
        CouponBatch.objects.filter(pk=locked.pk).update(
            generated_count=F("generated_count") + inserted, status=CouponBatch.Status.GENERATING
        )
        return inserted


def coupon_batch_generate(*, batch_id: int, budget_seconds: float = 45.0) -> bool:
    """Generate the batch's codes for at most ``budget_seconds``; True when it is complete. The
    task re-enqueues itself until then (each message well inside the broker's visibility timeout)."""
    started = time.monotonic()
    batch = CouponBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return True
    while time.monotonic() - started < budget_seconds:
        batch.refresh_from_db()
        left = batch.quantity - batch.generated_count
        if left <= 0:
            CouponBatch.objects.filter(pk=batch.pk, finished_at__isnull=True).update(
                status=CouponBatch.Status.DONE, finished_at=timezone.now()
            )
            return True
        _chunk(batch, min(CHUNK, left))
    return False


# --- redemption ------------------------------------------------------------------------------------
def _failures_key(customer: Customer) -> str:
    return f"promotions:coupon-failures:{customer.pk}"


def coupon_redeem(*, customer: Customer, code: str, now: datetime | None = None) -> CouponClaim:
    """Claim the coupon behind ``code`` for ``customer``. ``CouponUnavailable`` (400) for every
    failure; ``RateLimitUnavailable`` (503) when attempts cannot be counted."""
    now = now or timezone.now()
    limit = int(settings.PROMOTIONS_COUPON_MAX_FAILURES_PER_HOUR)
    try:
        attempts = attempt_take(_failures_key(customer), 3600)
    except STORE_ERRORS as exc:
        raise RateLimitUnavailable() from exc
    if attempts > limit:
        raise CouponUnavailable()
    claim = _claim(customer=customer, code=code, now=now)
    if claim is None:
        raise CouponUnavailable()
    with contextlib.suppress(*STORE_ERRORS):  # only failures count against the limit
        attempt_reset(_failures_key(customer), limit=limit)
    return claim


def _claim(*, customer: Customer, code: str, now: datetime) -> CouponClaim | None:
    normalized = code_normalize(code)
    if normalized is None:
        return None
    try:
        with transaction.atomic(durable=True):
            coupon = (
                Coupon.objects.select_for_update(of=("self",))
                .select_related("campaign__version")
                .filter(code_index=code_index(normalized))
                .first()
            )
            if coupon is None or coupon.claims_count >= coupon.max_claims:
                return None
            campaign = coupon.campaign
            version = campaign.version
            if version is None or campaign.status == Campaign.Status.PAUSED or not campaign_active_at(campaign, now):
                return None
            facts = customer_facts(customer.pk)
            rules = version_rules(version)
            if facts is None or not segment_matches(rules.segment, facts, now=now) or in_holdout(version, customer.pk):
                return None
            if not person_usage_take(campaign.pk, customer.pk, version.rules["limits"]["per_person"]):
                return None
            Coupon.objects.filter(pk=coupon.pk).update(claims_count=F("claims_count") + 1)
            assert campaign.ends_at is not None
            return CouponClaim.objects.create(
                coupon=coupon, campaign=campaign, customer=customer, expires_at=campaign.ends_at
            )
    except IntegrityError:
        return None  # this customer claimed this code already


def person_usage_take(campaign_id: int, customer_id: int, limit: int | None) -> bool:
    """Count one more coupon of the campaign for the customer unless that passes ``limit`` (None: no
    limit); False then. A conditional UPSERT: no concurrency passes the limit."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO promotions_personusage (campaign_id, customer_id, count) VALUES (%s, %s, 1) "
            "ON CONFLICT (campaign_id, customer_id) DO UPDATE SET count = promotions_personusage.count + 1 "
            "WHERE %s::bigint IS NULL OR promotions_personusage.count < %s::bigint RETURNING count",
            [campaign_id, customer_id, limit, limit],
        )
        return cursor.fetchone() is not None


def coupons_expire_due(*, now: datetime | None = None) -> int:
    """Mark claims past their date EXPIRED (use is decided from ``expires_at`` anyway)."""
    now = now or timezone.now()
    return CouponClaim.objects.filter(status=CouponClaim.Status.AVAILABLE, expires_at__lte=now).update(
        status=CouponClaim.Status.EXPIRED
    )
