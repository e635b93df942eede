"""Target segments: one set-based query, only consenting active customers, the same answers as the
per-customer evaluation, and a deterministic holdout computed alike in SQL and in Python."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Branch, Consent, Customer, KycTier, LinkedCard
from accounts.selectors import customer_age_band
from payments.models import CustomerSpendCounter
from promotions.rules import AGE_BANDS, segment_parse
from promotions.selectors_segments import (
    customer_facts,
    holdout_bucket_sql,
    segment_matches,
    segment_qs,
    segment_size,
)
from promotions.versions import holdout_bucket
from tests.factories import BranchFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _consenting(**fields: object) -> Customer:
    customer = CustomerFactory(**fields)
    Consent.objects.create(customer=customer, purpose=Consent.Purpose.MARKETING, version="1")
    return customer


@pytest.fixture
def population() -> list[Customer]:
    """A mix over every criterion: born 1979-2003, both types, three tiers, two branches (one a
    sub-branch), old and new, with and without a card, spending this month, long ago or never."""
    parent = BranchFactory(code="SEGP")
    child = BranchFactory(code="SEGC", parent=parent)
    other = BranchFactory(code="SEGO")
    tiers = list(KycTier.objects.order_by("level"))
    now = timezone.now()
    this_month = timezone.localdate().replace(day=1)
    people = []
    for i, (year, kind, branch) in enumerate(
        itertools.product([1979, 1985, 1992, 1997, 2003], ["INDIVIDUAL", "SMALL_BUSINESS"], [parent, child, other])
    ):
        customer = _consenting(
            date_of_birth=date(year, 1 + i % 12, 1),
            customer_type=kind,
            home_branch=branch,
            kyc_tier=tiers[i % 3],
        )
        if i % 4 == 0:
            Customer.objects.filter(pk=customer.pk).update(created_at=now - timedelta(days=400))
        if i % 3 == 0:
            LinkedCard.objects.create(customer=customer, gateway_token=f"seg-{i}", bank_name="b", last4="0000")
        if i % 5 in (0, 1):
            month = this_month if i % 5 == 0 else date(2020, 1, 1)
            CustomerSpendCounter.objects.create(customer=customer, period="MONTH", period_start=month, spent_minor=100)
        people.append(customer)
    return people


SEGMENTS = [
    {},
    {"age_bands": ["post-90", "post-95"]},
    {"age_bands": ["post-80"], "customer_types": ["SMALL_BUSINESS"]},
    {"tenure": "NEW"},
    {"tenure": "EXISTING", "new_within_days": 100},
    {"home_branches": ["SEGP"]},
    {"home_branches": ["SEGC", "SEGO"], "kyc_tiers": [0, 2]},
    {"activity": "ACTIVE", "activity_months": 1},
    {"activity": "DORMANT"},
    {"card_linked": True},
    {"card_linked": False, "age_bands": ["post-00"], "kyc_tiers": [1]},
]


@pytest.mark.parametrize("document", SEGMENTS, ids=[str(s) for s in SEGMENTS])
def test_the_sql_and_the_per_customer_rules_agree(population, document) -> None:
    segment = segment_parse(document)

    in_sql = set(segment_qs(segment).values_list("pk", flat=True))
    in_python = {c.pk for c in population if segment_matches(segment, customer_facts(c.pk))}

    assert in_sql == in_python
    assert document == {} or 0 < len(in_sql) < len(population)  # each criterion really narrows


def test_only_active_customers_with_a_live_marketing_consent_are_reachable(population) -> None:
    withdrawn, frozen = population[0], population[1]
    Consent.objects.filter(customer=withdrawn).update(withdrawn_at=timezone.now())
    Customer.objects.filter(pk=frozen.pk).update(status=Customer.Status.FROZEN)
    silent = CustomerFactory()

    reached = set(segment_qs(segment_parse({})).values_list("pk", flat=True))

    assert reached == {c.pk for c in population} - {withdrawn.pk, frozen.pk}
    assert silent.pk not in reached
    assert not segment_matches(segment_parse({}), customer_facts(withdrawn.pk))


def test_age_bands_match_the_labels_the_admin_shows() -> None:
    for band, (start, end) in AGE_BANDS.items():
        assert customer_age_band(date(start, 1, 1)) == band
        assert customer_age_band(date(end - 1, 12, 31)) == band


def test_a_segment_is_counted_in_one_query(population, django_assert_num_queries) -> None:
    segment = segment_parse(
        {"age_bands": ["post-90"], "kyc_tiers": [1, 2], "activity": "ACTIVE", "card_linked": True, "tenure": "NEW"}
    )

    with django_assert_num_queries(1):
        counts = segment_size(segment, holdout_salt="x", holdout_bps=1000)

    assert counts["eligible"] == segment_qs(segment).count()


def test_the_holdout_bucket_is_the_same_in_sql_and_in_python(population) -> None:
    rows = segment_qs(segment_parse({})).annotate(bucket=holdout_bucket_sql("salt:7")).values_list("pk", "bucket")

    assert dict(rows) == {c.pk: holdout_bucket("salt:7", c.pk) for c in population}


def test_the_holdout_share_is_close_to_its_basis_points() -> None:
    buckets = [holdout_bucket("campaign:1", customer_id) for customer_id in range(1, 50_001)]

    share = sum(b < 1000 for b in buckets) / len(buckets)

    assert 0.095 < share < 0.105
    assert holdout_bucket("campaign:1", 42) == holdout_bucket("campaign:1", 42)
    assert [holdout_bucket("campaign:2", c) for c in range(1, 200)] != buckets[:199]


def test_a_branch_segment_includes_the_sub_branches(population) -> None:
    child = Branch.objects.get(code="SEGC")

    reached = segment_qs(segment_parse({"home_branches": ["SEGP"]}))

    assert reached.filter(home_branch=child).exists()
    assert not reached.exclude(home_branch__code__in=["SEGP", "SEGC"]).exists()
