"""Referral (推荐奖励): codes, refusals with their reasons, qualification (KYC, own funds), both
rewards held for the cooling-off and paid exactly once, the budget never overspent."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Device, LinkedCard
from payments.models import Transfer
from promotions.models import Referral, ReferralAttempt, RewardGrant
from promotions.referral_codes import code_decode, code_encode
from promotions.services.payouts import rewards_release_due
from tests.payments.test_concurrency import run_threads
from tests.promotions.helpers import balance, budget, deliver, ledger_accounts_never_negative, merchant, pay
from tests.promotions.social import (
    REFERRAL_CONSUMER,
    REGISTERED_CONSUMER,
    code_of,
    person,
    referral_campaign,
    registered_event,
    topup_own_card,
)


def _attempts(referee: object) -> list[tuple[str, str, str]]:
    return list(ReferralAttempt.objects.filter(referee=referee).order_by("pk").values_list("stage", "status", "reason"))


def test_a_code_is_a_reversible_permutation_of_the_customer_id() -> None:
    codes = {code_encode(i) for i in range(1, 2000)}

    assert len(codes) == 1999 and all(len(c) == 8 for c in codes)
    assert all(code_decode(code_encode(i)) == i for i in (1, 2, 999, 2**39))
    assert code_decode(code_encode(42).lower()) == 42
    assert code_decode("ABCU1234") is None and code_decode("SHORT") is None and code_decode(None) is None


@pytest.mark.django_db
def test_self_referral_is_refused_with_its_reason() -> None:
    me = person()

    deliver(registered_event(me, code=code_of(me)), REGISTERED_CONSUMER)

    assert not Referral.objects.exists()
    assert _attempts(me) == [("SIGN_UP", "REFUSED", "self_referral")]


@pytest.mark.django_db
def test_an_unknown_code_is_recorded_and_links_nobody() -> None:
    me = person()

    deliver(registered_event(me, code="ZZZZZZZZ"), REGISTERED_CONSUMER)

    assert not Referral.objects.exists()
    assert _attempts(me) == [("SIGN_UP", "REFUSED", "unknown_code")]


@pytest.mark.django_db
def test_a_ring_sharing_a_device_is_refused_with_its_reason_and_never_rewarded() -> None:
    campaign = referral_campaign()
    referrer = person("phone-A")
    referee = person("phone-A")  # the referrer's own phone, a second wallet
    topup_own_card(referee, "100.00")

    deliver(registered_event(referee, code=code_of(referrer)), REGISTERED_CONSUMER)
    deliver(pay(referee, merchant(), "50.00")[1], REFERRAL_CONSUMER)

    referral = Referral.objects.get(referee=referee)
    assert (referral.status, referral.refusal_reason) == ("REFUSED", "shared_device")
    attempt = ReferralAttempt.objects.get(referee=referee)
    assert (attempt.status, attempt.reason, attempt.detail) == (
        "REFUSED",
        "shared_device",
        {"shared_with": referrer.pk},
    )
    assert not RewardGrant.objects.filter(campaign=campaign).exists()


@pytest.mark.django_db
def test_a_ring_of_referees_sharing_a_device_or_a_card_is_refused() -> None:
    referral_campaign()
    referrer = person()
    first, second = person("farm-phone"), person("farm-phone")
    third = person()
    LinkedCard.objects.create(customer=first, gateway_token="tok_first_card_1", bank_name="招商银行", last4="8888")
    LinkedCard.objects.create(customer=third, gateway_token="tok_third_card_1", bank_name="招商银行 ", last4="8888")

    for referee in (first, second, third):
        deliver(registered_event(referee, code=code_of(referrer)), REGISTERED_CONSUMER)

    statuses = {r.referee_id: (r.status, r.refusal_reason) for r in Referral.objects.filter(referrer=referrer)}
    assert statuses == {
        first.pk: ("PENDING", ""),
        second.pk: ("REFUSED", "shared_device"),
        third.pk: ("REFUSED", "shared_card"),
    }


@pytest.mark.django_db
def test_a_device_shared_after_sign_up_refuses_the_referral_at_qualification() -> None:
    campaign = referral_campaign()
    referrer, referee = person(), person()
    deliver(registered_event(referee, code=code_of(referrer)), REGISTERED_CONSUMER)
    Device.objects.create(customer=referee, device_id=referrer.devices.get().device_id)
    topup_own_card(referee, "100.00")

    deliver(pay(referee, merchant(), "50.00")[1], REFERRAL_CONSUMER)

    assert Referral.objects.get(referee=referee).status == "REFUSED"
    assert _attempts(referee)[-1] == ("QUALIFY", "REFUSED", "shared_device")
    assert not RewardGrant.objects.filter(campaign=campaign).exists()


@pytest.mark.django_db
def test_no_reward_before_kyc_or_without_own_funds_and_the_reasons_are_recorded() -> None:
    campaign = referral_campaign()
    referrer = person()
    unverified = person(kyc=False)
    sponsored = person(funds="100.00")  # money that did not come from a top-up of their own card
    for referee in (unverified, sponsored):
        deliver(registered_event(referee, code=code_of(referrer)), REGISTERED_CONSUMER)
    topup_own_card(unverified, "100.00")
    shop = merchant()

    deliver(pay(unverified, shop, "50.00")[1], REFERRAL_CONSUMER)
    deliver(pay(sponsored, shop, "50.00")[1], REFERRAL_CONSUMER)

    assert _attempts(unverified)[-1] == ("QUALIFY", "NOT_YET", "kyc_pending")
    assert _attempts(sponsored)[-1] == ("QUALIFY", "NOT_YET", "not_own_funds")
    assert set(Referral.objects.values_list("status", flat=True)) == {"PENDING"}
    assert not RewardGrant.objects.filter(campaign=campaign).exists()


@pytest.mark.django_db(transaction=True)
def test_both_sides_are_rewarded_once_after_the_cooling_off_under_redelivered_events() -> None:
    campaign = referral_campaign()
    referrer, referee = person(), person()
    deliver(registered_event(referee, code=code_of(referrer)), REGISTERED_CONSUMER)
    topup_own_card(referee, "100.00")
    _payment, event = pay(referee, merchant(), "50.00")
    before = (balance(referrer), balance(referee))

    delivered = run_threads(8, lambda i: "ran" if deliver(event, REFERRAL_CONSUMER) else "skipped")
    early = rewards_release_due(now=timezone.now() + timedelta(days=2))
    released = run_threads(4, lambda i: str(rewards_release_due(now=timezone.now() + timedelta(days=3, minutes=1))))

    assert delivered == Counter({"ran": 1, "skipped": 7})
    assert early == 0 and sum(int(k) * v for k, v in released.items()) == 2
    grants = {g.source.rsplit(":", 1)[1]: g for g in RewardGrant.objects.filter(campaign=campaign)}
    assert {side: (g.status, g.amount_minor) for side, g in grants.items()} == {
        "referrer": ("PAID", 10_00),
        "referee": ("PAID", 5_00),
    }
    assert (balance(referrer) - before[0], balance(referee) - before[1]) == (10_00, 5_00)
    assert Transfer.objects.filter(kind="REWARD").count() == 2
    assert budget(campaign) == (1_000_00 - 15_00, 0, 1_000_00 - 15_00)
    assert Referral.objects.get(referee=referee).status == "QUALIFIED"
    assert ledger_accounts_never_negative()


@pytest.mark.django_db
def test_a_spent_budget_stops_paying_and_says_so() -> None:
    campaign = referral_campaign(
        budget_minor=15_00, benefit={"referrer_reward": "10.00", "referee_reward": "5.00", "cooling_off_days": 0}
    )
    referrer = person()
    shop = merchant()
    referees = [person(), person()]
    for referee in referees:
        deliver(registered_event(referee, code=code_of(referrer)), REGISTERED_CONSUMER)
        topup_own_card(referee, "100.00")
        deliver(pay(referee, shop, "50.00")[1], REFERRAL_CONSUMER)

    outcomes = Counter(RewardGrant.objects.filter(campaign=campaign).values_list("status", "skip_reason"))
    assert outcomes == Counter({("PAID", ""): 2, ("SKIPPED", "budget_exhausted"): 2})
    assert budget(campaign) == (0, 0, 0)
    campaign.refresh_from_db()
    assert campaign.budget_exhausted_at is not None
    assert ledger_accounts_never_negative()


@pytest.mark.django_db
def test_a_refund_during_the_cooling_off_voids_both_held_rewards_and_releases_the_budget() -> None:
    from tests.promotions.helpers import refund

    campaign = referral_campaign()
    referrer, referee = person(), person()
    deliver(registered_event(referee, code=code_of(referrer)), REGISTERED_CONSUMER)
    topup_own_card(referee, "100.00")
    payment, event = pay(referee, merchant(), "50.00")
    deliver(event, REFERRAL_CONSUMER)
    assert budget(campaign) == (1_000_00, 15_00, 1_000_00 - 15_00)  # both rewards held

    refund_event = refund(payment, "10.00")
    deliver(refund_event, "promotions.referral_on_refund")
    deliver(refund_event, "promotions.referral_on_refund")  # redelivered: nothing more
    released = rewards_release_due(now=timezone.now() + timedelta(days=4))

    assert released == 0
    assert set(RewardGrant.objects.filter(campaign=campaign).values_list("status", flat=True)) == {"VOIDED"}
    assert budget(campaign) == (1_000_00, 0, 1_000_00)
    referral = Referral.objects.get(referee=referee)
    assert (referral.status, referral.refusal_reason) == ("REFUSED", "qualifying_payment_refunded")
    assert _attempts(referee)[-1] == ("QUALIFY", "REFUSED", "qualifying_payment_refunded")
    assert not Transfer.objects.filter(kind="REWARD").exists()


@pytest.mark.django_db
def test_staff_refuse_a_pending_referral_with_a_reason_and_it_is_audited() -> None:
    from core.models import AuditEvent
    from promotions.errors import ReasonRequired
    from promotions.services.referrals import referral_refuse
    from tests.factories import StaffFactory

    referrer, referee = person(), person()
    deliver(registered_event(referee, code=code_of(referrer)), REGISTERED_CONSUMER)
    referral = Referral.objects.get(referee=referee)
    staff = StaffFactory(roles=["RISK_OFFICER"], branch=None)

    with pytest.raises(ReasonRequired):
        referral_refuse(referral_id=referral.pk, by=staff, reason=" ")
    referral_refuse(referral_id=referral.pk, by=staff, reason="same household, reported by the branch")

    referral.refresh_from_db()
    assert (referral.status, referral.refusal_reason) == ("REFUSED", "refused_by_staff")
    assert AuditEvent.objects.filter(action="promotions.referral.refuse", object_id=str(referral.pk)).count() == 1


@pytest.mark.django_db
def test_money_received_from_the_referrer_never_qualifies_even_with_own_top_ups() -> None:
    from django.db import transaction

    from core.money import Money
    from payments.services.transfers import transfer_p2p_create

    campaign = referral_campaign()
    referrer, referee = person(funds="100.00"), person()
    deliver(registered_event(referee, code=code_of(referrer)), REGISTERED_CONSUMER)
    topup_own_card(referee, "100.00")
    with transaction.atomic():
        transfer_p2p_create(sender=referrer, recipient=referee, amount=Money(1_00, "CNY"), memo="for you")

    deliver(pay(referee, merchant(), "50.00")[1], REFERRAL_CONSUMER)

    attempt = ReferralAttempt.objects.filter(referee=referee).order_by("pk").last()
    assert (attempt.status, attempt.reason) == ("NOT_YET", "not_own_funds")
    assert attempt.detail == {"paid_minor": 50_00, "own_topups_minor": 100_00, "from_ring_minor": 1_00}
    assert not RewardGrant.objects.filter(campaign=campaign).exists()
