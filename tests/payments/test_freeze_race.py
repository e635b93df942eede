"""A freeze that has committed stops every payment that has not yet committed (issue 8, item 2).

Two connections (two threads) on real PostgreSQL. The contract (``payments.ledger.
customer_ensure_can_transact``, and ``payments_pay`` for P2P and merchant payments): the payment
reads the customer's status under a row lock (``FOR SHARE``; ``FOR NO KEY UPDATE`` in the money
step) and keeps it until it commits; the freeze changes it under ``FOR UPDATE``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from accounts.models import Customer
from accounts.services import staff as staff_services
from core.money import Money
from payments.errors import AccountFrozen
from payments.models import MerchantPayment
from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
from tests.factories import StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import balance, merchant_make, staff_roles_ensure, wallet_of

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(fn: Any, box: dict[str, Any]) -> threading.Thread:
    def run() -> None:
        try:
            box["result"] = fn()
        except Exception as exc:  # noqa: BLE001 - asserted by the test
            box["error"] = exc
        finally:
            box["ended_at"] = time.monotonic()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _pay(customer: Customer, merchant: Any) -> Any:
    def go() -> MerchantPayment:
        with transaction.atomic():
            return merchant_payment_create(
                customer=customer, qr=merchant_static_qr(merchant), amount=Money(60_00, "CNY"), currency="CNY"
            )

    return go


def _freeze(customer: Customer) -> Any:
    staff_roles_ensure()
    officer = StaffFactory(roles=["RISK_OFFICER"])
    return lambda: staff_services.customer_status_change(
        staff=officer, customer=customer, action="freeze", reason="suspected fraud"
    )


def test_freeze_cannot_commit_under_a_payment_past_its_status_check(alice: Customer) -> None:
    """The payment's money step (``payments_pay``) checks the status and writes in one statement,
    holding the customer's row lock to its commit: a freeze arriving after the check, while the
    payment's transaction is still open, waits for it (the payment is paused right after its step,
    before COMMIT)."""
    wallet_fund(alice, "100.00")
    merchant = merchant_make()
    freeze = _freeze(alice)
    paused, release = threading.Event(), threading.Event()

    def pay_then_pause_before_commit() -> MerchantPayment:
        with transaction.atomic():
            payment = merchant_payment_create(
                customer=alice, qr=merchant_static_qr(merchant), amount=Money(60_00, "CNY"), currency="CNY"
            )
            paused.set()
            release.wait(10)
            return payment

    payment_box: dict[str, Any] = {}
    freeze_box: dict[str, Any] = {}

    payment_thread = _in_thread(pay_then_pause_before_commit, payment_box)
    assert paused.wait(10)
    freeze_thread = _in_thread(freeze, freeze_box)
    freeze_thread.join(1.0)
    freeze_committed_while_paused = not freeze_thread.is_alive()
    release.set()
    payment_thread.join(10)
    freeze_thread.join(10)

    assert "error" not in freeze_box, freeze_box
    assert "result" in payment_box, payment_box
    assert Customer.objects.get(pk=alice.pk).status == Customer.Status.FROZEN
    assert not freeze_committed_while_paused, "the freeze must wait for the payment's row lock"
    assert balance(wallet_of(alice)) == 40_00


def test_payment_waits_for_a_freeze_in_progress_then_fails_and_moves_nothing(
    alice: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    wallet_fund(alice, "100.00")
    merchant = merchant_make()
    freeze = _freeze(alice)
    paused, release = threading.Event(), threading.Event()
    original_audit = staff_services.audit_record

    def pause_before_commit(**kwargs: Any) -> Any:  # the status is updated, not yet committed
        paused.set()
        release.wait(10)
        return original_audit(**kwargs)

    monkeypatch.setattr(staff_services, "audit_record", pause_before_commit)
    payment_box: dict[str, Any] = {}
    freeze_box: dict[str, Any] = {}

    freeze_thread = _in_thread(freeze, freeze_box)
    assert paused.wait(10)
    payment_thread = _in_thread(_pay(alice, merchant), payment_box)
    payment_thread.join(1.0)
    payment_done_before_freeze = not payment_thread.is_alive()
    release.set()
    freeze_thread.join(10)
    payment_thread.join(10)

    assert "error" not in freeze_box, freeze_box
    assert not payment_done_before_freeze, payment_box
    assert isinstance(payment_box.get("error"), AccountFrozen), payment_box
    assert balance(wallet_of(alice)) == 100_00 and not MerchantPayment.objects.exists()


def test_p2p_to_a_recipient_being_frozen_waits_then_fails_and_moves_nothing(
    alice: Customer, bob: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from payments.services.transfers import transfer_p2p_create

    wallet_fund(alice, "100.00")
    freeze = _freeze(bob)
    paused, release = threading.Event(), threading.Event()
    original_audit = staff_services.audit_record

    def pause_before_commit(**kwargs: Any) -> Any:
        paused.set()
        release.wait(10)
        return original_audit(**kwargs)

    monkeypatch.setattr(staff_services, "audit_record", pause_before_commit)

    def send() -> Any:
        with transaction.atomic():
            return transfer_p2p_create(sender=alice, recipient=bob, amount=Money(10_00, "CNY"))

    payment_box: dict[str, Any] = {}
    freeze_box: dict[str, Any] = {}
    freeze_thread = _in_thread(freeze, freeze_box)
    assert paused.wait(10)
    payment_thread = _in_thread(send, payment_box)
    payment_thread.join(1.0)
    sent_during_freeze = not payment_thread.is_alive()
    release.set()
    freeze_thread.join(10)
    payment_thread.join(10)

    assert not sent_during_freeze, payment_box
    assert isinstance(payment_box.get("error"), AccountFrozen), payment_box
    assert balance(wallet_of(alice)) == 100_00
