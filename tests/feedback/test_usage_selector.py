"""``feature_usage``: exact counts of each feature's uses and users per segment and per branch, in
the window only, from customer-initiated ledger transfers and redeemed coupons."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Customer, StaffRole
from core.money import Money
from feedback.selectors_usage import FEATURES, FeatureUsage, feature_usage, usage_pivot
from payments.ledger import Leg, system_account, transfer_post, wallet_get_or_create
from payments.models import LedgerAccount
from tests.accounts.conftest import admin_client_for
from tests.factories import BranchFactory, StaffFactory
from tests.feedback.fixtures_messages import _messages_reference_data, customer, pushed  # noqa: F401

pytestmark = pytest.mark.django_db


def _use(who: Customer | None, kind: str, *, wallet_of: Customer | None = None, minor: int = 1_00) -> None:
    settlement = system_account(LedgerAccount.Kind.SETTLEMENT, "CNY")
    owner = who or wallet_of
    assert owner is not None
    wallet = wallet_get_or_create(customer=owner, currency="CNY")
    amount = Money(minor, "CNY")
    legs = (
        [Leg(settlement, -amount), Leg(wallet, amount)]
        if kind in ("TOPUP", "REWARD")
        else [
            Leg(wallet, -amount),
            Leg(settlement, amount),
        ]
    )
    with transaction.atomic():
        transfer_post(kind=kind, legs=legs, initiated_by=who)


def _coupon_used(who: Customer) -> None:
    from promotions.models import CouponClaim
    from promotions.services.coupons import coupon_batch_create, coupon_batch_generate, coupon_redeem
    from tests.promotions.factories import campaign_running

    campaign = campaign_running(kind="COUPON", benefit={"discount": "5.00"})
    batch = coupon_batch_create(campaign_id=campaign.pk, by=StaffFactory(roles=["MARKETING"], branch=None), quantity=1)
    coupon_batch_generate(batch_id=batch.pk)
    claim = coupon_redeem(customer=who, code=batch.coupons.get().code)
    # What the payment that applies the coupon records (promotions' quote hook).
    CouponClaim.objects.filter(pk=claim.pk).update(status="USED", used_at=timezone.now())


@pytest.fixture
def world() -> dict[str, Any]:
    x, y = BranchFactory(code="BX"), BranchFactory(code="BY")
    a = customer(branch=x, consent=True)  # a coupon is claimed by a customer marketing may reach
    b = customer(branch=y)
    c = customer(branch=x, customer_type=Customer.Type.SMALL_BUSINESS)
    before = customer(branch=x)
    _use(before, "TOPUP")  # before the window
    for funded in (a, b, c):
        _use(None, "REWARD", wallet_of=funded, minor=100_00)  # money to spend; no customer feature
    since = timezone.now()
    for who, kind in [
        (a, "TOPUP"),
        (a, "TOPUP"),
        (a, "P2P"),
        (b, "TOPUP"),
        (b, "MERCHANT_PAYMENT"),
        (c, "TOPUP"),
        (c, "BILL_PAYMENT"),
        (c, "MERCHANT_PAYMENT"),
        (c, "MERCHANT_PAYMENT"),
    ]:
        _use(who, kind)
    _use(None, "REWARD", wallet_of=a)  # the bank's movement: no customer used a feature
    _coupon_used(a)
    until = timezone.now()
    _use(b, "P2P")  # after the window
    return {"since": since, "until": until, "x": x, "y": y}


def test_usage_by_segment_counts_each_feature_exactly(world: dict[str, Any]) -> None:
    rows = feature_usage(since=world["since"], until=world["until"], group_by="segment")

    assert rows == [
        FeatureUsage("INDIVIDUAL", "TOP_UP", 3, 2),
        FeatureUsage("INDIVIDUAL", "QR_PAYMENT", 1, 1),
        FeatureUsage("INDIVIDUAL", "P2P_TRANSFER", 1, 1),
        FeatureUsage("INDIVIDUAL", "COUPON_REDEEMED", 1, 1),
        FeatureUsage("SMALL_BUSINESS", "TOP_UP", 1, 1),
        FeatureUsage("SMALL_BUSINESS", "QR_PAYMENT", 2, 1),
        FeatureUsage("SMALL_BUSINESS", "BILL_PAYMENT", 1, 1),
    ]


def test_usage_by_branch_and_for_one_branch_only(world: dict[str, Any]) -> None:
    rows = feature_usage(since=world["since"], until=world["until"], group_by="branch")
    only_y = feature_usage(since=world["since"], until=world["until"], group_by="branch", branch_ids={world["y"].pk})

    assert rows == [
        FeatureUsage("BX", "TOP_UP", 3, 2),
        FeatureUsage("BX", "QR_PAYMENT", 2, 1),
        FeatureUsage("BX", "P2P_TRANSFER", 1, 1),
        FeatureUsage("BX", "BILL_PAYMENT", 1, 1),
        FeatureUsage("BX", "COUPON_REDEEMED", 1, 1),
        FeatureUsage("BY", "TOP_UP", 1, 1),
        FeatureUsage("BY", "QR_PAYMENT", 1, 1),
    ]
    assert only_y == [FeatureUsage("BY", "TOP_UP", 1, 1), FeatureUsage("BY", "QR_PAYMENT", 1, 1)]
    pivot = dict(usage_pivot(only_y))
    assert pivot["BY"][FEATURES.index("TOP_UP")] == (1, 1) and pivot["BY"][FEATURES.index("FX")] == (0, 0)


def test_an_empty_or_inverted_window_counts_nothing_and_a_bad_group_is_refused() -> None:
    now = timezone.now()

    assert feature_usage(since=now, until=now - timedelta(days=1)) == []
    with pytest.raises(ValueError):
        feature_usage(since=now - timedelta(days=1), until=now, group_by="age")  # type: ignore[arg-type]


def test_the_usage_page_shows_a_branch_manager_their_branch_only(world: dict[str, Any]) -> None:
    manager = StaffFactory(roles=[StaffRole.BRANCH_MANAGER], branch=world["y"])
    teller = StaffFactory(roles=[StaffRole.TELLER], branch=world["y"])
    query = {
        "since": timezone.localtime(world["since"]).strftime("%Y-%m-%d %H:%M:%S"),
        "until": timezone.localtime(world["until"] + timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S"),
        "group_by": "branch",
    }

    page = admin_client_for(manager).get("/admin/feedback/message/feature-usage/", query)
    refused = admin_client_for(teller).get("/admin/feedback/message/feature-usage/", query)

    assert page.status_code == 200
    assert [group for group, _cells in page.context["rows"]] == ["BY"]
    assert refused.status_code == 403
