"""Coupons: 80-bit codes generated in resumable chunks with progress, encrypted at rest; redemption
that answers every failure the same and counts attempts before comparing."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from celery import current_app
from django.db import connection

from core.models import AuditEvent
from promotions.errors import CouponUnavailable
from promotions.models import CouponBatch, CouponClaim
from promotions.services import coupons
from promotions.services.coupons import (
    ALPHABET,
    code_display,
    code_generate,
    code_normalize,
    coupon_batch_create,
    coupon_batch_generate,
    coupon_redeem,
)
from promotions.services.lifecycle import campaign_pause
from promotions.versions import in_holdout
from tests.factories import StaffFactory
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import shopper

pytestmark = pytest.mark.django_db

COUPON = {"kind": "COUPON", "benefit": {"discount": "5.00", "min_amount": "30.00"}}


@pytest.fixture
def eager() -> Iterator[None]:
    previous = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = previous


def _batch(campaign, quantity: int, per_code: int = 1) -> list[str]:
    """Generate a batch and return its codes (decrypted, as the audited export would)."""
    batch = coupon_batch_create(
        campaign_id=campaign.pk,
        by=StaffFactory(roles=["MARKETING"], branch=None),
        quantity=quantity,
        max_claims_per_code=per_code,
    )
    coupon_batch_generate(batch_id=batch.pk)  # what the job enqueued after commit does
    return [c.code for c in batch.coupons.order_by("pk")]


def test_codes_carry_80_random_bits_in_16_unambiguous_characters() -> None:
    codes = {code_generate() for _ in range(20_000)}

    assert len(codes) == 20_000
    assert all(len(c) == 16 and set(c) <= set(ALPHABET) for c in codes)
    assert len(ALPHABET) == 32 and not set("ILOU") & set(ALPHABET)  # 32**16 = 2**80


def test_what_a_customer_types_is_normalised() -> None:
    code = code_generate()

    assert code_normalize(code_display(code).lower()) == code
    assert code_normalize(" " + code.replace("0", "o").replace("1", "l") + " ") == code
    assert code_normalize(code[:-1]) is None and code_normalize(code + "U"[:0] + "!") is None


def test_a_batch_is_generated_in_chunks_with_progress_and_resumes(eager, monkeypatch) -> None:
    monkeypatch.setattr(coupons, "CHUNK", 40)
    campaign = campaign_running(**COUPON)
    batch = CouponBatch.objects.create(campaign=campaign, quantity=100, requested_by=StaffFactory())

    coupons._chunk(batch, 40)  # a worker that died after one chunk
    batch.refresh_from_db()
    assert (batch.generated_count, batch.status, batch.progress_percent) == (40, "GENERATING", 40)
    assert coupon_batch_generate(batch_id=batch.pk) is True
    assert coupon_batch_generate(batch_id=batch.pk) is True  # again: nothing more

    batch.refresh_from_db()
    assert (batch.generated_count, batch.status) == (100, "DONE")
    assert batch.coupons.count() == 100
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM promotions_coupon WHERE batch_id = %s LIMIT 1", [batch.pk])
        stored = cursor.fetchone()[0]
    assert stored not in {c.code for c in batch.coupons.all()}  # ciphertext at rest


def test_creating_a_batch_is_audited_and_enqueues_the_job(eager, django_capture_on_commit_callbacks) -> None:
    campaign = campaign_running(**COUPON)

    with django_capture_on_commit_callbacks(execute=True):
        batch = coupon_batch_create(
            campaign_id=campaign.pk, by=StaffFactory(roles=["MARKETING"], branch=None), quantity=25
        )

    batch.refresh_from_db()
    assert (batch.status, len({c.code for c in batch.coupons.all()})) == ("DONE", 25)
    assert AuditEvent.objects.filter(action="promotions.couponbatch.create").count() == 1


def test_a_code_is_claimed_once_and_every_failure_answers_the_same(eager) -> None:
    campaign = campaign_running(**COUPON)
    code = _batch(campaign, 1)[0]
    owner, other = shopper(), shopper()

    claim = coupon_redeem(customer=owner, code=code_display(code).lower())
    failures = []
    for customer, text in [(owner, code), (other, code), (other, code_generate()), (other, "not a code")]:
        with pytest.raises(CouponUnavailable) as exc:
            coupon_redeem(customer=customer, code=text)
        failures.append((exc.value.code, exc.value.status_code, exc.value.message))

    assert claim.customer == owner and claim.status == "AVAILABLE" and claim.expires_at == campaign.ends_at
    assert len(set(failures)) == 1
    assert CouponClaim.objects.count() == 1


def test_shared_codes_per_person_limits_segment_holdout_and_pause(eager) -> None:
    campaign = campaign_running(**COUPON, per_person_limit=1, holdout_bps=2000, segment={"kyc_tiers": [2]})
    shared, second = _batch(campaign, 2, per_code=100)
    people = [shopper() for _ in range(12)]
    while not any(in_holdout(campaign.version, c.pk) for c in people):  # ~7 % of draws hold out nobody
        people.append(shopper())
    while all(in_holdout(campaign.version, c.pk) for c in people):
        people.append(shopper())
    held = [c for c in people if in_holdout(campaign.version, c.pk)]
    eligible = [c for c in people if c not in held]
    assert held and eligible

    claimed = []
    for customer in people:
        with contextlib.suppress(CouponUnavailable):
            claimed.append(coupon_redeem(customer=customer, code=shared).customer)
    with pytest.raises(CouponUnavailable):  # a second coupon of the campaign: over the per-person limit
        coupon_redeem(customer=eligible[0], code=second)
    with pytest.raises(CouponUnavailable):  # tier 1 is outside the segment
        coupon_redeem(customer=shopper(kyc_tier_id=1), code=second)
    campaign_pause(campaign_id=campaign.pk, by=StaffFactory(roles=["MARKETING"], branch=None), reason="stop")
    with pytest.raises(CouponUnavailable):
        coupon_redeem(customer=shopper(), code=second)

    assert claimed == eligible


def test_failures_are_limited_per_customer_and_then_even_a_right_code_is_refused(eager, settings) -> None:
    settings.PROMOTIONS_COUPON_MAX_FAILURES_PER_HOUR = 3
    campaign = campaign_running(**COUPON)
    good = _batch(campaign, 1)[0]
    guesser = shopper()

    for _ in range(3):
        with pytest.raises(CouponUnavailable):
            coupon_redeem(customer=guesser, code=code_generate())
    with pytest.raises(CouponUnavailable):
        coupon_redeem(customer=guesser, code=good)

    assert not CouponClaim.objects.exists()
    assert coupon_redeem(customer=shopper(), code=good).coupon.campaign == campaign  # others are not affected
