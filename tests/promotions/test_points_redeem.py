"""Points redemption for cash: POST /api/v1/promotions/points/redeem. Whole steps at the fixed
rate, lots taken soonest expiry first under row locks, idempotent by Idempotency-Key, never below
zero (8 parallel redemptions of a balance for 3 -> exactly 3), shown as REDEEMED in the history,
and a refund after redemption claws back without overdraft (shortfall recorded)."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from payments.ledger.verify import ledger_verify
from payments.models import Transfer
from promotions.models import PointsLot, PointsRedemption, RewardGrant
from promotions.services.payouts import points_expire_due
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client
from tests.payments.test_concurrency import run_threads
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import (
    REFUND_CONSUMER,
    balance,
    deliver,
    ledger_accounts_never_negative,
    merchant,
    pay,
    refund,
    shopper,
)

URL = "/api/v1/promotions/points/redeem"


def _points_campaign(days: int = 90) -> Any:
    return campaign_running(
        kind="POINTS",
        benefit={"points_per_yuan": 2, "max_points": 100_000, "expire_after_days": days},
        budget_minor=100_000,
    )


def _earn(customer: Any, amount: str) -> Any:
    payment, event = pay(customer, merchant(), amount)
    assert deliver(event)
    return payment


def _redeem(client: Any, points: Any, key: str | None = None, for_: Any = "CASH", pin: str = PAYMENT_PIN) -> Any:
    return client.post(
        URL, {"points": points, "for": for_, "pin": pin}, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4())
    )


@pytest.mark.django_db
def test_points_are_redeemed_for_cash_soonest_expiry_first_and_shown_as_redeemed() -> None:
    later, sooner = _points_campaign(90), _points_campaign(30)
    customer = shopper()
    _earn(customer, "50.00")  # 100 points from each campaign: lots of 100 (30 days) and 100 (90 days)
    assert balance(customer, "PTS") == 200
    cash_before = balance(customer)
    client = customer_client(customer)

    response = _redeem(client, 100)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["for"] == "CASH" and body["points"] == 100
    assert body["cash"] == {"amount": "1.00", "currency": "CNY"}
    assert body["points_balance"] == {"amount": "100", "currency": "PTS"}
    assert balance(customer, "PTS") == 100 and balance(customer) == cash_before + 1_00
    lots = {lot.grant.campaign_id: lot.remaining for lot in PointsLot.objects.select_related("grant")}
    assert lots == {sooner.pk: 0, later.pk: 100}  # the lot expiring first was used
    redemption = PointsRedemption.objects.get()
    assert redemption.lots == [[PointsLot.objects.get(grant__campaign=sooner).pk, 100]]
    history = client.get("/api/v1/promotions/points").json()["history"]
    assert history[0]["type"] == "REDEEMED" and history[0]["points"] == -100
    assert history[0]["transfer_id"] == body["points_transfer_id"]
    # expiring the used lot later expires nothing more
    assert points_expire_due(now=timezone.now() + timedelta(days=31)) == 0
    assert balance(customer, "PTS") == 100
    assert ledger_verify().ok


@pytest.mark.django_db
def test_a_retry_with_the_same_key_answers_the_same_and_moves_nothing_twice() -> None:
    _points_campaign()
    customer = shopper()
    _earn(customer, "100.00")  # 200 points
    client = customer_client(customer)

    first = _redeem(client, 100, key="redeem-1")
    again = _redeem(client, 100, key="redeem-1")
    other_body = _redeem(client, 200, key="redeem-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert other_body.status_code == 422 and other_body.json()["code"] == "idempotency_key_reused"
    assert balance(customer, "PTS") == 100
    assert PointsRedemption.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("points", "for_", "code"),
    [
        (150, "CASH", "points_amount_invalid"),  # not a whole step
        (50, "CASH", "points_amount_invalid"),  # below one step
        (0, "CASH", "invalid_request"),
        ("lots", "CASH", "invalid_request"),
        (100, "COUPON", "invalid_request"),  # not offered yet
        (100, None, "invalid_request"),
    ],
    ids=["not-whole-steps", "below-one-step", "zero", "not-a-number", "coupon", "no-for"],
)
def test_bad_input_is_a_clear_400_and_moves_nothing(points: Any, for_: Any, code: str) -> None:
    _points_campaign()
    customer = shopper()
    _earn(customer, "100.00")

    response = _redeem(customer_client(customer), points, for_=for_)

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert balance(customer, "PTS") == 200 and not PointsRedemption.objects.exists()


@pytest.mark.django_db
def test_more_points_than_i_have_or_expired_points_are_refused_and_nothing_moves() -> None:
    _points_campaign(days=1)
    customer = shopper()
    _earn(customer, "100.00")  # 200 points, due tomorrow
    client = customer_client(customer)
    cash = balance(customer)

    too_many = _redeem(client, 300)
    assert too_many.status_code == 422 and too_many.json()["code"] == "points_insufficient"

    PointsLot.objects.update(expires_at=timezone.now() - timedelta(minutes=1))  # due, expiry job not run yet
    due = _redeem(client, 100)
    assert due.status_code == 422 and due.json()["code"] == "points_insufficient"
    assert balance(customer, "PTS") == 200 and balance(customer) == cash
    assert not Transfer.objects.filter(kind="POINTS").exists()
    assert _redeem(customer_client(shopper()), 100).json()["code"] == "points_insufficient"  # no points wallet


@pytest.mark.django_db
def test_a_refund_after_the_points_were_redeemed_claws_back_what_is_left_and_records_the_shortfall() -> None:
    _points_campaign()
    customer = shopper()
    payment = _earn(customer, "100.00")  # 200 points
    assert _redeem(customer_client(customer), 200).status_code == 201

    deliver(refund(payment, "100.00"), REFUND_CONSUMER)

    grant = RewardGrant.objects.get()
    assert (grant.clawed_back_minor, grant.clawback_shortfall_minor) == (0, 200)
    assert balance(customer, "PTS") == 0
    assert ledger_accounts_never_negative() and ledger_verify().ok


@pytest.mark.django_db
def test_a_clawback_of_a_lot_already_redeemed_takes_the_points_from_the_other_lots() -> None:
    """Redemption used the refunded payment's lot (it expired first); the clawback takes the points
    the wallet still has, off the other lot, so lots never promise more than the wallet."""
    _points_campaign(90)
    customer = shopper()
    _earn(customer, "50.00")  # lot A: 100 points, 90 days
    _points_campaign(30)
    refunded = _earn(customer, "50.00")  # lot B: 100 (30 days) + 100 more on A's campaign
    assert balance(customer, "PTS") == 300
    assert _redeem(customer_client(customer), 100).status_code == 201  # takes lot B (soonest)

    deliver(refund(refunded, "50.00"), REFUND_CONSUMER)

    assert balance(customer, "PTS") == 0  # 200 of the refunded payment back, from what was left
    assert sum(PointsLot.objects.values_list("remaining", flat=True)) == 0
    assert ledger_accounts_never_negative() and ledger_verify().ok


@pytest.mark.django_db(transaction=True)
def test_eight_parallel_redemptions_of_a_balance_for_three_give_exactly_three() -> None:
    _points_campaign()
    customer = shopper()
    _earn(customer, "150.00")  # 300 points: three redemptions of 100
    clients = [customer_client(customer) for _ in range(8)]
    cash = balance(customer)

    def redeem(i: int) -> str:
        response = _redeem(clients[i], 100)
        return "ok" if response.status_code == 201 else f"{response.status_code} {response.json()['code']}"

    outcomes = run_threads(8, redeem)

    assert outcomes == Counter({"ok": 3, "422 points_insufficient": 5})
    assert balance(customer, "PTS") == 0 and balance(customer) == cash + 3_00
    assert PointsRedemption.objects.count() == 3
    assert sum(PointsLot.objects.values_list("remaining", flat=True)) == 0
    assert ledger_accounts_never_negative()
    assert ledger_verify().ok


@pytest.mark.django_db
def test_a_wrong_pin_or_no_idempotency_key_is_refused_and_moves_nothing() -> None:
    _points_campaign()
    customer = shopper()
    _earn(customer, "100.00")
    client = customer_client(customer)

    wrong = _redeem(client, 100, pin="000000")
    no_key = client.post(URL, {"points": 100, "for": "CASH", "pin": PAYMENT_PIN}, format="json")

    assert wrong.status_code == 403 and wrong.json()["code"] == "payment_pin_invalid"
    assert no_key.status_code == 400 and no_key.json()["code"] == "idempotency_key_missing"
    assert balance(customer, "PTS") == 200 and not PointsRedemption.objects.exists()
