"""The instant quote's per-process cache of each merchant's offers (promotions 0015,
``promotions.selectors_instant_offers``): a pause is seen by the very next payment with the cache
warm, and the payment's statement refuses a cached campaign paused after the quote; a started or
resumed campaign is seen at once; one merchant's campaigns never reach another's payments; the
schedule is checked at the moment of use; the counter moves on campaign changes only, never on
payments; a quote with nothing that may apply reads the counter alone."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from core.money import Money
from payments.interfaces import PaymentContext
from payments.models import MerchantPayment
from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
from promotions import selectors_instant, selectors_instant_offers
from promotions.models import Campaign, InstantBenefit
from promotions.selectors_instant import promotions_quote, quote_cache_clear
from promotions.selectors_instant_offers import _OFFERS
from promotions.services.lifecycle import campaign_pause, campaign_resume
from tests.factories import StaffFactory
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import merchant, shopper

pytestmark = pytest.mark.django_db(transaction=True)

THRESHOLD = {
    "kind": "SPEND_THRESHOLD",
    "conditions": {"payment_types": ["MERCHANT"]},
    "benefit": {"tiers": [{"threshold": "30.00", "discount": "5.00"}, {"threshold": "50.00", "discount": "10.00"}]},
}


@pytest.fixture(autouse=True)
def _quote_on(settings: Any) -> None:
    settings.PAYMENTS_PROMOTIONS_QUOTE = "promotions.selectors_instant.promotions_quote"
    settings.PROMOTIONS_OFFERS_RECHECK_MS = 0  # exact: the counter read on every quote (one test sets it)
    quote_cache_clear()


def _pay(customer: Any, shop: Any, amount: str = "60.00") -> MerchantPayment:
    return merchant_payment_create(customer=customer, qr=merchant_static_qr(shop), amount=Money.parse(amount, "CNY"))


def _ctx(customer: Any, shop: Any, amount: str = "60.00", **metadata: Any) -> PaymentContext:
    return PaymentContext(
        customer=customer,
        kind="MERCHANT_PAYMENT",
        amount=Money.parse(amount, "CNY"),
        merchant_id=str(shop.public_id),
        metadata={"mcc": shop.mcc, "merchant_pk": shop.pk, **metadata},
    )


def _counter() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM promotions_quotestate WHERE id = 1")
        return int(cursor.fetchone()[0])


def _marketing() -> Any:
    return StaffFactory(roles=["MARKETING"], branch=None)


def _cached(shop: Any) -> set[int]:
    """The campaign ids this process holds as the shop's offers."""
    return {o.campaign_id for key, offers in _OFFERS.items() if key[0] == shop.pk for o in offers.offers}


# --- pausing is instant ------------------------------------------------------------------------------
def test_a_pause_is_seen_by_the_next_payment_with_the_cache_warm() -> None:
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("500.00"), merchant()
    assert _pay(customer, shop).discount_minor == 10_00
    assert _cached(shop) == {campaign.pk}

    campaign_pause(campaign_id=campaign.pk, by=_marketing(), reason="stop")
    payment = _pay(customer, shop)

    assert payment.discount_minor == 0
    campaign.refresh_from_db()
    assert campaign.granted_count == 1
    assert InstantBenefit.objects.filter(campaign=campaign).count() == 1


def test_a_pause_is_seen_even_if_the_counter_had_not_moved() -> None:
    """The per-payment read checks every candidate's status itself: the counter only tells the
    cache to look for campaigns it does not hold yet."""
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("500.00"), merchant()
    assert _pay(customer, shop).discount_minor == 10_00
    before = _counter()

    campaign_pause(campaign_id=campaign.pk, by=_marketing(), reason="stop")
    with connection.cursor() as cursor:  # as if the bump had been lost: the cache still holds it
        cursor.execute("UPDATE promotions_quotestate SET version = %s WHERE id = 1", [before])
    payment = _pay(customer, shop)

    assert _cached(shop) == {campaign.pk}
    assert payment.discount_minor == 0
    assert InstantBenefit.objects.filter(campaign=campaign).count() == 1


_PAUSE: dict[str, Any] = {}


def pausing_quote(ctx: Any) -> Any:
    """The real quote (from the warm cache); the first time, the campaign is paused (committed)
    right after it, before the payment's statement runs."""
    quote = promotions_quote(ctx)
    if not _PAUSE["calls"]:
        campaign_pause(campaign_id=_PAUSE["campaign"], by=_PAUSE["by"], reason="stop now")
    _PAUSE["calls"].append(quote.discount)
    return quote


def test_a_cached_campaign_paused_after_the_quote_is_refused_by_the_statement(settings: Any) -> None:
    """The quote offered the discount; the pause committed before the statement: the statement's
    claim (``status = 'ACTIVE'`` under the row lock) refuses it, nothing is taken, the service
    quotes again and the customer pays the full amount, exactly what the answer says."""
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("500.00"), merchant()
    assert _pay(customer, shop).discount_minor == 10_00  # the cache is warm
    _PAUSE.update(campaign=campaign.pk, by=_marketing(), calls=[])
    settings.PAYMENTS_PROMOTIONS_QUOTE = "tests.promotions.test_instant_offers_cache.pausing_quote"

    payment = _pay(customer, shop)

    assert _PAUSE["calls"] == [Money.parse("10.00", "CNY"), None]
    assert payment.discount_minor == 0
    campaign.refresh_from_db()
    assert (campaign.status, campaign.granted_count) == (Campaign.Status.PAUSED, 1)
    assert InstantBenefit.objects.filter(campaign=campaign).count() == 1


# --- what starts is seen at once -----------------------------------------------------------------------
def test_a_campaign_started_after_the_cache_was_filled_applies_to_the_next_payment() -> None:
    customer, shop = shopper("500.00"), merchant()
    assert _pay(customer, shop).discount_minor == 0  # nothing yet: the shop's offers are cached empty
    assert shop.pk in {key[0] for key in _OFFERS}

    campaign_running(**THRESHOLD)

    assert _pay(customer, shop).discount_minor == 10_00


def test_with_nothing_that_may_apply_the_counter_is_trusted_for_the_recheck_time(
    settings: Any, django_assert_num_queries: Any
) -> None:
    """PROMOTIONS_OFFERS_RECHECK_MS: a quote with nothing that may apply reads nothing while the
    counter was read less than that long ago; a campaign started meanwhile reaches such payments
    once it has passed. A payment something could apply to always checks the counter."""
    settings.PROMOTIONS_OFFERS_RECHECK_MS = 60_000
    customer, shop = shopper("500.00"), merchant()
    assert _pay(customer, shop).discount_minor == 0  # the shop's offers cached empty, the counter read
    with django_assert_num_queries(0):
        assert promotions_quote(_ctx(customer, shop)).discount is None

    campaign_running(**THRESHOLD)

    assert _pay(customer, shop).discount_minor == 0  # within the recheck time
    settings.PROMOTIONS_OFFERS_RECHECK_MS = 0  # as when it has passed
    assert _pay(customer, shop).discount_minor == 10_00


def test_a_resumed_campaign_applies_to_the_next_payment() -> None:
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("500.00"), merchant()
    campaign_pause(campaign_id=campaign.pk, by=_marketing(), reason="stop")
    assert _pay(customer, shop).discount_minor == 0

    campaign_resume(campaign_id=campaign.pk, by=_marketing())

    assert _pay(customer, shop).discount_minor == 10_00


# --- one merchant's offers stay its own ------------------------------------------------------------------
def test_campaigns_of_one_merchant_never_reach_another_merchants_payments() -> None:
    shop_a, shop_b, travel = merchant(), merchant(), merchant(mcc="4511")
    named = campaign_running(
        kind="LIMITED_TIME", benefit={"discount": "3.00"}, conditions={"merchants": [str(shop_a.public_id)]}
    )
    co_funded = campaign_running(
        kind="CO_FUNDED", benefit={"percent": "10", "cap": "20.00"}, merchant=shop_a, merchant_share_bps=5000
    )
    dining = campaign_running(
        kind="LIMITED_TIME", benefit={"discount": "1.00"}, conditions={"mcc_categories": ["DINING"]}
    )
    customer = shopper("1000.00")

    for _ in range(2):  # cold, then warm caches
        at_a = _pay(customer, shop_a)
        at_b = _pay(customer, shop_b)
        at_travel = _pay(customer, travel)
        assert at_a.discount_minor == 3_00 + 6_00 + 1_00
        assert at_b.discount_minor == 1_00
        assert at_travel.discount_minor == 0

    assert _cached(shop_a) == {named.pk, co_funded.pk, dining.pk}
    assert _cached(shop_b) == {dining.pk}
    assert _cached(travel) == set()


# --- the schedule at the moment of use -----------------------------------------------------------------
def test_the_schedule_is_checked_at_the_moment_of_use_with_the_cache_warm() -> None:
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("500.00"), merchant()
    now = timezone.now()
    assert promotions_quote(_ctx(customer, shop, at=now)).discount == Money.parse("10.00", "CNY")
    assert _cached(shop) == {campaign.pk}

    after_end = promotions_quote(_ctx(customer, shop, at=campaign.ends_at + timedelta(seconds=1)))
    before_start = promotions_quote(_ctx(customer, shop, at=campaign.starts_at - timedelta(seconds=1)))

    assert (after_end.discount, after_end.benefits) == (None, [])
    assert (before_start.discount, before_start.benefits) == (None, [])


def test_a_campaign_that_ended_by_its_timestamp_gives_nothing_though_still_active_and_cached() -> None:
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("500.00"), merchant()
    assert _pay(customer, shop).discount_minor == 10_00
    before = _counter()
    # Its end passes (the finish job has not run: still ACTIVE); the counter left as it was, so the
    # cached offer's own end is what must stop it.
    Campaign.objects.filter(pk=campaign.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() - timedelta(seconds=1)
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE promotions_quotestate SET version = %s WHERE id = 1", [before])

    payment = _pay(customer, shop)

    assert payment.discount_minor == 0
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.ACTIVE


# --- the counter ----------------------------------------------------------------------------------------
def test_the_counter_moves_when_a_campaign_change_commits_and_never_for_a_payment() -> None:
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("500.00"), merchant()
    start = _counter()

    assert _pay(customer, shop).discount_minor == 10_00  # granted_count + 1, budget debited
    assert _counter() == start

    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)
        assert _counter() == start  # deferred: moves at commit
    paused = _counter()
    assert paused != start

    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.ACTIVE)
        transaction.set_rollback(True)
    assert _counter() == paused  # a rolled-back change leaves it


def test_inside_a_transaction_the_quote_sees_its_own_campaign_changes() -> None:
    """The counter moves at commit, so inside a transaction the cache is neither used nor filled."""
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("500.00"), merchant()
    assert promotions_quote(_ctx(customer, shop)).discount == Money.parse("10.00", "CNY")

    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)
        inside = promotions_quote(_ctx(customer, shop))
        transaction.set_rollback(True)

    assert inside.discount is None
    assert promotions_quote(_ctx(customer, shop)).discount == Money.parse("10.00", "CNY")


def test_one_statement_per_quote_with_the_cache_warm(django_assert_num_queries: Any) -> None:
    campaign_running(**THRESHOLD)
    campaign_running(kind="LIMITED_TIME", benefit={"discount": "1.00"}, conditions={"mcc_categories": ["DINING"]})
    customer, dining, other = shopper("500.00"), merchant(), merchant(mcc="4511")
    promotions_quote(_ctx(customer, dining))
    promotions_quote(_ctx(customer, other))

    with django_assert_num_queries(1):  # the candidates as they are now and the customer's facts
        assert promotions_quote(_ctx(customer, dining)).discount == Money.parse("11.00", "CNY")
    with django_assert_num_queries(1):
        assert promotions_quote(_ctx(customer, other)).discount == Money.parse("10.00", "CNY")
    with django_assert_num_queries(1):  # below every threshold: nothing may apply, the counter alone
        assert promotions_quote(_ctx(customer, other, amount="0.50")).discount is None


# --- the recheck time runs from the reading, not from its answer -----------------------------------------
class _Clock:
    """``time`` for the two quote modules: ``monotonic`` moves only when the test says."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def monotonic(self) -> float:
        return self.now


def _in_thread(fn: Any) -> None:
    def run() -> None:
        try:
            fn()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()


def test_the_recheck_time_counts_from_before_the_counter_was_read(settings: Any, monkeypatch: Any) -> None:
    """A process that stalls right after reading the counter (a busy interpreter: 16 threads on 2
    cores, a GC pause) must not trust that reading for longer than PROMOTIONS_OFFERS_RECHECK_MS: a
    campaign started during the stall reaches the next idle payment once that time has passed since
    the READ, not since the answer came back."""
    settings.PROMOTIONS_OFFERS_RECHECK_MS = 1_000
    clock = _Clock()
    monkeypatch.setattr(selectors_instant_offers, "time", clock)
    monkeypatch.setattr(selectors_instant, "time", clock, raising=False)
    customer, shop = shopper("500.00"), merchant()
    assert _pay(customer, shop).discount_minor == 0  # the shop's offers cached empty at t=1000
    clock.now += 5  # the recheck time has passed: the next idle quote reads the counter

    stalled: list[bool] = []

    def stall(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if "promotions_quotestate" in sql and not stalled:
            stalled.append(True)
            _in_thread(lambda: campaign_running(**THRESHOLD))  # starts (committed) during the stall
            clock.now += 10  # the process comes back 10 s after its read
        return result

    with connection.execute_wrapper(stall):
        assert promotions_quote(_ctx(customer, shop)).discount is None  # read before the start
    clock.now += 0.5  # 10.5 s after that read, 10.5 s after the start

    assert _pay(customer, shop).discount_minor == 10_00


def test_payments_in_threads_while_the_campaign_is_paused_take_nothing_once_the_pause_committed(
    settings: Any,
) -> None:
    """Real threads paying with warm caches (the default recheck time) while marketing pauses the
    campaign: every payment that started after the pause committed pays in full, and the campaign's
    claims, its benefit rows and the discounted payments agree."""
    settings.PROMOTIONS_OFFERS_RECHECK_MS = 1_000
    campaign = campaign_running(**THRESHOLD)
    shop = merchant()
    customers = [shopper("5000.00") for _ in range(4)]
    for customer in customers:
        assert _pay(customer, shop).discount_minor == 10_00  # warm
    results: list[tuple[float, int]] = []
    errors: list[str] = []
    stop = threading.Event()

    def worker(customer: Any) -> None:
        try:
            while not stop.is_set():
                started = time.monotonic()
                results.append((started, _pay(customer, shop).discount_minor))
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while len(results) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    campaign_pause(campaign_id=campaign.pk, by=_marketing(), reason="stop now")
    paused = time.monotonic()
    while sum(1 for started, _ in results if started > paused) < 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    stop.set()
    for thread in threads:
        thread.join(30)

    assert errors == []
    after = [discount for started, discount in results if started > paused]
    assert len(after) >= 8 and set(after) == {0}
    discounted = len(customers) + sum(1 for _, discount in results if discount)
    campaign.refresh_from_db()
    assert campaign.granted_count == discounted
    assert InstantBenefit.objects.filter(campaign=campaign).count() == discounted


def test_quotes_inside_transactions_do_not_grow_the_process_memory_without_bound(monkeypatch: Any) -> None:
    """Inside a transaction no offers are kept, but the campaign states read are interned for
    sharing: that table has its bound too (every transition of a campaign is a new state)."""
    monkeypatch.setattr(selectors_instant_offers, "_OFFER_INSTANCES_MAX", 2, raising=False)
    customer = shopper("500.00")
    shops = [merchant() for _ in range(3)]
    for i, shop in enumerate(shops):
        campaign_running(
            kind="LIMITED_TIME", benefit={"discount": "1.00"}, conditions={"merchants": [str(shop.public_id)]}
        )
        with transaction.atomic():
            assert promotions_quote(_ctx(customer, shop)).discount == Money.parse("1.00", "CNY")
        assert len(selectors_instant_offers._OFFER_INSTANCES) <= 2, i

    assert _OFFERS == {}


@pytest.mark.parametrize(
    "assignment",
    [
        'conditions = conditions || \'{"merchants": ["someone-else"]}\'::jsonb',
        "priority = priority + 1",
        "min_payment_minor = min_payment_minor + 1",
        "global_limit = 1000000",
        "ends_at = ends_at + interval '1 hour'",
        "starts_at = starts_at - interval '1 second'",
        "budget_account_code = budget_account_code || '-moved'",
        "status = 'PAUSED'",
    ],
)
def test_raw_sql_changes_as_a_beat_job_or_a_migration_makes_them_move_the_counter(assignment: str) -> None:
    """The trigger is in the database: raw SQL (beat jobs, data migrations) moves the counter too;
    narrowing a campaign to another merchant that way reaches the next payment with the cache warm."""
    campaign = campaign_running(**THRESHOLD)
    customer, shop = shopper("500.00"), merchant()
    assert _pay(customer, shop).discount_minor == 10_00
    before = _counter()

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE promotions_campaign SET {assignment} WHERE id = %s", [campaign.pk])

    assert _counter() != before
    if "merchants" in assignment or "PAUSED" in assignment or "moved" in assignment:
        assert _pay(customer, shop).discount_minor == 0
