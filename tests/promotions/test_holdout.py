"""The holdout: a deterministic share of each version's eligible customers, recorded with the
version at the start (set-based) and whenever one qualifies later, and never rewarded."""

from __future__ import annotations

import pytest

from promotions.models import HoldoutMember, RewardGrant
from promotions.services.holdout import holdout_record_segment
from promotions.versions import in_holdout
from tests.factories import CustomerFactory
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import balance, deliver, merchant, pay, shopper

pytestmark = pytest.mark.django_db


def test_the_start_records_the_segments_holdout_in_one_statement() -> None:
    people = [shopper("1.00") for _ in range(40)]
    CustomerFactory()  # no consent: outside every segment

    campaign = campaign_running(holdout_bps=5000)

    expected = {c.pk for c in people if in_holdout(campaign.version, c.pk)}
    assert 5 < len(expected) < 35
    assert set(HoldoutMember.objects.filter(version=campaign.version).values_list("customer_id", flat=True)) == expected
    assert holdout_record_segment(campaign.version) == 0  # a second run records nothing new


def test_a_held_out_customer_is_never_rewarded_and_is_recorded() -> None:
    shop = merchant()
    campaign = campaign_running(holdout_bps=5000)
    held, rewarded = None, None
    while held is None or rewarded is None:
        customer = shopper()
        if in_holdout(campaign.version, customer.pk):
            held = held or customer
        else:
            rewarded = rewarded or customer

    for customer in (held, rewarded):
        _payment, event = pay(customer, shop, "50.00")
        deliver(event)

    assert balance(held) == 1000_00 - 50_00
    assert balance(rewarded) == 1000_00 - 50_00 + 5_00
    grant = RewardGrant.objects.get(customer=held)
    assert (grant.status, grant.skip_reason) == ("SKIPPED", "holdout")
    assert HoldoutMember.objects.filter(version=campaign.version, customer=held).exists()
    assert not HoldoutMember.objects.filter(version=campaign.version, customer=rewarded).exists()


def test_the_holdout_belongs_to_the_version() -> None:
    first, second = campaign_running(holdout_bps=1000), campaign_running(holdout_bps=1000)
    ids = range(1, 2001)

    in_first = {i for i in ids if in_holdout(first.version, i)}
    in_second = {i for i in ids if in_holdout(second.version, i)}

    assert in_first != in_second
    assert 150 < len(in_first) < 250


def test_a_segment_whose_branch_is_gone_starts_with_nobody_held_out() -> None:
    """A branch named by an approved segment that was renamed or closed since makes the segment's
    query ``home_branch_id IN ()``: the start must record nobody, not fail (review of stop 20, the
    same shape as the message fan-out's finding)."""
    from accounts.models import Branch
    from promotions.services.lifecycle import campaign_start
    from tests.factories import BranchFactory

    branch = BranchFactory(code="GONE01")
    campaign = campaign_running(start=False, holdout_bps=5000, segment={"home_branches": [branch.code]})
    Branch.objects.filter(pk=branch.pk).update(code="RENAMED1")

    campaign_start(campaign_id=campaign.pk)

    assert holdout_record_segment(campaign.version) == 0
    assert not HoldoutMember.objects.filter(version=campaign.version).exists()
