"""Step-up challenges: issued with an SMS code, confirmed with it (attempts taken before the
compare), consumed once by the payment it is bound to."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Customer, OtpChallenge
from accounts.services.otp import payment_otp_index
from core.errors import DomainError
from core.money import Money
from risk.models import CustomerRiskProfile, StepUpChallenge
from risk.services import (
    step_up_challenge_confirm,
    step_up_challenge_consume,
    step_up_challenge_issue,
    step_up_payment_fingerprint,
)
from tests.accounts.conftest import bearer_client, last_code
from tests.factories import CustomerFactory

AMOUNT = Money(2_000_00, "CNY")
FP = step_up_payment_fingerprint(idempotency_key="key-1", request_fingerprint="req-1")


def run_threads(n: int, work: Callable[[int], str]) -> Counter[str]:
    """``n`` threads released at once, each on its own connection; outcome labels counted."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def target(i: int) -> None:
        try:
            barrier.wait(10)
            result = work(i)
        except DomainError as exc:
            result = exc.code
        except Exception as exc:  # noqa: BLE001 - surfaced in the assertion
            result = f"unexpected: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return Counter(outcomes)


@pytest.mark.django_db
def test_issue_sends_one_code_and_a_repeated_payment_gets_the_same_challenge(
    alice: Customer, _sms_outbox: list[Any]
) -> None:
    first = step_up_challenge_issue(customer=alice, fingerprint=FP, amount=AMOUNT, reason_code="NEW_PAYEE")
    again = step_up_challenge_issue(customer=alice, fingerprint=FP, amount=AMOUNT, reason_code="NEW_PAYEE")

    assert first.sms_sent and not again.sms_sent
    assert first.challenge_id == again.challenge_id
    assert len(_sms_outbox) == 1 and _sms_outbox[0].phone == alice.phone
    challenge = StepUpChallenge.objects.get(public_id=first.challenge_id)
    assert (challenge.amount_minor, challenge.currency, challenge.fingerprint) == (2_000_00, "CNY", FP)
    assert set(first.as_details()) == {"challenge_id", "expires_at", "sms_sent", "resend_after_seconds"}


@pytest.mark.django_db
def test_another_payment_within_the_sms_minute_still_gets_a_challenge(alice: Customer) -> None:
    step_up_challenge_issue(customer=alice, fingerprint=FP, amount=AMOUNT)

    other = step_up_challenge_issue(customer=alice, fingerprint="fp-other", amount=AMOUNT)

    assert not other.sms_sent and other.resend_after_seconds == 60
    assert StepUpChallenge.objects.filter(customer=alice).count() == 2


@pytest.mark.django_db
def test_confirm_with_the_right_code_once_and_again_answers_the_same(alice: Customer) -> None:
    issued = step_up_challenge_issue(customer=alice, fingerprint=FP, amount=AMOUNT)

    with pytest.raises(DomainError) as wrong:
        step_up_challenge_confirm(customer=alice, challenge_id=issued.challenge_id, otp_code="000000")
    confirmed = step_up_challenge_confirm(customer=alice, challenge_id=issued.challenge_id, otp_code=last_code())
    again = step_up_challenge_confirm(customer=alice, challenge_id=issued.challenge_id, otp_code="anything")

    assert wrong.value.code == "otp_invalid" and wrong.value.details == {"attempts_left": 4}
    assert confirmed.confirmed_at is not None and again.confirmed_at == confirmed.confirmed_at


@pytest.mark.django_db
def test_another_customers_challenge_is_not_found(alice: Customer, bob: Customer) -> None:
    issued = step_up_challenge_issue(customer=alice, fingerprint=FP, amount=AMOUNT)

    with pytest.raises(DomainError) as refused:
        step_up_challenge_confirm(customer=bob, challenge_id=issued.challenge_id, otp_code=last_code())

    assert refused.value.code == "not_found" and refused.value.status_code == 404
    assert StepUpChallenge.objects.get(public_id=issued.challenge_id).confirmed_at is None


@pytest.mark.django_db
def test_an_expired_challenge_cannot_be_confirmed(alice: Customer) -> None:
    issued = step_up_challenge_issue(customer=alice, fingerprint=FP, amount=AMOUNT)
    StepUpChallenge.objects.filter(public_id=issued.challenge_id).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )

    with pytest.raises(DomainError) as refused:
        step_up_challenge_confirm(customer=alice, challenge_id=issued.challenge_id, otp_code=last_code())

    assert refused.value.code == "step_up_expired"


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_compare_at_most_five_codes() -> None:
    customer = CustomerFactory()
    issued = step_up_challenge_issue(customer=customer, fingerprint=FP, amount=AMOUNT)
    right = last_code()
    wrong = "111111" if right != "111111" else "222222"

    outcomes = run_threads(
        12,
        lambda i: str(step_up_challenge_confirm(customer=customer, challenge_id=issued.challenge_id, otp_code=wrong)),
    )

    # The 5th wrong code is compared and answers "too many"; the 7 others are refused uncompared.
    assert outcomes == Counter({"otp_invalid": 4, "otp_too_many_attempts": 8}), outcomes
    code_index = payment_otp_index(customer, issued.challenge_id)  # the code is bound to its challenge
    assert OtpChallenge.objects.get(phone_index=code_index).attempts == 5
    with pytest.raises(DomainError) as late:
        step_up_challenge_confirm(customer=customer, challenge_id=issued.challenge_id, otp_code=right)
    assert late.value.code == "otp_too_many_attempts"


def _confirmed(customer: Customer) -> str:
    issued = step_up_challenge_issue(customer=customer, fingerprint=FP, amount=AMOUNT)
    step_up_challenge_confirm(customer=customer, challenge_id=issued.challenge_id, otp_code=last_code())
    return issued.challenge_id


@pytest.mark.django_db
def test_consume_is_bound_to_customer_payment_and_amount_and_clears_the_flag(alice: Customer, bob: Customer) -> None:
    challenge_id = _confirmed(alice)
    CustomerRiskProfile.objects.create(customer=alice, step_up_next=True)

    def consume(**change: Any) -> bool:
        args = {"challenge_id": challenge_id, "customer_id": alice.pk, "fingerprint": FP, "amount": AMOUNT, **change}
        return step_up_challenge_consume(**args)

    assert not consume(customer_id=bob.pk)
    assert not consume(fingerprint="fp-2")
    assert not consume(amount=Money(2_000_01, "CNY"))
    assert not consume(amount=Money(2_000_00, "USD"))
    assert not consume(now=timezone.now() + timedelta(hours=1))
    assert CustomerRiskProfile.objects.get(customer=alice).step_up_next is True
    assert consume()
    assert not consume()
    assert CustomerRiskProfile.objects.get(customer=alice).step_up_next is False


@pytest.mark.django_db
def test_an_unconfirmed_challenge_is_never_consumed(alice: Customer) -> None:
    issued = step_up_challenge_issue(customer=alice, fingerprint=FP, amount=AMOUNT)

    assert not step_up_challenge_consume(
        challenge_id=issued.challenge_id, customer_id=alice.pk, fingerprint=FP, amount=AMOUNT
    )


@pytest.mark.django_db(transaction=True)
def test_parallel_payments_with_one_challenge_consume_it_once() -> None:
    from django.db import transaction

    customer = CustomerFactory()
    challenge_id = _confirmed(customer)

    def pay(i: int) -> str:
        with transaction.atomic():
            ok = step_up_challenge_consume(
                challenge_id=challenge_id, customer_id=customer.pk, fingerprint=FP, amount=AMOUNT
            )
        return "consumed" if ok else "refused"

    outcomes = run_threads(8, pay)

    assert outcomes == Counter({"consumed": 1, "refused": 7})


@pytest.mark.django_db
def test_confirm_api(alice: Customer, bob: Customer) -> None:
    issued = step_up_challenge_issue(customer=alice, fingerprint=FP, amount=AMOUNT)
    url = f"/api/v1/risk/challenges/{issued.challenge_id}/confirm"
    code = last_code()

    other = bearer_client(bob).post(url, {"otp_code": code}, format="json")
    bad = bearer_client(alice, device_id="alice-phone-0001").post(url, {"otp_code": 123456}, format="json")
    ok = bearer_client(alice, device_id="alice-phone-0002").post(url, {"otp_code": code}, format="json")

    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert bad.status_code == 400
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert body["challenge_id"] == issued.challenge_id and body["confirmed"] is True
    assert body["amount"] == {"amount": "2000.00", "currency": "CNY"}
