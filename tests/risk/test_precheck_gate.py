"""The pre-check decided inside the money statement (risk 0006 ``risk_precheck_gate``, payments 0017):
the same decisions as the pre-check's own statement, in the payment's one round trip; a confirmed
challenge used up once, even by concurrent payments, and given back by a later refusal."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from psycopg.types.json import Jsonb

from accounts.models import Customer, Device
from core.money import Money
from payments.errors import RiskRefused, StepUpRequired
from payments.interfaces import PaymentContext
from payments.ledger import wallet_unresolved
from payments.models import IdempotencyRecord, Transfer
from payments.services.transfers import transfer_p2p_create
from risk.models import BlockedCounterparty, CustomerRiskProfile, KnownPayee, PrecheckPolicy, StepUpChallenge
from risk.precheck import ANSWERS, gate_input, risk_precheck
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.factories import customer_client, ledger_snapshot, wallet_fund


def _known(payer: Customer, payee: Customer) -> None:
    now = timezone.now()
    KnownPayee.objects.create(
        customer=payer, payee_key=f"customer:{payee.public_id}", first_paid_at=now, last_paid_at=now
    )


def _blocked_key(alice: Customer, bob: Customer) -> None:
    BlockedCounterparty.objects.create(
        kind="customer", value=str(bob.public_id), key=f"customer:{bob.public_id}", reason="mule"
    )


def _blocked_wallet(alice: Customer, bob: Customer) -> None:
    value = f"wallet:{bob.public_id}:CNY"
    BlockedCounterparty.objects.create(kind="account", value=value, key=f"account:{value}", reason="mule")


def _level(level: str, **extra: Any) -> Callable[[Customer, Customer], None]:
    def arrange(alice: Customer, bob: Customer) -> None:
        CustomerRiskProfile.objects.create(customer=alice, level=level, **extra)

    return arrange


def _policy(**fields: Any) -> Callable[[Customer, Customer], None]:
    def arrange(alice: Customer, bob: Customer) -> None:
        PrecheckPolicy.objects.filter(id=1).update(**fields)

    return arrange


def _device(hours_ago: float) -> Callable[[Customer, Customer], None]:
    def arrange(alice: Customer, bob: Customer) -> None:
        Device.objects.create(
            customer=alice, device_id="phone-1", first_seen_at=timezone.now() - timedelta(hours=hours_ago)
        )

    return arrange


def _nothing(alice: Customer, bob: Customer) -> None:
    return None


# (name, arrange, amount, known payee, device, expected answer: "" allowed, "risk:X" or "step_up:X")
CASES = [
    ("small, known payee", _nothing, "20.00", True, "", ""),
    ("blocked counterparty", _blocked_key, "1.00", True, "", "risk:COUNTERPARTY_BLOCKED"),
    ("blocked wallet", _blocked_wallet, "1.00", True, "", "risk:COUNTERPARTY_BLOCKED"),
    ("blocked level", _level("BLOCKED"), "1.00", True, "", "risk:RISK_BLOCKED"),
    (
        "blocked key before blocked level",
        lambda a, b: (_blocked_key(a, b), _level("BLOCKED")(a, b)),
        "1.00",
        True,
        "",
        "risk:COUNTERPARTY_BLOCKED",
    ),
    ("level HIGH", _level("HIGH"), "0.01", True, "", "step_up:RISK_LEVEL_HIGH"),
    ("HIGH before the review flag", _level("HIGH", step_up_next=True), "0.01", True, "", "step_up:RISK_LEVEL_HIGH"),
    ("review flag", _level("NORMAL", step_up_next=True), "0.01", True, "", "step_up:RISK_REVIEW"),
    ("ELEVATED at its amount", _level("ELEVATED"), "500.00", True, "", ""),
    ("ELEVATED above its amount", _level("ELEVATED"), "500.01", True, "", "step_up:RISK_LEVEL_ELEVATED"),
    ("at the large amount", _policy(step_up_amount_minor=300_00), "300.00", True, "", ""),
    ("above the large amount", _policy(step_up_amount_minor=300_00), "300.01", True, "", "step_up:LARGE_AMOUNT"),
    ("large before new payee", _nothing, "5000.01", False, "", "step_up:LARGE_AMOUNT"),
    ("new payee at its amount", _nothing, "1000.00", False, "", ""),
    ("new payee above its amount", _nothing, "1000.01", False, "", "step_up:NEW_PAYEE"),
    ("old device", _device(24 * 30), "300.00", True, "phone-1", ""),
    ("recent device", _device(2), "300.00", True, "phone-1", "step_up:NEW_DEVICE"),
    ("unknown device", _nothing, "300.00", True, "phone-1", "step_up:NEW_DEVICE"),
    ("recent device, small amount", _device(2), "200.00", True, "phone-1", ""),
    (
        "device window from the policy",
        lambda a, b: (_device(2)(a, b), _policy(new_device_hours=1)(a, b)),
        "300.00",
        True,
        "phone-1",
        "",
    ),
]


def _ctx(alice: Customer, bob: Customer, amount: str, device: str, **extra: Any) -> PaymentContext:
    return PaymentContext(
        customer=alice,
        kind=Transfer.Kind.P2P,
        amount=Money.parse(amount, "CNY"),
        counterparty=bob,
        counterparty_account=wallet_unresolved(customer=bob, currency="CNY"),
        device_id=device,
        **extra,
    )


def _statement_answer(alice: Customer, bob: Customer, amount: str, device: str, monkeypatch: Any) -> tuple[str, str]:
    """(answer, message) of the payment service with the gate in its statement."""
    from payments.services import transfers

    # The service's context with a request's device (the API passes its token's; the service none).
    monkeypatch.setattr(transfers, "PaymentContext", lambda **kw: PaymentContext(**{**kw, "device_id": device}))
    try:
        with CaptureQueriesContext(connection) as queries:
            transfer_p2p_create(sender=alice, recipient=bob, amount=Money.parse(amount, "CNY"))
    except (RiskRefused, StepUpRequired) as exc:
        kind = "risk" if isinstance(exc, RiskRefused) else "step_up"
        return f"{kind}:{exc.details['reason_code']}", str(exc.message)
    finally:
        monkeypatch.undo()
    assert len(queries) == 1 and "payments_pay" in queries[0]["sql"], [q["sql"][:80] for q in queries]
    return "", ""


@pytest.mark.django_db
@pytest.mark.parametrize("name,arrange,amount,known,device,expected", CASES, ids=[c[0] for c in CASES])
def test_in_the_statement_and_alone_the_gate_decides_the_same(
    alice: Customer,
    bob: Customer,
    risk_on: None,
    monkeypatch: Any,
    name: str,
    arrange: Any,
    amount: str,
    known: bool,
    device: str,
    expected: str,
) -> None:
    wallet_fund(alice, "9000.00")
    if known:
        _known(alice, bob)
    arrange(alice, bob)
    before = ledger_snapshot()

    decision = risk_precheck(_ctx(alice, bob, amount, device))
    alone = (
        ""
        if decision.allowed and not decision.requires_step_up
        else f"{'step_up' if decision.allowed else 'risk'}:{decision.reason_code}"
    )
    with transaction.atomic():  # the service joins it: a refusal leaves the rest of the test usable
        answer, message = _statement_answer(alice, bob, amount, device, monkeypatch)
        if answer:
            assert ledger_snapshot() == before

    assert alone == expected
    assert answer == expected
    if expected:
        assert message == decision.message == str(ANSWERS[expected])


@pytest.mark.django_db
def test_risk_on_a_service_p2p_is_one_round_trip_and_the_hook_reads_nothing(
    alice: Customer, bob: Customer, risk_on: None
) -> None:
    wallet_fund(alice, "100.00")
    _known(alice, bob)

    with CaptureQueriesContext(connection) as hook_queries:
        decision = risk_precheck(_ctx(alice, bob, "1.00", "", in_statement=True))
    with CaptureQueriesContext(connection) as queries:
        transfer_p2p_create(sender=alice, recipient=bob, amount=Money(1_00, "CNY"))

    assert len(hook_queries) == 0 and decision.statement is not None and decision.statement["take"] is True
    assert [q["sql"][:22] for q in queries] == ["SELECT payments_pay('{"]
    assert '"risk":{' in queries[0]["sql"]


@pytest.mark.django_db
def test_through_the_api_a_gate_refusal_is_stored_and_replayed(alice: Customer, bob: Customer, risk_on: None) -> None:
    wallet_fund(alice, "100.00")
    CustomerRiskProfile.objects.create(customer=alice, level="BLOCKED")
    client = customer_client(alice)
    body = {"to_phone": bob.phone, "amount": "1.00", "currency": "CNY", "pin": PAYMENT_PIN}

    first = client.post("/api/v1/transfers", body, format="json", HTTP_IDEMPOTENCY_KEY="gate-blocked-1")
    CustomerRiskProfile.objects.filter(customer=alice).update(level="NORMAL")
    again = client.post("/api/v1/transfers", body, format="json", HTTP_IDEMPOTENCY_KEY="gate-blocked-1")

    assert first.status_code == 403 and first.json()["details"] == {"reason_code": "RISK_BLOCKED"}
    assert first.json()["message"] == str(ANSWERS["risk:RISK_BLOCKED"])
    assert again.status_code == 403 and again.headers["Idempotent-Replayed"] == "true"
    assert {k: v for k, v in again.json().items() if k != "request_id"} == {
        k: v for k, v in first.json().items() if k != "request_id"
    }
    assert IdempotencyRecord.objects.filter(customer=alice, key="gate-blocked-1").count() == 1
    assert Transfer.objects.filter(kind="P2P").count() == 0


# The gate alone, as ``payments_pay`` calls it (take true) and as the ORM path does (take false).


def _confirmed(customer: Customer, amount: int = 2_000_00) -> StepUpChallenge:
    return StepUpChallenge.objects.create(
        customer=customer,
        fingerprint="fp-1",
        amount_minor=amount,
        currency="CNY",
        expires_at=timezone.now() + timedelta(minutes=10),
        confirmed_at=timezone.now(),
    )


def _gate(alice: Customer, bob: Customer, challenge: StepUpChallenge, *, take: bool, amount: str = "2000.00") -> Any:
    ctx = _ctx(
        alice,
        bob,
        amount,
        "",
        metadata={"step_up_challenge": str(challenge.public_id), "payment_fingerprint": "fp-1"},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT risk_precheck_gate(%s, %s, now())", [Jsonb(gate_input(ctx, take=take)), alice.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_decision_alone_uses_nothing_up(alice: Customer, bob: Customer) -> None:
    challenge = _confirmed(alice)
    CustomerRiskProfile.objects.create(customer=alice, step_up_next=True)

    answer = _gate(alice, bob, challenge, take=False)

    assert answer == "ok:STEP_UP_CONFIRMED"
    challenge.refresh_from_db()
    assert challenge.used_at is None
    assert CustomerRiskProfile.objects.get(customer=alice).step_up_next is True


@pytest.mark.django_db
def test_in_the_statement_the_challenge_is_used_once_and_clears_the_flag(alice: Customer, bob: Customer) -> None:
    challenge = _confirmed(alice)
    CustomerRiskProfile.objects.create(customer=alice, step_up_next=True)

    first = _gate(alice, bob, challenge, take=True)
    second = _gate(alice, bob, challenge, take=True)

    assert (first, second) == (None, "step_up:STEP_UP_CHALLENGE_INVALID")
    challenge.refresh_from_db()
    assert challenge.used_at is not None
    assert CustomerRiskProfile.objects.get(customer=alice).step_up_next is False


@pytest.mark.django_db
def test_a_challenge_for_another_amount_is_refused_and_stays_unused(alice: Customer, bob: Customer) -> None:
    challenge = _confirmed(alice, amount=2_000_00)

    answer = _gate(alice, bob, challenge, take=True, amount="2000.01")

    assert answer == "step_up:STEP_UP_CHALLENGE_INVALID"
    challenge.refresh_from_db()
    assert challenge.used_at is None


@pytest.mark.django_db
def test_a_payment_that_needs_no_step_up_leaves_the_challenge_alone(alice: Customer, bob: Customer) -> None:
    _known(alice, bob)
    challenge = _confirmed(alice, amount=20_00)

    assert _gate(alice, bob, challenge, take=True, amount="20.00") is None
    challenge.refresh_from_db()
    assert challenge.used_at is None


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_statements_use_one_challenge_once() -> None:
    alice, bob = CustomerFactory(), CustomerFactory()
    challenge = _confirmed(alice)
    barrier = threading.Barrier(2)
    answers: list[Any] = []
    lock = threading.Lock()

    def use() -> None:
        try:
            with transaction.atomic():
                barrier.wait(10)
                answer = _gate(alice, bob, challenge, take=True)
                time.sleep(0.3)  # hold the row lock: the other statement waits, then finds it used
        except Exception as exc:  # noqa: BLE001 - surfaced in the assertion
            answer = repr(exc)
        finally:
            connection.close()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert StepUpChallenge.objects.get(pk=challenge.pk).used_at is not None
    assert sorted(answers, key=str) == [None, "step_up:STEP_UP_CHALLENGE_INVALID"], answers


@pytest.mark.django_db
def test_risk_off_the_document_carries_nothing_of_risk(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")  # the suite's default hook: payments.hooks.risk_precheck_allow_all

    with CaptureQueriesContext(connection) as queries:
        transfer_p2p_create(sender=alice, recipient=bob, amount=Money(1_00, "CNY"))

    assert len(queries) == 1 and '"risk"' not in queries[0]["sql"]


@pytest.mark.django_db
def test_a_blocked_merchant_is_refused_by_the_statement_through_the_api_and_the_service(
    alice: Customer, risk_on: None
) -> None:
    from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
    from tests.payments.factories_movements import merchant_make

    wallet_fund(alice, "100.00")
    merchant = merchant_make()
    key = f"merchant:{merchant.public_id}"
    BlockedCounterparty.objects.create(kind="merchant", value=str(merchant.public_id), key=key, reason="fraud")
    qr = merchant_static_qr(merchant)
    before = ledger_snapshot()

    response = customer_client(alice).post(
        "/api/v1/payments",
        {"qr": qr, "amount": "10.00", "currency": "CNY", "pin": PAYMENT_PIN},
        format="json",
        HTTP_IDEMPOTENCY_KEY="gate-merchant-1",
    )
    with pytest.raises(RiskRefused) as refused, transaction.atomic():
        merchant_payment_create(customer=alice, qr=qr, amount=Money(10_00, "CNY"))

    assert response.status_code == 403 and response.json()["code"] == "risk_refused", response.json()
    assert response.json()["details"] == {"reason_code": "COUNTERPARTY_BLOCKED"}
    assert refused.value.details == {"reason_code": "COUNTERPARTY_BLOCKED"}
    assert ledger_snapshot()["transfers"] == before["transfers"]
    assert IdempotencyRecord.objects.filter(customer=alice, key="gate-merchant-1").count() == 1
