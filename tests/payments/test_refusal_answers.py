"""The money step's refusal answers, rendered once per (language, refusal, what it depends on)
(``payments.ledger.money_step._failure_answer``), are the answers a fresh rendering gives.

What makes it fail: an answer that depends on something its key leaves out (a tier's limit, a
cap, a currency, the language) served from the cache to a request it does not fit.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from accounts.models import Customer, KycTier
from core.money import Money
from payments.ledger import Leg, wallet_unresolved
from payments.ledger import money_step as ms
from payments.ledger.transfers import transfer_prepare
from payments.limits import limits_step_input
from payments.models import Transfer

pytestmark = pytest.mark.django_db


def _step(payer: Customer, recipient: Customer, *, currency: str = "CNY", cap: int = 5_000_00) -> ms.MoneyStep:
    amount = Money(100, currency)
    prepared = transfer_prepare(
        kind=Transfer.Kind.P2P,
        legs=[
            Leg(wallet_unresolved(customer=payer, currency=currency), -amount),
            Leg(wallet_unresolved(customer=recipient, currency=currency), amount),
        ],
        memo="",
        initiated_by=payer,
    )
    return ms.MoneyStep(
        payer=payer,
        prepared=prepared,
        event_topic="transfer.completed",
        event_extra={},
        tier=payer.kyc_tier,
        recipient=recipient,
        limits=limits_step_input(customer=payer, amount=Money(100, "CNY")),
        cap_account=prepared.legs[1].account,
        cap_minor=cap,
    )


def _fresh(step: ms.MoneyStep) -> dict[str, dict[str, object]]:
    answers = {}
    for name, make in ms._refusals(step, None).items():
        error = make()
        answers[name] = {"status": error.status_code, "body": error.as_body()}
    return answers


def _cached(step: ms.MoneyStep) -> dict[str, dict[str, object]]:
    return {
        name: ms._failure_answer(step, name, make, ms.current_request_id())
        for name, make in ms._refusals(step, None).items()
    }


def test_cached_answers_are_fresh_answers_in_every_language(alice: Customer, bob: Customer) -> None:
    ms._ANSWERS.clear()
    other_tier = KycTier.objects.exclude(pk=alice.kyc_tier.pk).exclude(per_transaction_limit_minor=0).first()
    assert (
        other_tier is not None and other_tier.per_transaction_limit_minor != alice.kyc_tier.per_transaction_limit_minor
    )
    for _round in range(2):  # the second round is served from the cache
        for language in ("en", "zh-hans"):
            with translation.override(language):
                for step in (_step(alice, bob), _step(alice, bob, cap=123_45), _step(alice, bob, currency="USD")):
                    assert _cached(step) == _fresh(step)
                alice.kyc_tier = other_tier
                assert _cached(_step(alice, bob)) == _fresh(_step(alice, bob))
                alice.refresh_from_db()
    assert ms._ANSWERS  # the answers were cached, not only rendered
    with translation.override("en"):
        english = _cached(_step(alice, bob))
    with translation.override("zh-hans"):
        chinese = _cached(_step(alice, bob))
    assert english["sender_frozen"]["body"]["message"] != chinese["sender_frozen"]["body"]["message"]


def test_cached_answers_carry_each_request_its_own_id(alice: Customer, bob: Customer) -> None:
    """The money step's and the risk gate's cached answers: the request id is this request's."""
    from core.request_context import reset_request_id, set_request_id
    from payments.step_up import RiskGate
    from risk.precheck import ANSWERS

    gate = RiskGate(section={}, answers=ANSWERS, amount=Money(100, "CNY"))
    for request_id in ("req-first", "req-second"):
        token = set_request_id(request_id)
        try:
            answers = _cached(_step(alice, bob))
            risk = gate.failures()
        finally:
            reset_request_id(token)
        assert {a["body"]["request_id"] for a in answers.values()} == {request_id}
        assert risk and {a["body"]["request_id"] for a in risk.values()} == {request_id}
