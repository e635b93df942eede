"""Outside review of stop 20 (issue 13 step-up in the payment path, issue 12 instant benefits,
referral and lottery, issue 11 deferred writes), 2026-11-30.

Each test is named for the behaviour that SHOULD hold. Findings were failing before their fix
(same commit); the "held" tests passed as written. Severity in brackets.

Findings (fixed):
- [medium] test_the_step_up_sms_names_the_payment_it_confirms
- [medium] test_a_refunded_payment_keeps_no_lottery_entry (pay-then-refund lottery farming), and
  test_a_refund_consumed_before_the_payment_event_leaves_no_lottery_entry (consumer order)
- [medium] test_a_payment_step_up_code_confirms_only_its_own_payment (+ ..._resends_its_code)
- [low] test_docs_api_walks_a_new_app_developer_through_a_coupon_payment
- [low] test_held_malformed_step_up_and_coupon_fields_are_400s_in_the_error_format[123|True]: DRF's
  UUIDField takes a JSON integer as ``uuid.UUID(int=...)``: ``"step_up_challenge": true`` paid
  (201) instead of a 400; fixed with ``core.fields.StrictUUIDField`` on ``step_up_challenge`` and
  ``coupon``.
Held:
- test_held_a_memo_shaped_as_sql_rides_the_multi_statement_as_data
- test_held_malformed_step_up_and_coupon_fields_are_400s_in_the_error_format
- test_held_a_confirmed_challenge_pays_once_and_not_a_second_payment
- test_held_a_flash_quota_and_one_persons_two_accounts_hold_under_concurrency
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from accounts import integrations
from accounts.models import Customer, CustomerToken
from core.errors import DomainError
from core.money import Money
from payments.models import Transfer
from risk.models import StepUpChallenge
from tests.accounts.conftest import _sms_outbox, last_code  # noqa: F401 - autouse here: SMS to the outbox
from tests.factories import PAYMENT_PIN
from tests.payments.factories import customer_client, ledger_snapshot, wallet_fund
from tests.promotions.conftest import _promotions_reference_data  # noqa: F401 - autouse: roles after a flush

RISK_PRECHECK = "risk.precheck.risk_precheck"
STEP_UP_ISSUE = "risk.services.step_up_payment_issue"
TRANSFERS = "/api/v1/transfers"


@pytest.fixture
def risk_on(settings: Any) -> None:
    settings.PAYMENTS_RISK_PRECHECK = RISK_PRECHECK
    settings.PAYMENTS_STEP_UP_ISSUE = STEP_UP_ISSUE


def _pay(client: Any, to: Customer, key: str, amount: str = "2000.00", **extra: Any) -> Any:
    body = {"to_phone": to.phone, "amount": amount, "currency": "CNY", "pin": PAYMENT_PIN, **extra}
    return client.post(TRANSFERS, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


# --- step-up ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_step_up_sms_names_the_payment_it_confirms(alice: Customer, bob: Customer, risk_on: None) -> None:
    """[medium] The SMS of a payment's step-up was the generic "Your verification code is ...":
    the same text as a PIN reset, a passkey registration or a phone change, and its code serves
    all of them (purpose STEP_UP). The customer cannot see WHAT they confirm (dynamic linking: the
    amount, and that it is a payment), so a code read out to a caller "to cancel a payment" or
    asked for "to confirm your 10 yuan payment" authorises 2,000. The SMS must name the payment."""
    wallet_fund(alice, "3000.00")
    client = customer_client(alice)
    response = _pay(client, bob, str(uuid.uuid4()))
    assert response.status_code == 403 and response.json()["code"] == "step_up_required", response.json()
    body = integrations.outbox[-1].body
    assert "2,000.00" in body or "2000.00" in body, body


@pytest.mark.django_db
def test_held_a_confirmed_challenge_pays_once_and_not_a_second_payment(
    alice: Customer, bob: Customer, risk_on: None
) -> None:
    wallet_fund(alice, "5000.00")
    client = customer_client(alice)
    key = str(uuid.uuid4())
    challenge = _pay(client, bob, key).json()["details"]["challenge_id"]
    confirmed = client.post(f"/api/v1/risk/challenges/{challenge}/confirm", {"otp_code": last_code()}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    assert _pay(client, bob, key, step_up_challenge=challenge).status_code == 201
    # A second payment (another key, same body) with the used challenge: a fresh 403, nothing moves.
    before = ledger_snapshot()
    second = _pay(client, bob, str(uuid.uuid4()), step_up_challenge=challenge)
    assert second.status_code in (201, 403), second.json()  # bob is a known payee now: no step-up needed
    if second.status_code == 403:
        assert ledger_snapshot() == before
    # The same challenge for a bigger amount under the first key: refused as reused, nothing moves.
    before = ledger_snapshot()
    third = _pay(client, bob, key, amount="2500.00", step_up_challenge=challenge)
    assert third.status_code == 422 and third.json()["code"] == "idempotency_key_reused", third.json()
    assert ledger_snapshot() == before
    assert StepUpChallenge.objects.get(public_id=challenge).used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["x", 123, [], {"a": 1}, "0" * 5000, None, True])
def test_held_malformed_step_up_and_coupon_fields_are_400s_in_the_error_format(
    alice: Customer, bob: Customer, risk_on: None, value: Any
) -> None:
    wallet_fund(alice, "10.00")
    client = customer_client(alice)
    response = _pay(client, bob, str(uuid.uuid4()), amount="1.00", step_up_challenge=value)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_request", response.json()
    confirm = client.post(f"/api/v1/risk/challenges/{uuid.uuid4()}/confirm", {"otp_code": value}, format="json")
    assert confirm.status_code in (400, 404), confirm.content
    assert "code" in confirm.json()
    qr = client.post(
        "/api/v1/payments",
        {"qr": "x", "amount": "1.00", "currency": "CNY", "pin": PAYMENT_PIN, "coupon": value},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert qr.status_code == 400, qr.content
    assert "code" in qr.json()


# --- deferred writes (issue 11) ---------------------------------------------------------------------
@pytest.mark.django_db
def test_held_a_memo_shaped_as_sql_rides_the_multi_statement_as_data(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")
    client = customer_client(alice)
    memo = "x'); UPDATE accounts_customer SET status = 'CLOSED'; -- \\' $$ %s %(a)s"
    response = client.post(
        TRANSFERS,
        {"to_phone": bob.phone, "amount": "1.00", "currency": "CNY", "pin": PAYMENT_PIN, "memo": memo},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201, response.json()
    assert Transfer.objects.get(public_id=response.json()["id"]).memo == memo
    assert set(Customer.objects.values_list("status", flat=True)) == {"ACTIVE"}
    assert CustomerToken.objects.get(customer=alice).last_used_at is not None


# --- lottery (issue 12) -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_refunded_payment_keeps_no_lottery_entry() -> None:
    """[medium] Pay-then-refund farming: every qualifying payment earns an entry, and a refund of
    it took nothing back, so a customer with a lenient (or friendly) merchant collected any number
    of free entries: pay 20, enter, get refunded, repeat. The cooling-off of referrals exists for
    exactly this (docs/promotions.md); the lottery had no counterpart. A refund before the draw now
    withdraws the payment's entry (outcome VOIDED), and the draw and its proof leave it out."""
    from datetime import timedelta

    from promotions.models import LotteryEntry
    from promotions.services.lottery import lottery_draw_run, lottery_draw_verify
    from tests.promotions.helpers import deliver, merchant, pay, refund
    from tests.promotions.social import LOTTERY_CONSUMER, lottery_campaign, person

    campaign = lottery_campaign()
    shop = merchant()
    farmer = person(funds="100.00")
    kept = []
    for _ in range(3):
        payment, event = pay(farmer, shop, "20.00")
        deliver(event, LOTTERY_CONSUMER)
        kept.append(payment)
    refunded, event = pay(farmer, shop, "20.00")
    deliver(event, LOTTERY_CONSUMER)
    deliver(refund(refunded, "20.00"), "promotions.lottery_on_refund")
    deliver(refund(kept[0], "5.00"), "promotions.lottery_on_refund")  # a partial refund withdraws it too

    live = LotteryEntry.objects.filter(campaign=campaign).exclude(outcome="VOIDED")
    assert live.count() == 2
    assert lottery_draw_run(campaign_id=campaign.pk, now=campaign.ends_at + timedelta(minutes=11)) is True
    proof = lottery_draw_verify(campaign_id=campaign.pk)
    assert proof.ok and proof.entries == 2, proof
    assert set(LotteryEntry.objects.filter(campaign=campaign, outcome="VOIDED").values_list("rank", flat=True)) == {
        None
    }


def test_docs_api_walks_a_new_app_developer_through_a_coupon_payment() -> None:
    """[low] docs/api.md (the app developer's walkthrough) said nothing of coupons or instant
    discounts: no redeem, no ``coupon`` field, no ``paid``/``discount``/``benefits`` in the answer."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    for needle in ("promotions/coupons/redeem", '"coupon"', "coupon_not_applicable", "`paid`", "`benefits`"):
        assert needle in text, needle


def _sms_gap_clear(customer: Customer) -> None:
    """Let the next SMS go now (the one-a-minute gap of accounts.services.otp)."""
    from django.core.cache import cache

    cache.delete(f"acc:otp:gap:{customer.phone_index}")


@pytest.mark.django_db
def test_a_payment_step_up_code_confirms_only_its_own_payment(alice: Customer, bob: Customer, risk_on: None) -> None:
    """[medium] The code of a payment's step-up was a plain STEP_UP code of the phone: the newest
    one confirmed ANY challenge of the customer and also reset the payment PIN, registered a
    passkey or changed the phone. So the code the customer read for payment A (SMS naming A)
    confirmed payment B, and a code asked "for your PIN reset" confirmed a payment. Each payment's
    code is now bound to its challenge and serves nothing else."""
    from accounts.errors import OtpInvalid
    from accounts.services.pin import customer_payment_pin_change
    from risk.services import step_up_challenge_confirm, step_up_challenge_issue

    wallet_fund(alice, "5000.00")
    first = step_up_challenge_issue(customer=alice, fingerprint="fp-a", amount=Money(10_00, "CNY"))
    code_a = last_code()
    _sms_gap_clear(alice)
    second = step_up_challenge_issue(customer=alice, fingerprint="fp-b", amount=Money(2_000_00, "CNY"))
    assert second.sms_sent
    code_b = last_code()

    with pytest.raises(DomainError):  # A's code does not confirm B
        step_up_challenge_confirm(customer=alice, challenge_id=second.challenge_id, otp_code=code_a)
    with pytest.raises(OtpInvalid):  # nor does it change the payment PIN
        customer_payment_pin_change(customer=alice, new_pin="135790", otp_code=code_a)

    _sms_gap_clear(alice)
    generic = customer_client(alice).post("/api/v1/me/otp", {}, format="json")
    assert generic.status_code in (200, 201, 202), generic.content
    with pytest.raises(DomainError):  # a generic STEP_UP code (PIN reset, passkey...) confirms no payment
        step_up_challenge_confirm(customer=alice, challenge_id=second.challenge_id, otp_code=last_code())

    assert step_up_challenge_confirm(customer=alice, challenge_id=second.challenge_id, otp_code=code_b).confirmed_at
    assert step_up_challenge_confirm(customer=alice, challenge_id=first.challenge_id, otp_code=code_a).confirmed_at


@pytest.mark.django_db
def test_a_payment_repeated_after_the_sms_minute_resends_its_code(alice: Customer, risk_on: None) -> None:
    """With codes bound to challenges, a challenge issued inside the SMS minute (``sms_sent``
    false) gets its own code when the payment is sent again after ``resend_after_seconds``."""
    from risk.services import step_up_challenge_confirm, step_up_challenge_issue

    step_up_challenge_issue(customer=alice, fingerprint="fp-a", amount=Money(10_00, "CNY"))
    other = step_up_challenge_issue(customer=alice, fingerprint="fp-b", amount=Money(20_00, "CNY"))
    assert not other.sms_sent
    _sms_gap_clear(alice)
    again = step_up_challenge_issue(customer=alice, fingerprint="fp-b", amount=Money(20_00, "CNY"))
    assert again.challenge_id == other.challenge_id and again.sms_sent
    assert step_up_challenge_confirm(customer=alice, challenge_id=other.challenge_id, otp_code=last_code()).confirmed_at


@pytest.mark.django_db
def test_a_refund_consumed_before_the_payment_event_leaves_no_lottery_entry() -> None:
    """The two consumers run in any order: a payment whose refund was consumed first enters nothing."""
    from promotions.models import LotteryEntry
    from tests.promotions.helpers import deliver, merchant, pay, refund
    from tests.promotions.social import LOTTERY_CONSUMER, lottery_campaign, person

    campaign = lottery_campaign()
    payment, paid_event = pay(person(funds="100.00"), merchant(), "20.00")
    deliver(refund(payment, "20.00"), "promotions.lottery_on_refund")
    deliver(paid_event, LOTTERY_CONSUMER)

    assert not LotteryEntry.objects.filter(campaign=campaign).exclude(outcome="VOIDED").exists()


@pytest.mark.django_db(transaction=True)
def test_held_a_flash_quota_and_one_persons_two_accounts_hold_under_concurrency(settings: Any) -> None:
    """Global limit 3 raced by 10 payments of 8 customers: exactly 3 discounts; first-order at most
    once per customer (one of them pays three times at once). Budgets never negative, the ledger
    verifies. (Two live accounts of one identity cannot exist: ``national_id_index`` is unique.)"""
    from collections import Counter

    from core.money import Money as M
    from payments.ledger.verify import ledger_verify
    from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
    from promotions.models import InstantBenefit
    from promotions.selectors_instant import quote_cache_clear
    from tests.payments.test_concurrency import run_threads
    from tests.promotions.factories import campaign_running
    from tests.promotions.helpers import ledger_accounts_never_negative, merchant, shopper

    settings.PAYMENTS_PROMOTIONS_QUOTE = "promotions.selectors_instant.promotions_quote"
    quote_cache_clear()
    flash = campaign_running(
        kind="LIMITED_TIME", benefit={"discount": "5.00"}, global_limit=3, stacking_group="A", conditions={}
    )
    first = campaign_running(
        kind="FIRST_ORDER", benefit={"discount": "8.00"}, stacking_group="B", conditions={}, per_person_limit=1
    )
    shop = merchant()
    crowd = [shopper("100.00", national_id_index=f"crowd-{i}-{uuid.uuid4().hex[:8]}") for i in range(8)]

    def pay(i: int) -> str:
        customer = crowd[i] if i < 8 else crowd[0]
        payment = merchant_payment_create(
            customer=customer, qr=merchant_static_qr(shop), amount=M.parse("30.00", "CNY")
        )
        return str(payment.discount_minor)

    run_threads(10, pay)

    assert InstantBenefit.objects.filter(campaign=flash).count() == 3
    per_customer = Counter(InstantBenefit.objects.filter(campaign=first).values_list("customer_id", flat=True))
    assert per_customer and max(per_customer.values()) == 1
    assert ledger_accounts_never_negative() and ledger_verify().ok
