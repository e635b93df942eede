"""Instant benefits inside the payment (issue 12): the quote reads, the payment's one statement takes
(campaign claim, per-person counter, coupon, first-order marker by identity, budgets under lock), all
rolled back with the payment; stacking is recorded and shown; refunds give every funder its share
back; the ledger verifies clean afterwards."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.money import Money
from payments.errors_movements import CouponNotApplicable
from payments.ledger import account_balance
from payments.ledger.verify import ledger_verify
from payments.models import LedgerAccount, MerchantPayment, Transfer
from payments.services.campaign_budget import campaign_budget_return
from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
from promotions.models import Campaign, CouponClaim, FirstOrderUse, HoldoutMember, InstantBenefit
from promotions.selectors_instant import quote_cache_clear
from promotions.selectors_settlement import merchant_settlement, merchant_settlement_csv
from promotions.services.coupons import coupon_batch_create, coupon_batch_generate, coupon_redeem
from promotions.services.lifecycle import campaign_pause
from tests.factories import StaffFactory
from tests.payments.test_concurrency import run_threads
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import balance, budget, ledger_accounts_never_negative, merchant, refund, shopper

pytestmark = pytest.mark.django_db(transaction=True)

THRESHOLD = {
    "kind": "SPEND_THRESHOLD",
    "conditions": {"payment_types": ["MERCHANT"]},
    "benefit": {"tiers": [{"threshold": "30.00", "discount": "5.00"}, {"threshold": "50.00", "discount": "10.00"}]},
}


@pytest.fixture(autouse=True)
def _quote_on(settings: Any) -> None:
    settings.PAYMENTS_PROMOTIONS_QUOTE = "promotions.selectors_instant.promotions_quote"
    quote_cache_clear()


def _pay(customer: Any, shop: Any, amount: str, coupon: str | None = None) -> MerchantPayment:
    return merchant_payment_create(
        customer=customer, qr=merchant_static_qr(shop), amount=Money.parse(amount, "CNY"), coupon=coupon
    )


def _merchant_posted(shop: Any) -> int:
    account = LedgerAccount.objects.get(code=shop.ledger_account_code("CNY"))
    return account_balance(account).posted.minor


def _benefits(payment: MerchantPayment) -> list[tuple[str, str, str]]:
    transfer = Transfer.objects.get(pk=payment.transfer.pk)
    return [(b["kind"], b["status"], b["reason"]) for b in transfer.metadata.get("benefits", [])]


def test_a_spend_threshold_discount_is_funded_by_the_budget_in_the_payment_itself() -> None:
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("100.00"), merchant()

    payment = _pay(customer, shop, "56.00")

    assert (payment.discount_minor, payment.customer_paid_minor) == (10_00, 46_00)
    assert balance(customer) == 100_00 - 46_00
    assert _merchant_posted(shop) == 56_00
    assert budget(campaign) == (1_000_00 - 10_00, 0, 1_000_00 - 10_00)
    benefit = InstantBenefit.objects.get()
    assert (benefit.campaign_id, benefit.amount_minor, benefit.bank_minor, benefit.merchant_minor) == (
        campaign.pk,
        10_00,
        10_00,
        0,
    )
    assert _benefits(payment) == [("SPEND_THRESHOLD", "APPLIED", "")]
    campaign.refresh_from_db()
    assert campaign.granted_count == 1
    assert ledger_verify().ok


def test_below_every_threshold_nothing_is_taken() -> None:
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("100.00"), merchant()

    payment = _pay(customer, shop, "20.00")

    assert payment.discount_minor == 0
    assert _benefits(payment) == []  # not eligible: not "skipped"
    campaign.refresh_from_db()
    assert campaign.granted_count == 0
    assert not InstantBenefit.objects.exists()


def test_stacking_one_per_group_and_an_exclusive_campaign_alone() -> None:
    first = campaign_running(**THRESHOLD, stacking_group="DINING", priority=5)
    campaign_running(kind="LIMITED_TIME", benefit={"discount": "3.00"}, stacking_group="DINING", priority=1)
    other = campaign_running(kind="LIMITED_TIME", benefit={"discount": "2.00"}, stacking_group="OTHER", priority=0)
    customer, shop = shopper("100.00"), merchant()

    payment = _pay(customer, shop, "60.00")

    assert payment.discount_minor == 10_00 + 2_00
    assert sorted(_benefits(payment)) == [
        ("LIMITED_TIME", "APPLIED", ""),
        ("LIMITED_TIME", "SKIPPED", "stacking_group"),
        ("SPEND_THRESHOLD", "APPLIED", ""),
    ]
    assert set(InstantBenefit.objects.values_list("campaign_id", flat=True)) == {first.pk, other.pk}
    refund(payment, "60.00")  # a full refund returns each budget exactly its part
    assert budget(first)[0] == 1_000_00 and budget(other)[0] == 1_000_00
    assert balance(customer) == 100_00
    assert ledger_verify().ok


def test_a_co_funded_discount_debits_the_merchant_share_and_refunds_return_it_pro_rata() -> None:
    shop = merchant()
    campaign = campaign_running(
        kind="CO_FUNDED",
        benefit={"percent": "10", "cap": "20.00"},
        merchant=shop,
        merchant_share_bps=4000,
    )
    customer = shopper("200.00")

    payment = _pay(customer, shop, "100.00")

    assert payment.discount_minor == 10_00
    assert balance(customer) == 200_00 - 90_00
    assert _merchant_posted(shop) == 100_00 - 4_00  # the merchant funds 40 % of the discount
    assert budget(campaign)[0] == 1_000_00 - 6_00
    benefit = InstantBenefit.objects.get()
    assert (benefit.bank_minor, benefit.merchant_minor, benefit.merchant_id) == (6_00, 4_00, shop.pk)

    refund(payment, "50.00")
    assert balance(customer) == 110_00 + 45_00
    assert budget(campaign)[0] == 1_000_00 - 3_00
    assert _merchant_posted(shop) == 96_00 - 48_00
    refund(payment, "50.00")
    assert (balance(customer), budget(campaign)[0], _merchant_posted(shop)) == (200_00, 1_000_00, 0)
    assert ledger_verify().ok

    now = timezone.now()
    rows = merchant_settlement(since=now - timedelta(hours=1), until=now + timedelta(hours=1))
    assert [
        (r.payments, r.discount_minor, r.bank_minor, r.merchant_minor, r.merchant_returned_minor) for r in rows
    ] == [(1, 10_00, 6_00, 4_00, 4_00)]
    assert merchant_settlement_csv(rows).splitlines()[1].endswith(",1,10.00,6.00,4.00,4.00,0.00,6.00")


def _coupon_for(customer: Any, campaign: Campaign) -> CouponClaim:
    batch = coupon_batch_create(campaign_id=campaign.pk, by=StaffFactory(roles=["MARKETING"], branch=None), quantity=1)
    coupon_batch_generate(batch_id=batch.pk)
    return coupon_redeem(customer=customer, code=batch.coupons.get().code)


COUPON = {"kind": "COUPON", "benefit": {"discount": "5.00", "min_amount": "30.00"}}


def test_a_named_coupon_is_applied_once_and_marked_used_with_the_payment() -> None:
    campaign = campaign_running(**COUPON)
    customer, shop = shopper("100.00"), merchant()
    claim = _coupon_for(customer, campaign)

    payment = _pay(customer, shop, "40.00", coupon=str(claim.public_id))

    claim.refresh_from_db()
    assert (payment.discount_minor, claim.status) == (5_00, "USED")
    assert claim.used_transfer_public_id == payment.transfer.public_id
    with pytest.raises(CouponNotApplicable) as exc:
        _pay(customer, shop, "40.00", coupon=str(claim.public_id))
    assert exc.value.details == {"reason": "coupon_unavailable"}


def test_someone_elses_coupon_or_one_below_its_minimum_is_refused_and_nothing_moves() -> None:
    campaign = campaign_running(**COUPON)
    owner, thief, shop = shopper("100.00"), shopper("100.00"), merchant()
    claim = _coupon_for(owner, campaign)
    transfers = Transfer.objects.count()

    with pytest.raises(CouponNotApplicable) as stolen:
        _pay(thief, shop, "40.00", coupon=str(claim.public_id))
    with pytest.raises(CouponNotApplicable) as small:
        _pay(owner, shop, "20.00", coupon=str(claim.public_id))

    assert stolen.value.details == {"reason": "unavailable"}
    assert small.value.details == {"reason": "below_min_amount"}
    assert Transfer.objects.count() == transfers
    claim.refresh_from_db()
    assert claim.status == "AVAILABLE"


FIRST = {"kind": "FIRST_ORDER", "benefit": {"discount": "8.00"}}


def test_first_order_is_once_per_identity_across_two_accounts_of_the_same_person() -> None:
    campaign = campaign_running(**FIRST)
    shop = merchant()
    old = shopper("100.00", national_id_index="person-1")
    unverified = shopper("100.00")

    first = _pay(old, shop, "30.00")
    again = _pay(old, shop, "30.00")
    # The same person opens a second account (the identity moves with them: the first account
    # gave it up); their first payment there is not a first order any more.
    type(old).objects.filter(pk=old.pk).update(national_id_index=None)
    new = shopper("100.00", national_id_index="person-1")
    second_account = _pay(new, shop, "30.00")
    nobody = _pay(unverified, shop, "30.00")

    assert [p.discount_minor for p in (first, again, second_account, nobody)] == [8_00, 0, 0, 0]
    assert _benefits(again) == [("FIRST_ORDER", "SKIPPED", "first_order_used")]
    assert _benefits(second_account) == [("FIRST_ORDER", "SKIPPED", "first_order_used")]
    assert _benefits(nobody) == []  # not a verified person: not eligible
    assert FirstOrderUse.objects.filter(campaign=campaign).count() == 1


_DRAIN: dict[str, Any] = {}


def draining_quote(ctx: Any) -> Any:
    """The real quote; the first time, the budget is emptied right after it read it."""
    from promotions.selectors_instant import promotions_quote

    quote = promotions_quote(ctx)
    if not _DRAIN["calls"]:
        with transaction.atomic():
            campaign_budget_return(code=_DRAIN["code"], reference="drain")
    _DRAIN["calls"].append(1)
    return quote


def test_a_budget_spent_between_quote_and_payment_gives_a_payment_without_the_discount(settings: Any) -> None:
    """The quote saw the budget; before the statement ran it was emptied: the statement takes
    nothing (promotion_changed), the service quotes again and the customer pays the full amount,
    exactly what the answer says."""
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("100.00"), merchant()
    _DRAIN.update(code=campaign.budget_account_code, calls=[])
    calls = _DRAIN["calls"]
    settings.PAYMENTS_PROMOTIONS_QUOTE = "tests.promotions.test_instant.draining_quote"

    payment = _pay(customer, shop, "60.00")

    assert len(calls) == 2
    assert payment.discount_minor == 0
    assert balance(customer) == 40_00
    assert _benefits(payment) == [("SPEND_THRESHOLD", "SKIPPED", "budget_exhausted")]
    campaign.refresh_from_db()
    assert campaign.granted_count == 0  # the claim rolled back with the refused attempt
    assert not InstantBenefit.objects.exists()


def test_a_paused_campaign_stops_discounting_at_once() -> None:
    campaign = campaign_running(**THRESHOLD)
    campaign_pause(campaign_id=campaign.pk, by=StaffFactory(roles=["MARKETING"], branch=None), reason="stop")

    payment = _pay(shopper("100.00"), merchant(), "60.00")

    assert payment.discount_minor == 0


def test_the_holdout_is_never_discounted_and_is_recorded() -> None:
    campaign = campaign_running(**THRESHOLD, holdout_bps=5000)
    shop = merchant()
    results = [(c, _pay(c, shop, "60.00")) for c in (shopper("100.00") for _ in range(12))]

    held = [c for c, p in results if ("SPEND_THRESHOLD", "SKIPPED", "holdout") in _benefits(p)]
    assert held and all(p.discount_minor == 0 for c, p in results if c in held)
    assert set(HoldoutMember.objects.filter(version=campaign.version).values_list("customer_id", flat=True)) >= {
        c.pk for c in held
    }


# --- races -----------------------------------------------------------------------------------------
K, N = 4, 12


def test_a_budget_for_k_discounts_gives_exactly_k_to_n_simultaneous_payments() -> None:
    campaign = campaign_running(kind="LIMITED_TIME", benefit={"discount": "5.00"}, budget_minor=K * 5_00)
    shop = merchant()
    customers = [shopper("100.00") for _ in range(N)]

    outcomes = run_threads(N, lambda i: f"discount {_pay(customers[i], shop, '30.00').discount_minor}")

    assert outcomes == Counter({"discount 500": K, "discount 0": N - K})
    assert budget(campaign) == (0, 0, 0)
    assert InstantBenefit.objects.filter(campaign=campaign).count() == K
    campaign.refresh_from_db()
    assert campaign.granted_count == K
    assert campaign.budget_exhausted_at is not None  # it leaves the offers
    assert sum(100_00 - balance(c) for c in customers) == K * 25_00 + (N - K) * 30_00
    assert _merchant_posted(shop) == N * 30_00
    assert ledger_accounts_never_negative()
    assert ledger_verify().ok


def test_one_coupon_used_by_eight_simultaneous_payments_is_applied_once() -> None:
    campaign = campaign_running(**COUPON)
    customer, shop = shopper("1000.00"), merchant()
    claim = _coupon_for(customer, campaign)

    outcomes = run_threads(
        8, lambda i: f"discount {_pay(customer, shop, '40.00', str(claim.public_id)).discount_minor}"
    )

    assert outcomes == Counter({"discount 500": 1, "coupon_not_applicable": 7})
    assert InstantBenefit.objects.filter(campaign=campaign).count() == 1
    assert balance(customer) == 1000_00 - 35_00
    assert budget(campaign)[0] == 1_000_00 - 5_00
    assert ledger_verify().ok


def test_first_order_raced_by_one_person_applies_once() -> None:
    campaign_running(**FIRST)
    shop = merchant()
    person = shopper("1000.00", national_id_index="person-race")

    outcomes = run_threads(6, lambda i: f"discount {_pay(person, shop, '30.00').discount_minor}")

    assert outcomes == Counter({"discount 800": 1, "discount 0": 5})
    assert FirstOrderUse.objects.count() == 1


def test_the_quote_is_one_query_once_the_versions_are_compiled(django_assert_max_num_queries: Any) -> None:
    """The compiled rules are cached per version: a quote is then one statement."""
    from payments.interfaces import PaymentContext
    from promotions.selectors_instant import promotions_quote

    campaign_running(**THRESHOLD)
    shop = merchant()
    customer = shopper("100.00")
    ctx = PaymentContext(
        customer=customer,
        kind="MERCHANT_PAYMENT",
        amount=Money.parse("60.00", "CNY"),
        merchant_id=str(shop.public_id),
        metadata={"mcc": shop.mcc, "merchant_pk": shop.pk},
    )
    promotions_quote(ctx)  # compiles the version once per process

    with django_assert_max_num_queries(1):
        quote = promotions_quote(ctx)

    assert quote.discount == Money.parse("10.00", "CNY")
    assert connection.connection is not None


def test_a_reversal_gives_every_funder_its_share_back() -> None:
    from payments.ledger import transfer_reverse

    shop = merchant()
    campaign = campaign_running(
        kind="CO_FUNDED", benefit={"percent": "10", "cap": "20.00"}, merchant=shop, merchant_share_bps=2500
    )
    customer = shopper("100.00")
    payment = _pay(customer, shop, "80.00")

    with transaction.atomic():
        transfer_reverse(transfer=Transfer.objects.get(pk=payment.transfer.pk), reason_code="CUSTOMER_DISPUTE")

    assert (balance(customer), budget(campaign)[0], _merchant_posted(shop)) == (100_00, 1_000_00, 0)
    assert ledger_verify().ok
