"""The money step resolves the accounts a payment names by code (payments 0013): the service path
reads no wallet before its one statement, and an account not opened yet is opened by the payment
itself, inside its block: a refused payment opens nothing, concurrent first payments open it once."""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from accounts.models import Customer
from core.money import Money
from payments.errors import InsufficientFunds
from payments.ledger import Leg, account_balance, system_account, transfer_post, wallet_code, wallet_unresolved
from payments.ledger.verify import ledger_verify
from payments.models import LedgerAccount, Merchant, MerchantPayment, Posting
from payments.services.merchant_payments import merchant_payment_create, merchant_static_qr
from payments.services.transfers import transfer_p2p_create
from tests.factories import PAYMENT_PIN, BranchFactory, CustomerFactory
from tests.payments.conftest import reference_data_ensure
from tests.payments.factories import customer_client, ledger_snapshot, wallet_fund
from tests.payments.factories_movements import post_money
from tests.payments.test_concurrency import run_threads


def _merchant_without_account() -> Merchant:
    """A merchant whose CNY account was never opened (``merchant_create`` opens it; this one did not)."""
    merchant = Merchant.objects.create(name="早餐铺", mcc="5814", signing_branch=BranchFactory(), currencies=["CNY"])
    assert not LedgerAccount.objects.filter(code=merchant.ledger_account_code("CNY")).exists()
    return merchant


@pytest.mark.django_db
def test_service_p2p_reads_no_wallet_and_returns_the_stored_accounts(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")
    stored = LedgerAccount.objects.get(code=wallet_code(alice, "CNY"))
    LedgerAccount.objects.filter(pk=stored.pk).update(name="legacy")  # any existing wallet, as stored

    transfer = transfer_p2p_create(sender=alice, recipient=bob, amount=Money(2_50, "CNY"))

    postings = transfer.written_postings  # type: ignore[attr-defined]
    bob_wallet = LedgerAccount.objects.get(code=wallet_code(bob, "CNY"))
    assert [p.account_id for p in postings] == [stored.pk, bob_wallet.pk]
    assert [p.counterparty_account_id for p in postings] == [bob_wallet.pk, stored.pk]
    assert list(Posting.objects.filter(transfer=transfer).order_by("id").values_list("account_id", flat=True)) == [
        stored.pk,
        bob_wallet.pk,
    ]
    assert [p.balance_after_minor for p in postings] == [7_50, 2_50]
    assert ledger_verify().ok


@pytest.mark.django_db
def test_service_p2p_corrects_the_public_id_of_a_wallet_opened_with_a_random_one(
    alice: Customer, bob: Customer
) -> None:
    wallet_fund(alice, "10.00")
    stored = LedgerAccount.objects.get(code=wallet_code(alice, "CNY"))
    source = wallet_unresolved(customer=alice, currency="CNY")
    source.public_id = uuid.uuid4()  # what Python guessed; the database knows better

    from payments.ledger.money_step import money_step_run
    from payments.services.transfers import _p2p_step

    step = _p2p_step(
        sender=alice,
        recipient=bob,
        amount=Money(1_00, "CNY"),
        memo="",
        source=source,
        destination=wallet_unresolved(customer=bob, currency="CNY"),
        raise_refusals=True,
    )
    money_step_run(step)

    assert (source.pk, source.public_id) == (stored.pk, stored.public_id)


@pytest.mark.django_db
def test_refused_service_p2p_opens_no_wallet(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "1.00")
    before = ledger_snapshot()

    with pytest.raises(InsufficientFunds):
        transfer_p2p_create(sender=alice, recipient=bob, amount=Money(5_00, "CNY"))

    assert not LedgerAccount.objects.filter(code=wallet_code(bob, "CNY")).exists()
    assert ledger_snapshot() == before


@pytest.mark.django_db
def test_transfer_post_refuses_an_account_without_an_id(alice: Customer) -> None:
    with pytest.raises(ValueError, match="opened accounts"):
        transfer_post(
            kind="ADJUSTMENT",
            legs=[
                Leg(system_account("SUSPENSE", "CNY"), Money(-1_00, "CNY")),
                Leg(wallet_unresolved(customer=alice, currency="CNY"), Money(1_00, "CNY")),
            ],
        )


@pytest.mark.django_db
def test_refused_merchant_payment_opens_no_merchant_account(alice: Customer) -> None:
    merchant = _merchant_without_account()
    wallet_fund(alice, "1.00")

    wrong_pin = post_money(
        customer_client(alice),
        "/api/v1/payments",
        {"qr": merchant_static_qr(merchant), "amount": "0.50", "currency": "CNY", "pin": "000000"},
    )
    too_much = post_money(
        customer_client(alice),
        "/api/v1/payments",
        {"qr": merchant_static_qr(merchant), "amount": "5.00", "currency": "CNY", "pin": PAYMENT_PIN},
    )

    assert wrong_pin.status_code in (401, 403), wrong_pin.json()
    assert too_much.status_code == 422, too_much.json()
    assert not LedgerAccount.objects.filter(code=merchant.ledger_account_code("CNY")).exists()


@pytest.mark.django_db
def test_first_merchant_payment_opens_the_merchant_hot_account(alice: Customer) -> None:
    merchant = _merchant_without_account()
    wallet_fund(alice, "10.00")

    payment = merchant_payment_create(customer=alice, qr=merchant_static_qr(merchant), amount=Money(3_00, "CNY"))

    account = LedgerAccount.objects.get(code=merchant.ledger_account_code("CNY"))
    assert (account.kind, account.is_hot, account.allow_negative) == ("MERCHANT", True, False)
    assert account.name == merchant.name
    assert account_balance(account).posted.minor == 3_00
    stored = MerchantPayment.objects.get(pk=payment.pk)
    assert stored.wallet_id == LedgerAccount.objects.get(code=wallet_code(alice, "CNY")).pk == payment.wallet_id
    assert ledger_verify().ok


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_payments_open_the_merchant_account_once_and_all_pay() -> None:
    reference_data_ensure()
    merchant = _merchant_without_account()
    payers = [CustomerFactory() for _ in range(8)]
    for payer in payers:
        wallet_fund(payer, "10.00")
    qr = merchant_static_qr(merchant)

    def pay(i: int) -> str:
        merchant_payment_create(customer=payers[i], qr=qr, amount=Money(1_25, "CNY"))
        return "paid"

    outcomes = run_threads(8, pay)

    assert outcomes == Counter({"paid": 8}), outcomes
    accounts = LedgerAccount.objects.filter(code=merchant.ledger_account_code("CNY"))
    assert accounts.count() == 1
    assert account_balance(accounts.get()).posted.minor == 8 * 1_25
    assert ledger_verify().ok
