"""Reviewer: money paths that move money to or from a FROZEN customer, and what the app role can do.

Each test states the expected (safe) behaviour; a failure is a finding.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from accounts.models import Customer
from accounts.services import staff as staff_services
from core.money import Money
from payments.errors import AccountFrozen, InsufficientFunds
from payments.integrations import GatewayStatus
from payments.ledger import Leg, transfer_post, wallet_get_or_create
from payments.models import AdjustmentRequest, LedgerAccount, TopUp, Transfer
from payments.services.adjustments import adjustment_approve, adjustment_request_create
from payments.services.funding import topup_apply_outcome, topup_create
from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
from payments.services.refunds import refund_create
from tests.factories import StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import balance, card_for, merchant_make, staff_roles_ensure, wallet_of

pytestmark = pytest.mark.django_db


def _freeze(customer: Customer) -> None:
    staff_roles_ensure()
    officer = StaffFactory(roles=["RISK_OFFICER"])
    staff_services.customer_status_change(staff=officer, customer=customer, action="freeze", reason="fraud")
    customer.refresh_from_db()
    assert customer.status == Customer.Status.FROZEN


def test_topup_confirmed_after_a_freeze_does_not_credit_the_frozen_customer(alice: Customer) -> None:
    """A top-up requested before a freeze and confirmed by the bank after it: the money must not
    become the frozen customer's balance (funding.py docstring: wallet frozen -> SUSPENSE)."""
    wallet_fund(alice, "1.00")
    with transaction.atomic():
        topup = topup_create(customer=alice, card_public_id=card_for(alice).public_id, amount=Money(50_00, "CNY"))
    _freeze(alice)
    assert topup_apply_outcome(reference=topup.reference, status=GatewayStatus.SUCCEEDED, gateway_ref="SIMX")
    topup.refresh_from_db()
    assert balance(wallet_of(alice)) == 1_00, "a frozen customer's wallet was credited by a top-up"
    assert topup.status == "SUSPENSE", topup.status


def _pay(customer: Customer, amount: str = "60.00") -> Any:
    with transaction.atomic():
        return merchant_payment_create(
            customer=customer, qr=merchant_static_qr(merchant_make()), amount=Money.parse(amount, "CNY"), currency="CNY"
        )


def test_refund_to_a_frozen_customer_is_refused(alice: Customer) -> None:
    """A merchant refund credits the frozen customer's wallet although a frozen customer
    'can neither send nor receive' (customer_ensure_can_transact); P2P to them is refused."""
    wallet_fund(alice, "100.00")
    payment = _pay(alice)
    _freeze(alice)
    before = balance(wallet_of(alice))
    with pytest.raises(AccountFrozen):
        refund_create(payment_transfer=payment.transfer, amount=Money(60_00, "CNY"), reason="r", initiated_by_staff=None)
    assert balance(wallet_of(alice)) == before


def test_manual_credit_to_a_frozen_customer_is_refused(alice: Customer) -> None:
    staff_roles_ensure()
    wallet = wallet_fund(alice, "1.00")
    maker, checker = StaffFactory(roles=["TELLER"], branch=alice.home_branch), StaffFactory(roles=["BRANCH_MANAGER"])
    req = adjustment_request_create(
        maker=maker, kind=AdjustmentRequest.Kind.MANUAL_CREDIT, reason="goodwill", amount=Money(10_00, "CNY"),
        target_account=wallet,
    )
    _freeze(alice)
    with pytest.raises(AccountFrozen):
        adjustment_approve(adjustment_id=req.pk, checker=checker)


def test_app_role_cannot_mint_spendable_balance(alice: Customer, bob: Customer) -> None:
    """The application role may UPDATE posted_minor directly (column grant); the ledger then lets
    the customer spend money no posting ever gave them. Only the nightly verify sees it."""
    wallet = wallet_fund(alice, "1.00")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "tongbao_app"
        try:
            with transaction.atomic():
                cursor.execute(
                    "UPDATE payments_ledgeraccount SET posted_minor = posted_minor + 100000000 WHERE id = %s",
                    [wallet.pk],
                )
            minted = True
        except Exception:  # noqa: BLE001
            minted = False
    if minted:
        dest = wallet_get_or_create(customer=bob, currency="CNY")
        with transaction.atomic():
            transfer_post(
                kind=Transfer.Kind.P2P,
                legs=[Leg(LedgerAccount.objects.get(pk=wallet.pk), -Money(500_000_00, "CNY")),
                      Leg(dest, Money(500_000_00, "CNY"))],
            )
    assert not minted, "app role raised a wallet's posted balance by 1,000,000.00 with one UPDATE and spent it"


def test_transfer_post_with_reversal_kind_bypasses_unwind(alice: Customer, bob: Customer) -> None:
    """transfer_post accepts kind=REVERSAL/REFUND (and reverses=) directly: the 'one unwind
    operation' is a convention, not enforced by the kernel; such a transfer also passes FROZEN accounts."""
    a = wallet_fund(alice, "10.00")
    b = wallet_fund(bob, "100.00")  # bob has other money, so InsufficientFunds is not what stops it
    with transaction.atomic():
        t = transfer_post(kind=Transfer.Kind.P2P, legs=[Leg(a, -Money(10_00, "CNY")), Leg(b, Money(10_00, "CNY"))])
    refused = False
    try:
        with transaction.atomic():
            for _ in range(2):  # two "refunds" of the whole payment, outside transfer_unwind
                transfer_post(kind=Transfer.Kind.REFUND, reverses=t, reason_code="X",
                              legs=[Leg(LedgerAccount.objects.get(pk=b.pk), -Money(5_00, "CNY")),
                                    Leg(LedgerAccount.objects.get(pk=a.pk), Money(5_00, "CNY"))])
            transfer_post(kind=Transfer.Kind.REFUND, reverses=t, reason_code="X",
                          legs=[Leg(LedgerAccount.objects.get(pk=b.pk), -Money(1, "CNY")),
                                Leg(LedgerAccount.objects.get(pk=a.pk), Money(1, "CNY"))])
    except InsufficientFunds:
        raise
    except Exception:  # noqa: BLE001
        refused = True
    assert refused, "transfer_post let REFUND-kind transfers linked to t return more than t's amount"


def test_withdrawal_payout_is_not_sent_after_a_freeze(alice: Customer, monkeypatch: pytest.MonkeyPatch) -> None:
    """withdrawal_create commits (hold placed), then risk freezes the customer to stop a cash-out.
    withdrawal_submit (after commit, and the poller's re-submit) still sends the payout and the
    capture debits the frozen customer's wallet: the freeze did not stop money leaving."""
    from payments.integrations import GatewayResult
    from payments.services import funding
    from payments.services.funding import withdrawal_create, withdrawal_submit

    wallet_fund(alice, "100.00")
    with transaction.atomic():
        withdrawal = withdrawal_create(customer=alice, card_public_id=card_for(alice).public_id,
                                       amount=Money(80_00, "CNY"))
    _freeze(alice)
    sent: list[str] = []

    class Bank:
        def payout(self, *, card_token: str, amount: Money, reference: str) -> GatewayResult:
            sent.append(reference)
            return GatewayResult(status=GatewayStatus.SUCCEEDED, gateway_ref="SIMW", reference=reference)

    monkeypatch.setattr(funding, "bank_gateway", lambda: Bank())
    withdrawal_submit(withdrawal_id=withdrawal.pk)
    assert not sent, f"payout sent for a frozen customer; wallet now {balance(wallet_of(alice))}"


@pytest.mark.django_db(transaction=True)
def test_app_role_cannot_add_postings_to_a_committed_transfer(alice: Customer, bob: Customer) -> None:
    """Append-only is enforced per row (no UPDATE/DELETE), not per transfer: the app role can INSERT
    a balanced pair of postings into a transfer committed long ago (its zero-sum trigger passes)."""
    a = wallet_fund(alice, "10.00")
    b = wallet_get_or_create(customer=bob, currency="CNY")
    t = Transfer.objects.filter(postings__account=a).order_by("id").first()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO payments_posting (transfer_id, account_id, amount_minor, currency, created_at) "
                "VALUES (%s, %s, -100000, 'CNY', now()), (%s, %s, 100000, 'CNY', now())",
                [t.pk, a.pk, t.pk, b.pk],
            )
        added = True
    except Exception:  # noqa: BLE001
        added = False
    assert not added, f"two postings were appended to committed transfer {t.pk} by the app role"
