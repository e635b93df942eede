"""The pre-check on the payment path: what it decides, and that it costs one statement at most."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Customer, Device
from core.money import Money
from payments.errors import RiskRefused, StepUpRequired
from payments.interfaces import PaymentContext
from payments.ledger import wallet_unresolved
from payments.models import Transfer
from risk.models import BlockedCounterparty, CustomerRiskProfile, KnownPayee, PrecheckPolicy, StepUpChallenge
from risk.precheck import risk_precheck
from tests.payments.factories import ledger_snapshot, wallet_fund

pytestmark = pytest.mark.django_db


def _ctx(payer: Customer, payee: Customer, amount: str, **extra: Any) -> PaymentContext:
    return PaymentContext(
        customer=payer,
        kind=Transfer.Kind.P2P,
        amount=Money.parse(amount, extra.pop("currency", "CNY")),
        counterparty=payee,
        counterparty_account=wallet_unresolved(customer=payee, currency="CNY"),
        **extra,
    )


def _known(payer: Customer, payee: Customer) -> None:
    now = timezone.now()
    KnownPayee.objects.create(
        customer=payer, payee_key=f"customer:{payee.public_id}", first_paid_at=now, last_paid_at=now
    )


def _decide(ctx: PaymentContext) -> Any:
    with CaptureQueriesContext(connection) as queries:
        decision = risk_precheck(ctx)
    assert len(queries) <= 1, [q["sql"] for q in queries]
    return decision


def test_a_small_payment_to_a_known_payee_is_allowed_in_one_statement(alice: Customer, bob: Customer) -> None:
    _known(alice, bob)

    with CaptureQueriesContext(connection) as queries:
        decision = risk_precheck(_ctx(alice, bob, "20.00", device_id="phone-0001-abcdef"))

    assert decision.allowed and not decision.requires_step_up
    assert len(queries) == 1


def test_money_in_reads_nothing(alice: Customer) -> None:
    with CaptureQueriesContext(connection) as queries:
        decision = risk_precheck(PaymentContext(customer=alice, kind=Transfer.Kind.TOPUP, amount=Money(10**9, "CNY")))

    assert decision.allowed and len(queries) == 0


@pytest.mark.parametrize("kind", ["customer", "account"])
def test_a_blocked_counterparty_is_refused(alice: Customer, bob: Customer, kind: str) -> None:
    value = str(bob.public_id) if kind == "customer" else f"wallet:{bob.public_id}:CNY"
    BlockedCounterparty.objects.create(kind=kind, value=value, key=f"{kind}:{value}", reason="mule account")
    _known(alice, bob)

    decision = _decide(_ctx(alice, bob, "1.00"))

    assert not decision.allowed and decision.reason_code == "COUNTERPARTY_BLOCKED"


def test_an_inactive_block_no_longer_refuses(alice: Customer, bob: Customer) -> None:
    key = f"customer:{bob.public_id}"
    BlockedCounterparty.objects.create(kind="customer", value=str(bob.public_id), key=key, reason="x", active=False)
    _known(alice, bob)

    assert _decide(_ctx(alice, bob, "1.00")).allowed


def test_a_blocked_merchant_is_refused(alice: Customer) -> None:
    BlockedCounterparty.objects.create(kind="merchant", value="m-1", key="merchant:m-1", reason="fraud")
    ctx = PaymentContext(customer=alice, kind="MERCHANT_PAYMENT", amount=Money(100, "CNY"), merchant_id="m-1")

    assert _decide(ctx).reason_code == "COUNTERPARTY_BLOCKED"


@pytest.mark.parametrize(
    "level,amount,expected",
    [
        ("NORMAL", "10.00", (True, False, "")),
        ("BLOCKED", "1.00", (False, False, "RISK_BLOCKED")),
        ("HIGH", "0.01", (True, True, "RISK_LEVEL_HIGH")),
        ("ELEVATED", "500.00", (True, False, "")),
        ("ELEVATED", "500.01", (True, True, "RISK_LEVEL_ELEVATED")),
    ],
)
def test_the_customers_risk_level(alice: Customer, bob: Customer, level: str, amount: str, expected: tuple) -> None:
    CustomerRiskProfile.objects.create(customer=alice, level=level)
    _known(alice, bob)

    decision = _decide(_ctx(alice, bob, amount))

    assert (decision.allowed, decision.requires_step_up, decision.reason_code) == expected
    if not decision.allowed or decision.requires_step_up:
        assert decision.message  # a reason the customer can read


def test_the_step_up_flag_of_an_asynchronous_decision(alice: Customer, bob: Customer) -> None:
    CustomerRiskProfile.objects.create(customer=alice, step_up_next=True)
    _known(alice, bob)

    decision = _decide(_ctx(alice, bob, "0.01"))

    assert decision.requires_step_up and decision.reason_code == "RISK_REVIEW"


def test_step_up_above_the_configured_amount(alice: Customer, bob: Customer) -> None:
    _known(alice, bob)
    PrecheckPolicy.objects.filter(id=1).update(step_up_amount_minor=300_00)

    assert not _decide(_ctx(alice, bob, "300.00")).requires_step_up
    assert _decide(_ctx(alice, bob, "300.01")).reason_code == "LARGE_AMOUNT"


def test_step_up_to_a_new_payee_above_an_amount(alice: Customer, bob: Customer) -> None:
    assert not _decide(_ctx(alice, bob, "1000.00")).requires_step_up
    assert _decide(_ctx(alice, bob, "1000.01")).reason_code == "NEW_PAYEE"
    _known(alice, bob)
    assert not _decide(_ctx(alice, bob, "1000.01")).requires_step_up


def test_step_up_from_a_device_first_seen_recently(alice: Customer, bob: Customer) -> None:
    _known(alice, bob)
    now = timezone.now()
    Device.objects.create(customer=alice, device_id="old-phone-123", first_seen_at=now - timedelta(days=30))
    Device.objects.create(customer=alice, device_id="new-phone-456", first_seen_at=now - timedelta(hours=2))

    assert not _decide(_ctx(alice, bob, "300.00", device_id="old-phone-123")).requires_step_up
    assert _decide(_ctx(alice, bob, "300.00", device_id="new-phone-456")).reason_code == "NEW_DEVICE"
    assert _decide(_ctx(alice, bob, "300.00", device_id="never-seen-789")).reason_code == "NEW_DEVICE"
    assert not _decide(_ctx(alice, bob, "200.00", device_id="new-phone-456")).requires_step_up


def test_a_foreign_currency_amount_without_a_rate_needs_step_up(alice: Customer, bob: Customer) -> None:
    _known(alice, bob)

    decision = risk_precheck(_ctx(alice, bob, "1.00", currency="MOP"))

    assert decision.requires_step_up and decision.reason_code == "LARGE_AMOUNT"


def _challenge(customer: Customer, amount: int = 2_000_00, **extra: Any) -> StepUpChallenge:
    fields = {
        "customer": customer,
        "fingerprint": "fp-1",
        "amount_minor": amount,
        "currency": "CNY",
        "expires_at": timezone.now() + timedelta(minutes=10),
        "confirmed_at": timezone.now(),
        **extra,
    }
    return StepUpChallenge.objects.create(**fields)


def test_a_confirmed_challenge_for_this_payment_lets_it_through(alice: Customer, bob: Customer) -> None:
    challenge = _challenge(alice)
    meta = {"step_up_challenge": str(challenge.public_id), "payment_fingerprint": "fp-1"}

    decision = _decide(_ctx(alice, bob, "2000.00", metadata=meta))

    assert decision.allowed and not decision.requires_step_up and decision.reason_code == "STEP_UP_CONFIRMED"


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "2000.01"},
        {"fingerprint": "fp-2"},
        {"unconfirmed": True},
        {"used": True},
        {"expired": True},
        {"other_customer": True},
    ],
)
def test_a_challenge_for_another_payment_or_spent_does_not(
    alice: Customer, bob: Customer, change: dict[str, Any]
) -> None:
    owner = bob if change.get("other_customer") else alice
    challenge = _challenge(
        owner,
        confirmed_at=None if change.get("unconfirmed") else timezone.now(),
        used_at=timezone.now() if change.get("used") else None,
        expires_at=timezone.now() - timedelta(seconds=1)
        if change.get("expired")
        else timezone.now() + timedelta(minutes=5),
    )
    meta = {"step_up_challenge": str(challenge.public_id), "payment_fingerprint": change.get("fingerprint", "fp-1")}

    decision = _decide(_ctx(alice, bob, change.get("amount", "2000.00"), metadata=meta))

    assert decision.requires_step_up
    assert decision.reason_code == ("NEW_PAYEE" if change.get("other_customer") else "STEP_UP_CHALLENGE_INVALID")


def test_through_the_payment_service_a_step_up_moves_nothing(alice: Customer, bob: Customer, risk_on: None) -> None:
    from payments.services.transfers import transfer_p2p_create

    wallet_fund(alice, "3000.00")
    before = ledger_snapshot()

    with pytest.raises(StepUpRequired) as refused:
        transfer_p2p_create(sender=alice, recipient=bob, amount=Money.parse("2000.00", "CNY"))

    assert refused.value.details == {"reason_code": "NEW_PAYEE"}
    assert ledger_snapshot() == before


def test_through_the_payment_api_a_blocked_level_is_a_readable_403(
    alice: Customer, bob: Customer, risk_on: None
) -> None:
    from tests.factories import PAYMENT_PIN
    from tests.payments.factories import customer_client

    wallet_fund(alice, "100.00")
    CustomerRiskProfile.objects.create(customer=alice, level="BLOCKED")
    before = ledger_snapshot()

    response = customer_client(alice).post(
        "/api/v1/transfers",
        {"to_phone": bob.phone, "amount": "1.00", "currency": "CNY", "pin": PAYMENT_PIN},
        format="json",
        HTTP_IDEMPOTENCY_KEY="risk-blocked-1",
    )

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "risk_refused"
    assert response.json()["details"] == {"reason_code": "RISK_BLOCKED"}
    assert ledger_snapshot()["transfers"] == before["transfers"]


def test_raised_refusal_type(alice: Customer, bob: Customer, risk_on: None) -> None:
    from payments.services.transfers import transfer_p2p_create

    wallet_fund(alice, "10.00")
    BlockedCounterparty.objects.create(
        kind="customer", value=str(bob.public_id), key=f"customer:{bob.public_id}", reason="x"
    )

    with pytest.raises(RiskRefused):
        transfer_p2p_create(sender=alice, recipient=bob, amount=Money(1_00, "CNY"))
