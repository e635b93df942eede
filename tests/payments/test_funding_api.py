"""Top-ups and withdrawals through the simulated bank: happy paths, failure modes, callbacks, bad input."""

from __future__ import annotations

import json
import uuid

import pytest
from rest_framework.test import APIClient

from accounts.models import Customer
from core.models import OutboxEvent
from core.money import Money
from payments.integrations import GatewayOperation, GatewayStatus, callback_body, callback_sign
from payments.ledger import system_account
from payments.models import GatewayCallbackLog, Hold, LedgerAccount, TopUp, Withdrawal
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.factories import customer_client, ledger_snapshot, wallet_fund
from tests.payments.factories_movements import available, balance, card_for, deliver_callbacks, post_money, wallet_of

pytestmark = pytest.mark.django_db


def _topup(client: APIClient, card_id: object, amount: str, **extra: object) -> object:
    return post_money(
        client,
        "/api/v1/topups",
        {"card": str(card_id), "amount": amount, "currency": "CNY", "pin": PAYMENT_PIN, **extra},
    )


def _withdraw(client: APIClient, card_id: object, amount: str, **extra: object) -> object:
    return post_money(
        client,
        "/api/v1/withdrawals",
        {"card": str(card_id), "amount": amount, "currency": "CNY", "pin": PAYMENT_PIN, **extra},
    )


def test_topup_is_pending_until_the_signed_callback_then_credits_once(alice: Customer) -> None:
    card = card_for(alice)
    client = customer_client(alice)

    response = _topup(client, card.public_id, "100.00")

    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "PENDING"
    topup = TopUp.objects.get(public_id=response.json()["id"])
    assert topup.gateway_ref.startswith("SIM")
    assert balance(wallet_of(alice)) == 0

    [callback] = deliver_callbacks(APIClient(), topup.reference)

    assert callback.status_code == 200 and callback.json() == {"result": "applied"}
    assert balance(wallet_of(alice)) == 100_00
    assert balance(system_account(LedgerAccount.Kind.SETTLEMENT, "CNY")) == -100_00
    detail = client.get(f"/api/v1/topups/{topup.public_id}").json()
    assert detail["status"] == "COMPLETED"
    event = OutboxEvent.objects.get(topic="topup.completed")
    assert event.payload["topup_id"] == str(topup.public_id)
    assert event.payload["amount"] == {"amount": "100.00", "currency": "CNY"}


def test_declined_topup_fails_and_posts_nothing(alice: Customer) -> None:
    card = card_for(alice)
    before = ledger_snapshot()

    response = _topup(customer_client(alice), card.public_id, "50.13")

    assert response.status_code == 202
    topup = TopUp.objects.get(public_id=response.json()["id"])
    assert topup.status == "FAILED" and topup.failure_code
    after = ledger_snapshot()
    assert (after["transfers"], after["postings"]) == (before["transfers"], before["postings"])


def test_duplicate_callback_credits_once(alice: Customer) -> None:
    card = card_for(alice)
    response = _topup(customer_client(alice), card.public_id, "20.15")
    reference = TopUp.objects.get(public_id=response.json()["id"]).reference

    first, second = deliver_callbacks(APIClient(), reference)

    assert first.json() == {"result": "applied"}
    assert second.status_code == 200 and second.json() == {"result": "duplicate"}
    assert balance(wallet_of(alice)) == 20_15
    assert OutboxEvent.objects.filter(topic="topup.completed").count() == 1
    assert list(GatewayCallbackLog.objects.order_by("id").values_list("outcome", flat=True)) == ["APPLIED", "DUPLICATE"]


def test_timeout_then_late_success_credits_after_expiry(alice: Customer, settings: object) -> None:
    card = card_for(alice)
    response = _topup(customer_client(alice), card.public_id, "30.14")
    topup = TopUp.objects.get(public_id=response.json()["id"])
    assert topup.status == "PENDING" and topup.gateway_ref == ""  # the bank never answered in time
    TopUp.objects.filter(pk=topup.pk).update(status="EXPIRED")  # the poller gave up waiting

    [late] = deliver_callbacks(APIClient(), topup.reference)

    assert late.json() == {"result": "applied"}
    topup.refresh_from_db()
    assert topup.status == "COMPLETED"
    assert balance(wallet_of(alice)) == 30_14


def test_poller_settles_a_timed_out_topup_without_a_callback(alice: Customer) -> None:
    from payments.services.funding import funding_poll

    card = card_for(alice)
    response = _topup(customer_client(alice), card.public_id, "30.14")
    TopUp.objects.filter(public_id=response.json()["id"]).update(
        created_at="2026-01-01T00:00:00Z", last_checked_at=None
    )

    counts = funding_poll(min_age_seconds=0)

    assert counts["applied"] == 1
    assert balance(wallet_of(alice)) == 30_14


def test_late_decline_by_callback_fails_the_topup(alice: Customer) -> None:
    card = card_for(alice)
    response = _topup(customer_client(alice), card.public_id, "10.16")
    reference = TopUp.objects.get(public_id=response.json()["id"]).reference

    deliver_callbacks(APIClient(), reference)

    assert TopUp.objects.get(reference=reference).status == "FAILED"
    assert not LedgerAccount.objects.filter(customer=alice, posted_minor__gt=0).exists()


def test_forged_callback_is_refused_and_changes_nothing(alice: Customer) -> None:
    card = card_for(alice)
    response = _topup(customer_client(alice), card.public_id, "100.00")
    topup = TopUp.objects.get(public_id=response.json()["id"])
    body = callback_body(
        operation=GatewayOperation.CHARGE,
        reference=topup.reference,
        gateway_ref="X",
        status=GatewayStatus.SUCCEEDED,
        amount=Money(100_00, "CNY"),
    )
    tampered = body.replace(b"100.00", b"999.00")

    unsigned = APIClient().post("/api/v1/gateway/callbacks", body, content_type="application/json")
    altered = APIClient().post(
        "/api/v1/gateway/callbacks",
        tampered,
        content_type="application/json",
        HTTP_X_GATEWAY_SIGNATURE=callback_sign(body),
    )

    assert unsigned.status_code == 401 and unsigned.json()["code"] == "gateway_signature_invalid"
    assert altered.status_code == 401
    assert TopUp.objects.get(pk=topup.pk).status == "PENDING"
    assert balance(wallet_of(alice)) == 0


def test_callback_with_another_amount_is_refused(alice: Customer) -> None:
    card = card_for(alice)
    response = _topup(customer_client(alice), card.public_id, "100.00")
    topup = TopUp.objects.get(public_id=response.json()["id"])
    body = callback_body(
        operation=GatewayOperation.CHARGE,
        reference=topup.reference,
        gateway_ref="X",
        status=GatewayStatus.SUCCEEDED,
        amount=Money(999_00, "CNY"),
    )

    answer = APIClient().post(
        "/api/v1/gateway/callbacks",
        body,
        content_type="application/json",
        HTTP_X_GATEWAY_SIGNATURE=callback_sign(body),
    )

    assert answer.status_code == 409 and answer.json()["code"] == "gateway_amount_mismatch"
    assert balance(wallet_of(alice)) == 0


def test_callback_for_unknown_reference_is_404() -> None:
    body = json.dumps(
        {
            "operation": "CHARGE",
            "reference": "TU-nope",
            "gateway_ref": "X",
            "status": "SUCCEEDED",
            "amount": "1.00",
            "currency": "CNY",
        }
    ).encode()

    answer = APIClient().post(
        "/api/v1/gateway/callbacks",
        body,
        content_type="application/json",
        HTTP_X_GATEWAY_SIGNATURE=callback_sign(body),
    )

    assert answer.status_code == 404 and answer.json()["code"] == "gateway_reference_unknown"


def test_topup_above_balance_cap_is_refused_before_charging(alice: Customer) -> None:
    card = card_for(alice)  # tier 2: balance cap 500,000.00 CNY

    response = _topup(customer_client(alice), card.public_id, "500000.01")

    assert response.status_code == 403 and response.json()["code"] == "balance_cap_exceeded"
    assert not TopUp.objects.exists()


def test_topup_credit_that_no_longer_fits_goes_to_suspense(alice: Customer) -> None:
    card = card_for(alice)
    response = _topup(customer_client(alice), card.public_id, "400000.00")
    reference = TopUp.objects.get(public_id=response.json()["id"]).reference
    wallet_fund(alice, "200000.00")  # meanwhile the wallet filled up

    deliver_callbacks(APIClient(), reference)

    topup = TopUp.objects.get(reference=reference)
    assert topup.status == "SUSPENSE" and topup.failure_code == "balance_cap_exceeded"
    assert balance(wallet_of(alice)) == 200000_00
    assert balance(system_account(LedgerAccount.Kind.SUSPENSE, "CNY")) == 400000_00


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (12.5, "invalid_amount"),
        ("1.234", "too_many_decimals"),
        ("0", "amount_not_positive"),
        ("-5.00", "amount_not_positive"),
        ("1e3", "invalid_amount"),
    ],
)
def test_bad_topup_amounts_are_400_and_nothing_happens(alice: Customer, amount: object, code: str) -> None:
    card = card_for(alice)

    response = _topup(customer_client(alice), card.public_id, amount)  # type: ignore[arg-type]

    assert response.status_code == 400 and response.json()["code"] == code
    assert not TopUp.objects.exists()


def test_unknown_currency_and_unsupported_currency(alice: Customer) -> None:
    card = card_for(alice)
    client = customer_client(alice)

    unknown = _topup(client, card.public_id, "10.00", currency="XYZ")
    usd = _topup(client, card.public_id, "10.00", currency="USD")

    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_currency"
    assert usd.status_code == 400 and usd.json()["code"] == "unsupported_currency"
    assert not TopUp.objects.exists()


def test_someone_elses_card_is_404(alice: Customer, bob: Customer) -> None:
    card = card_for(bob)

    response = _topup(customer_client(alice), card.public_id, "10.00")

    assert response.status_code == 404 and response.json()["code"] == "card_not_found"


def test_wrong_pin_is_403_and_nothing_happens(alice: Customer) -> None:
    card = card_for(alice)

    response = _topup(customer_client(alice), card.public_id, "10.00", pin="999999")

    assert response.status_code == 403 and response.json()["code"] == "payment_pin_invalid"
    assert not TopUp.objects.exists()


def test_frozen_customer_cannot_top_up(alice: Customer) -> None:
    card = card_for(alice)
    client = customer_client(alice)
    Customer.objects.filter(pk=alice.pk).update(status=Customer.Status.FROZEN)

    response = _topup(client, card.public_id, "10.00")

    assert response.status_code in (401, 403)
    assert not TopUp.objects.exists()


def test_topup_replay_returns_the_same_answer_and_charges_once(alice: Customer) -> None:
    card = card_for(alice)
    client = customer_client(alice)
    key = str(uuid.uuid4())
    body = {"card": str(card.public_id), "amount": "10.00", "currency": "CNY", "pin": PAYMENT_PIN}

    first = post_money(client, "/api/v1/topups", body, key)
    second = post_money(client, "/api/v1/topups", body, key)

    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert TopUp.objects.count() == 1


# --- withdrawals --------------------------------------------------------------------------------
def test_withdrawal_holds_then_captures_on_success(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    card = card_for(alice)
    client = customer_client(alice)

    response = _withdraw(client, card.public_id, "40.00")

    assert response.status_code == 202, response.json()
    withdrawal = Withdrawal.objects.get(public_id=response.json()["id"])
    assert withdrawal.hold.status == "AUTHORIZED"
    assert (balance(wallet), available(wallet)) == (100_00, 60_00)

    deliver_callbacks(APIClient(), withdrawal.reference)

    withdrawal.refresh_from_db()
    assert withdrawal.status == "COMPLETED"
    assert Hold.objects.get(pk=withdrawal.hold_id).status == "CAPTURED"
    assert (balance(wallet), available(wallet)) == (60_00, 60_00)
    assert balance(system_account(LedgerAccount.Kind.SETTLEMENT, "CNY")) == -100_00 + 40_00
    assert OutboxEvent.objects.filter(topic="withdrawal.completed").count() == 1


def test_declined_withdrawal_voids_the_hold(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    card = card_for(alice)

    response = _withdraw(customer_client(alice), card.public_id, "40.13")

    withdrawal = Withdrawal.objects.get(public_id=response.json()["id"])
    assert withdrawal.status == "FAILED"
    assert Hold.objects.get(pk=withdrawal.hold_id).status == "VOIDED"
    assert (balance(wallet), available(wallet)) == (100_00, 100_00)


def test_late_declined_withdrawal_voids_the_hold_once(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    card = card_for(alice)
    response = _withdraw(customer_client(alice), card.public_id, "40.16")
    withdrawal = Withdrawal.objects.get(public_id=response.json()["id"])

    deliver_callbacks(APIClient(), withdrawal.reference)
    deliver_callbacks(APIClient(), withdrawal.reference)

    assert Withdrawal.objects.get(pk=withdrawal.pk).status == "FAILED"
    assert available(wallet) == 100_00


def test_withdrawal_duplicate_callback_captures_once(alice: Customer) -> None:
    wallet = wallet_fund(alice, "100.00")
    card = card_for(alice)
    response = _withdraw(customer_client(alice), card.public_id, "40.15")
    reference = Withdrawal.objects.get(public_id=response.json()["id"]).reference

    deliver_callbacks(APIClient(), reference)

    assert (balance(wallet), available(wallet)) == (59_85, 59_85)


def test_withdrawal_insufficient_funds_changes_nothing(alice: Customer) -> None:
    wallet_fund(alice, "10.00")
    card = card_for(alice)
    before = ledger_snapshot()

    response = _withdraw(customer_client(alice), card.public_id, "10.01")

    assert response.status_code == 422 and response.json()["code"] == "insufficient_funds"
    assert ledger_snapshot()["holds"] == before["holds"]
    assert ledger_snapshot()["pending"] == before["pending"]
    assert not Withdrawal.objects.exists()


def test_withdrawal_wrong_pin_changes_nothing(alice: Customer) -> None:
    wallet_fund(alice, "10.00")
    card = card_for(alice)
    before = ledger_snapshot()

    response = _withdraw(customer_client(alice), card.public_id, "5.00", pin="000001")

    assert response.status_code == 403
    assert ledger_snapshot() == before


def test_other_customers_topup_is_404(alice: Customer) -> None:
    card = card_for(alice)
    response = _topup(customer_client(alice), card.public_id, "10.00")
    stranger = customer_client(CustomerFactory())

    assert stranger.get(f"/api/v1/topups/{response.json()['id']}").status_code == 404


def test_frozen_wallet_cannot_be_topped_up(alice: Customer) -> None:
    card = card_for(alice)
    wallet = wallet_fund(alice, "1.00")
    LedgerAccount.objects.filter(pk=wallet.pk).update(status=LedgerAccount.Status.FROZEN)

    response = _topup(customer_client(alice), card.public_id, "10.00")

    assert response.status_code == 403 and response.json()["code"] == "account_frozen"
    assert not TopUp.objects.exists()
