"""The ledger's one unwind operation: refunds, reversals and staff refunds of one payment never
return more than was paid, in any order and concurrently (issue 8, item 1)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from accounts.models import Customer
from core.money import Money
from payments.errors import AlreadyReversed, UnwindExceedsRemaining
from payments.errors_movements import RefundExceedsPayment
from payments.ledger import Leg, system_account, transfer_post, transfer_reverse, transfer_unwound
from payments.models import LedgerAccount, MerchantPayment, Posting, Refund, Transfer
from payments.services.adjustments import adjustment_approve, adjustment_request_create
from payments.services.merchant_payments import merchant_ledger_account, merchant_payment_create, merchant_static_qr
from payments.services.refunds import refund_create
from tests.factories import CustomerFactory, StaffFactory
from tests.payments.factories import wallet_fund
from tests.payments.factories_movements import balance, merchant_make, staff_roles_ensure, wallet_of
from tests.payments.test_concurrency import run_threads


def _pay(customer: Customer, merchant, amount: str) -> MerchantPayment:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return merchant_payment_create(
            customer=customer, qr=merchant_static_qr(merchant), amount=Money.parse(amount, "CNY"), currency="CNY"
        )


def _staff(customer: Customer):  # type: ignore[no-untyped-def]
    staff_roles_ensure()
    return StaffFactory(roles=["CUSTOMER_SERVICE"], branch=customer.home_branch), StaffFactory(roles=["RISK_OFFICER"])


def _returned(payment: MerchantPayment) -> int:
    """What went back from the merchant for this payment, counted from the ledger independently of
    the kernel: every posting debiting the merchant in a transfer linked to the payment."""
    linked = Transfer.objects.filter(reverses=payment.transfer).values("pk")
    refunds = Refund.objects.filter(original_transfer=payment.transfer).values("transfer_id")
    debited = Posting.objects.filter(
        account=merchant_ledger_account(payment.merchant, "CNY"), amount_minor__lt=0
    ).filter(transfer_id__in=linked.union(refunds))
    return -(debited.aggregate(s=Sum("amount_minor"))["s"] or 0)


@pytest.mark.django_db
def test_reversed_payment_cannot_then_be_refunded(alice: Customer) -> None:
    wallet_fund(alice, "100.00")
    payment = _pay(alice, merchant_make(), "60.00")
    maker, checker = _staff(alice)
    request = adjustment_request_create(
        maker=maker, kind="REVERSAL", reason="duplicate charge", target_transfer=payment.transfer
    )
    adjustment_approve(adjustment_id=request.pk, checker=checker)

    with pytest.raises(AlreadyReversed):
        refund_create(
            payment_transfer=payment.transfer, amount=Money(60_00, "CNY"), reason="again", initiated_by_staff=maker
        )

    assert balance(wallet_of(alice)) == 100_00
    assert _returned(payment) == 60_00 and not Refund.objects.exists()


@pytest.mark.django_db
def test_partly_refunded_payment_cannot_then_be_reversed(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    wallet_fund(bob, "100.00")
    merchant = merchant_make()
    payment = _pay(alice, merchant, "60.00")
    _pay(bob, merchant, "50.00")  # the merchant could cover a second return
    maker, _checker = _staff(alice)
    refund_create(
        payment_transfer=payment.transfer, amount=Money(20_00, "CNY"), reason="part", initiated_by_staff=maker
    )

    with pytest.raises(UnwindExceedsRemaining):
        adjustment_request_create(maker=maker, kind="REVERSAL", reason="dup", target_transfer=payment.transfer)
    with pytest.raises(UnwindExceedsRemaining), transaction.atomic():
        transfer_reverse(transfer=payment.transfer, reason_code="TEST")

    assert balance(wallet_of(alice)) == 60_00
    assert _returned(payment) == 20_00
    assert transfer_unwound(payment.transfer).remaining == Money(40_00, "CNY")


@pytest.mark.django_db
def test_refund_after_partial_refund_is_capped_at_what_is_left(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "100.00")
    wallet_fund(bob, "100.00")
    merchant = merchant_make()
    payment = _pay(alice, merchant, "60.00")
    _pay(bob, merchant, "50.00")
    maker, _checker = _staff(alice)
    refund_create(
        payment_transfer=payment.transfer, amount=Money(50_00, "CNY"), reason="part", initiated_by_staff=maker
    )

    with pytest.raises(RefundExceedsPayment) as exc:
        refund_create(
            payment_transfer=payment.transfer, amount=Money(20_00, "CNY"), reason="more", initiated_by_staff=maker
        )

    assert exc.value.details["refundable"] == "10.00"
    assert _returned(payment) == 50_00


@pytest.mark.django_db
def test_an_unwind_cannot_be_unwound(alice: Customer) -> None:
    wallet = wallet_fund(alice, "10.00")
    with transaction.atomic():
        topup = transfer_post(
            kind=Transfer.Kind.TOPUP,
            legs=[
                Leg(system_account(LedgerAccount.Kind.SETTLEMENT, "CNY"), -Money(5_00, "CNY")),
                Leg(wallet, Money(5_00, "CNY")),
            ],
        )
        reversal = transfer_reverse(transfer=topup, reason_code="TEST")

    from payments.errors import TransferNotReversible

    with pytest.raises(TransferNotReversible), transaction.atomic():
        transfer_reverse(transfer=reversal, reason_code="TEST")


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["refund", "reverse", "staff_refund"]),
        st.integers(min_value=0, max_value=1),  # which payment
        st.integers(min_value=1, max_value=60_00),  # amount (refunds)
    ),
    min_size=2,
    max_size=6,
)


@pytest.mark.django_db(transaction=True)
@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: each example is threads on a real database
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=_OPS)
def test_concurrent_refunds_reversals_and_staff_refunds_never_return_more_than_paid(
    ops: list[tuple[str, int, int]],
) -> None:
    customers = [CustomerFactory(), CustomerFactory()]
    for customer in customers:
        wallet_fund(customer, "100.00")
    merchant = merchant_make()
    payments = [_pay(customers[0], merchant, "60.00"), _pay(customers[1], merchant, "45.50")]
    wallet_fund(customers[0], "1.00")  # noise on the wallets between payment and unwind
    staff_roles_ensure()
    checker = StaffFactory(roles=["RISK_OFFICER"])
    makers = [StaffFactory(roles=["CUSTOMER_SERVICE"], branch=c.home_branch) for c in customers]

    def work(i: int) -> str:
        op, which, amount_minor = ops[i]
        payment = payments[which]
        amount = Money(min(amount_minor, payment.amount_minor), "CNY")
        if op == "refund":
            refund_create(payment_transfer=payment.transfer, amount=amount, reason="r", initiated_by_staff=None)
        elif op == "reverse":
            request = adjustment_request_create(
                maker=makers[which], kind="REVERSAL", reason="v", target_transfer=payment.transfer
            )
            adjustment_approve(adjustment_id=request.pk, checker=checker)
        else:
            request = adjustment_request_create(
                maker=makers[which], kind="REFUND", reason="s", amount=amount, target_transfer=payment.transfer
            )
            adjustment_approve(adjustment_id=request.pk, checker=checker)
        return "ok"

    outcomes = run_threads(len(ops), work)

    assert not [o for o in outcomes if o.startswith("unexpected")], outcomes
    assert outcomes["ok"] >= 1
    for payment in payments:
        returned = _returned(payment)
        assert returned <= payment.amount_minor
        assert returned == transfer_unwound(payment.transfer).returned.minor
    assert balance(wallet_of(customers[0])) == 100_00 - 60_00 + 1_00 + _returned(payments[0])
    assert balance(wallet_of(customers[1])) == 100_00 - 45_50 + _returned(payments[1])
    assert balance(merchant_ledger_account(merchant, "CNY")) == 60_00 + 45_50 - sum(_returned(p) for p in payments)


@pytest.mark.django_db
def test_reading_wallets_never_creates_one() -> None:
    from tests.payments.factories import customer_client

    customer = CustomerFactory()
    client = customer_client(customer)

    listed = client.get("/api/v1/wallets")
    detail = client.get("/api/v1/wallets/CNY")

    assert listed.status_code == 200 and detail.status_code == 200
    assert listed.json()["results"][0]["balance"]["available"]["amount"] == "0.00"
    assert detail.json()["id"] == listed.json()["results"][0]["id"]
    assert not LedgerAccount.objects.filter(customer=customer).exists()
    wallet_fund(customer, "1.00")  # the first money movement opens it, with the id already shown
    assert str(wallet_of(customer).public_id) == listed.json()["results"][0]["id"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [Transfer.Kind.REFUND, Transfer.Kind.REVERSAL, Transfer.Kind.P2P])
def test_transfer_post_with_reversal_kind_bypasses_unwind(alice: Customer, bob: Customer, kind: str) -> None:
    """Review (low): transfer_post took REFUND/REVERSAL and reverses= directly, outside transfer_unwind."""
    a = wallet_fund(alice, "10.00")
    b = wallet_fund(bob, "100.00")
    with transaction.atomic():
        t = transfer_post(kind=Transfer.Kind.P2P, legs=[Leg(a, -Money(10_00, "CNY")), Leg(b, Money(10_00, "CNY"))])
    before = Transfer.objects.count()

    with pytest.raises(ValueError, match="transfer_unwind"), transaction.atomic():
        transfer_post(
            kind=kind,
            reverses=t,
            reason_code="X",
            legs=[Leg(wallet_of(bob), -Money(5_00, "CNY")), Leg(wallet_of(alice), Money(5_00, "CNY"))],
        )
    with pytest.raises(ValueError, match="transfer_unwind"), transaction.atomic():
        transfer_post(
            kind=Transfer.Kind.REFUND if kind == Transfer.Kind.P2P else kind,
            legs=[Leg(wallet_of(bob), -Money(5_00, "CNY")), Leg(wallet_of(alice), Money(5_00, "CNY"))],
        )

    assert Transfer.objects.count() == before
    assert balance(wallet_of(alice)) == 0 and balance(wallet_of(bob)) == 110_00
