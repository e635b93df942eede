"""POST /api/v1/transfers (P2P): success, replay, and every bad input as a clear 4xx with nothing moved."""

from __future__ import annotations

import uuid

import pytest

from accounts.models import Customer
from core.models import OutboxEvent
from payments.models import IdempotencyRecord, LedgerAccount, Transfer
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.factories import customer_client, idempotency_count, ledger_snapshot, wallet_fund

pytestmark = pytest.mark.django_db

URL = "/api/v1/transfers"


def _post(client, body, key=None):  # type: ignore[no-untyped-def]
    return client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def _body(to: Customer, amount: str = "12.34", **extra: object) -> dict[str, object]:
    return {"to_phone": to.phone, "amount": amount, "currency": "CNY", "pin": PAYMENT_PIN, "memo": "lunch", **extra}


def _balance(customer: Customer, currency: str = "CNY") -> int:
    return LedgerAccount.objects.get(customer=customer, currency=currency).posted_minor


def test_p2p_transfer_moves_money_and_publishes_event(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    client = customer_client(alice)

    response = _post(client, _body(bob))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "COMPLETED"
    assert body["amount"] == {"amount": "12.34", "currency": "CNY"}
    assert body["to"] == {"name": "李*", "phone": bob.phone[3:6] + "****" + bob.phone[-4:]}
    assert body["balance_after"] == {"amount": "87.66", "currency": "CNY"}
    assert _balance(alice) == 87_66
    assert _balance(bob) == 12_34
    transfer = Transfer.objects.get(public_id=body["id"])
    assert transfer.kind == "P2P" and transfer.initiated_by == alice
    assert sorted(transfer.postings.values_list("amount_minor", flat=True)) == [-12_34, 12_34]
    event = OutboxEvent.objects.get(topic="transfer.completed")
    assert event.payload["transfer_id"] == body["id"]
    assert event.payload["amount"] == {"amount": "12.34", "currency": "CNY"}
    assert IdempotencyRecord.objects.get(customer=alice).response_status == 201


def test_p2p_by_wallet_id(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")
    bob_wallet = wallet_fund(bob, "1.00")

    response = _post(
        customer_client(alice), {"to_wallet_id": str(bob_wallet.public_id), "amount": "2", "pin": PAYMENT_PIN}
    )

    assert response.status_code == 201, response.json()
    assert _balance(bob) == 3_00


def test_same_key_same_body_replays_without_moving_again(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    client = customer_client(alice)
    first = _post(client, _body(bob), key="k-1")

    second = _post(client, _body(bob), key="k-1")

    assert second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Transfer.objects.filter(kind="P2P").count() == 1
    assert _balance(alice) == 87_66


def test_same_key_different_body_is_422_and_moves_nothing(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    client = customer_client(alice)
    _post(client, _body(bob), key="k-1")
    before = ledger_snapshot()

    response = _post(client, _body(bob, amount="1.00"), key="k-1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert ledger_snapshot() == before


def test_key_is_scoped_to_the_customer(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    wallet_fund(bob, "100.00")
    _post(customer_client(alice), _body(bob), key="shared")

    response = _post(customer_client(bob), _body(alice, amount="5.00"), key="shared")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_insufficient_funds_is_stored_and_replayed_and_changes_nothing(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")
    client = customer_client(alice)
    before = ledger_snapshot()

    first = _post(client, _body(bob, amount="10.01"), key="poor")
    wallet_fund(alice, "100.00")  # money arrives later: the replay still says what happened first
    second = _post(client, _body(bob, amount="10.01"), key="poor")

    assert first.status_code == 422 and first.json()["code"] == "insufficient_funds"
    assert second.status_code == 422
    # A replayed error names the request being answered (issue 8, item 10); the rest is the original.
    assert {**second.json(), "request_id": None} == {**first.json(), "request_id": None}
    assert second["Idempotent-Replayed"] == "true"
    assert Transfer.objects.filter(kind="P2P").count() == 0
    assert before["outbox"] == OutboxEvent.objects.count()
    assert not LedgerAccount.objects.filter(customer=bob).exclude(posted_minor=0).exists()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (12.34, "invalid_amount"),
        ("12.345", "too_many_decimals"),
        ("0", "amount_not_positive"),
        ("0.00", "amount_not_positive"),
        ("-5.00", "amount_not_positive"),
        ("1e3", "invalid_amount"),
        ("abc", "invalid_amount"),
    ],
)
def test_bad_amounts_are_400_and_move_nothing(alice: Customer, bob: Customer, amount: object, code: str) -> None:
    wallet_fund(alice, "100.00")
    before, records = ledger_snapshot(), idempotency_count()

    response = _post(customer_client(alice), _body(bob, amount=amount))

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == code
    assert ledger_snapshot() == before
    assert idempotency_count() == records


def test_unknown_currency_is_400(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    before = ledger_snapshot()

    response = _post(customer_client(alice), _body(bob, currency="XYZ"))

    assert response.status_code == 400
    assert response.json()["code"] == "unknown_currency"
    assert ledger_snapshot() == before


def test_paying_yourself_is_400(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    before = ledger_snapshot()

    response = _post(customer_client(alice), _body(alice))

    assert response.status_code == 400
    assert response.json()["code"] == "self_transfer"
    assert ledger_snapshot() == before


def test_unknown_recipient_is_404(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    before = ledger_snapshot()

    response = _post(customer_client(alice), {"to_phone": "+8613999999999", "amount": "1.00", "pin": PAYMENT_PIN})

    assert response.status_code == 404
    assert response.json()["code"] == "recipient_not_found"
    assert ledger_snapshot() == before


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("sender", "FROZEN", "account_frozen"),
        ("recipient", "FROZEN", "account_frozen"),
        ("recipient", "CLOSED", "account_closed"),
    ],
)
def test_frozen_or_closed_party_is_403(alice: Customer, bob: Customer, who: str, status: str, code: str) -> None:
    wallet_fund(alice, "100.00")
    client = customer_client(alice)
    Customer.objects.filter(pk=(alice if who == "sender" else bob).pk).update(status=status)
    before = ledger_snapshot()

    response = _post(client, _body(bob))

    assert response.status_code == 403
    assert response.json()["code"] == code
    assert ledger_snapshot() == before


def test_wrong_pin_is_403_and_stores_nothing(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    before, records = ledger_snapshot(), idempotency_count()

    response = _post(customer_client(alice), _body(bob, pin="999999"), key="pin-key")

    assert response.status_code == 403
    assert response.json()["code"] == "payment_pin_invalid"
    assert ledger_snapshot() == before
    assert idempotency_count() == records
    # The same key with the right PIN then works: the PIN is not part of the fingerprint.
    assert _post(customer_client(alice), _body(bob), key="pin-key").status_code == 201


def test_missing_or_oversized_idempotency_key_is_400(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    client = customer_client(alice)
    before = ledger_snapshot()

    missing = client.post(URL, _body(bob), format="json")
    too_long = _post(client, _body(bob), key="k" * 256)

    assert missing.status_code == 400 and missing.json()["code"] == "idempotency_key_missing"
    assert too_long.status_code == 400 and too_long.json()["code"] == "idempotency_key_invalid"
    assert ledger_snapshot() == before


def test_per_transaction_limit_is_403_and_stored(alice: Customer, bob: Customer) -> None:
    from accounts.models import KycTier

    Customer.objects.filter(pk=alice.pk).update(kyc_tier=KycTier.objects.get(level=1))  # 2,000.00 per payment
    wallet_fund(alice, "3000.00")
    before = ledger_snapshot()

    response = _post(customer_client(alice), _body(bob, amount="2000.01"), key="big")

    assert response.status_code == 403
    assert response.json()["code"] == "limit_exceeded"
    assert ledger_snapshot() == before
    assert IdempotencyRecord.objects.get(customer=alice, key="big").response_status == 403


def test_daily_limit_counts_earlier_payments(alice: Customer, bob: Customer) -> None:
    from accounts.models import KycTier

    Customer.objects.filter(pk=alice.pk).update(kyc_tier=KycTier.objects.get(level=1))  # 5,000.00 a day
    wallet_fund(alice, "9000.00")
    client = customer_client(alice)
    for _ in range(2):
        assert _post(client, _body(bob, amount="2000.00")).status_code == 201
    before = ledger_snapshot()

    response = _post(client, _body(bob, amount="1000.01"))

    assert response.status_code == 403 and response.json()["details"]["limit"] == "daily"
    assert ledger_snapshot() == before
    assert _post(client, _body(bob, amount="1000.00")).status_code == 201


def test_risk_refusal_is_403_with_reason(alice: Customer, bob: Customer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAYMENTS_RISK_PRECHECK = "tests.payments.test_transfer_api.refuse_everything"
    wallet_fund(alice, "100.00")
    before = ledger_snapshot()

    response = _post(customer_client(alice), _body(bob))

    assert response.status_code == 403
    assert response.json()["code"] == "risk_refused"
    assert response.json()["message"] == "Unusual activity: please contact us."
    assert ledger_snapshot() == before


def refuse_everything(ctx):  # type: ignore[no-untyped-def]
    from payments.interfaces import RiskDecision

    return RiskDecision(allowed=False, reason_code="TEST", message="Unusual activity: please contact us.")


def test_unauthenticated_is_401() -> None:
    from rest_framework.test import APIClient

    assert APIClient().post(URL, {}, format="json").status_code == 401


def test_recipient_over_balance_cap_is_refused(alice: Customer) -> None:
    from accounts.models import KycTier

    poor_cap = CustomerFactory(kyc_tier=KycTier.objects.get(level=1))  # 10,000.00 balance cap
    wallet_fund(poor_cap, "9999.00")
    wallet_fund(alice, "100.00")
    before = ledger_snapshot()

    response = _post(customer_client(alice), _body(poor_cap, amount="1.01"))

    assert response.status_code == 403 and response.json()["code"] == "balance_cap_exceeded"
    assert ledger_snapshot() == before


def step_up_everything(ctx):  # type: ignore[no-untyped-def]
    from payments.interfaces import RiskDecision

    return RiskDecision(
        allowed=True, reason_code="NEW_PAYEE", message="Confirm with the code we sent.", requires_step_up=True
    )


QUOTES: list[object] = []


def record_quote(ctx):  # type: ignore[no-untyped-def]
    from payments.interfaces import PromotionQuote

    QUOTES.append((ctx.kind, ctx.amount, ctx.counterparty))
    return PromotionQuote(benefits=[{"type": "points", "points": 10}])


def test_step_up_decision_is_403_and_moves_nothing(alice: Customer, bob: Customer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PAYMENTS_RISK_PRECHECK = "tests.payments.test_transfer_api.step_up_everything"
    wallet_fund(alice, "100.00")
    before = ledger_snapshot()

    response = _post(customer_client(alice), _body(bob))

    assert response.status_code == 403
    assert response.json()["code"] == "step_up_required"
    assert response.json()["details"] == {"reason_code": "NEW_PAYEE"}
    assert ledger_snapshot() == before


def test_promotions_quote_is_asked_and_its_benefits_ride_on_the_event(alice: Customer, bob: Customer, settings) -> None:  # type: ignore[no-untyped-def]
    from core.money import Money

    settings.PAYMENTS_PROMOTIONS_QUOTE = "tests.payments.test_transfer_api.record_quote"
    QUOTES.clear()
    wallet_fund(alice, "100.00")

    response = _post(customer_client(alice), _body(bob, amount="3.00"))

    assert response.status_code == 201
    assert [("P2P", Money(3_00, "CNY"), bob)] == QUOTES
    assert OutboxEvent.objects.get(topic="transfer.completed").payload["benefits"] == [{"type": "points", "points": 10}]


def test_payment_commits_when_redis_is_down(alice: Customer, bob: Customer, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from kombu.exceptions import OperationalError as KombuOperationalError

    from core import outbox

    def broker_down(**kwargs: object) -> None:
        raise KombuOperationalError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

    wallet_fund(alice, "100.00")
    client = customer_client(alice)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6399/0"}
    }
    monkeypatch.setattr(outbox.outbox_relay, "apply_async", broker_down)
    monkeypatch.setattr(outbox, "_kick_state", {"last": 0.0, "down_until": 0.0})

    response = _post(client, _body(bob))
    outbox._kick_relay_now()  # what the after-commit kick does: logs, never raises

    assert response.status_code == 201  # throttles fail open; the outbox keeps the event
    assert _balance(bob) == 12_34
    assert OutboxEvent.objects.filter(topic="transfer.completed", published_at__isnull=True).count() == 1
    assert outbox._kick_state["down_until"] > 0
