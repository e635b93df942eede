"""Day and month spend counters are reserved in one statement; a refusal leaves both unchanged."""

import uuid

import pytest
from django.db import transaction

from accounts.models import KycTier
from core.money import Money
from payments.errors import BalanceCapExceeded, KycRequired, LimitExceeded
from payments.errors_movements import FxRateUnavailable
from payments.ledger import wallet_get_or_create
from payments.limits import cny_equivalent, limits_check_incoming_balance, limits_check_outgoing
from payments.models import CustomerSpendCounter
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.factories import customer_client, wallet_fund
from tests.payments.factories_movements import fx_rate_make

pytestmark = pytest.mark.django_db


def counters(customer) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return dict(CustomerSpendCounter.objects.filter(customer=customer).values_list("period", "spent_minor"))


def reserve(customer, minor: int) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():  # the payment's savepoint: a refusal rolls the reservation back
        limits_check_outgoing(customer=customer, amount=Money(minor, "CNY"))


@pytest.fixture
def tight_tier() -> KycTier:
    return KycTier.objects.create(
        level=7,
        name="test",
        per_transaction_limit_minor=10_000,
        daily_limit_minor=25_000,
        monthly_limit_minor=30_000,
        balance_cap_minor=10**9,
    )


def test_both_counters_move_together(tight_tier: KycTier) -> None:
    customer = CustomerFactory(kyc_tier=tight_tier)

    reserve(customer, 10_000)
    reserve(customer, 5_000)

    assert counters(customer) == {"DAY": 15_000, "MONTH": 15_000}


def test_daily_limit_refuses_and_changes_nothing(tight_tier: KycTier) -> None:
    customer = CustomerFactory(kyc_tier=tight_tier)
    reserve(customer, 10_000)
    reserve(customer, 10_000)

    with pytest.raises(LimitExceeded) as caught:
        reserve(customer, 10_000)

    assert caught.value.details == {"limit": "daily"}
    assert counters(customer) == {"DAY": 20_000, "MONTH": 20_000}


def test_monthly_limit_refuses_and_the_day_reservation_is_rolled_back(tight_tier: KycTier) -> None:
    customer = CustomerFactory(kyc_tier=tight_tier)
    reserve(customer, 10_000)
    reserve(customer, 10_000)
    # Yesterday's spending counts for the month only.
    CustomerSpendCounter.objects.filter(customer=customer, period="DAY").update(spent_minor=0)
    reserve(customer, 5_000)

    with pytest.raises(LimitExceeded) as caught:
        reserve(customer, 6_000)

    assert caught.value.details == {"limit": "monthly"}
    assert counters(customer) == {"DAY": 5_000, "MONTH": 25_000}


def test_wallets_of_several_customers_in_one_call_keep_their_order() -> None:
    from payments.ledger import wallet_get_or_create, wallets_get_or_create

    first, second = CustomerFactory(), CustomerFactory()
    existing = wallet_get_or_create(customer=second, currency="CNY")

    wallets = wallets_get_or_create(customers=[first, second], currency="CNY")

    assert [w.customer_id for w in wallets] == [first.pk, second.pk]
    assert wallets[1].pk == existing.pk
    assert wallets_get_or_create(customers=[first, second], currency="CNY") == wallets


def test_unverified_customer_cannot_send_usd_without_limit() -> None:
    """Review (high): tier 0 sent 900,000.00 USD by P2P because limits applied to CNY only."""
    mule = CustomerFactory(kyc_tier_id=0)
    friend = CustomerFactory()
    wallet_fund(mule, "1000000.00", currency="USD")  # e.g. received by P2P from a verified customer
    client = customer_client(mule)
    body = {"to_phone": friend.phone, "currency": "CNY", "pin": PAYMENT_PIN}

    cny = client.post(
        "/api/v1/transfers", {**body, "amount": "1.00"}, format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    usd = client.post(
        "/api/v1/transfers",
        {**body, "amount": "900000.00", "currency": "USD"},
        format="json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )

    assert cny.status_code == 403, cny.json()
    assert usd.status_code == 403, f"tier 0 sent 900,000.00 USD P2P: {usd.status_code} {usd.json()}"
    assert usd.json()["code"] == "kyc_required"


def test_usd_counts_against_the_cny_counters_at_the_approved_mid_rounded_up(tight_tier: KycTier) -> None:
    """Review (high): another currency counts at its CNY equivalent (approved mid, ROUND_UP)."""
    fx_rate_make("USD", "CNY", mid="7.1000")
    customer = CustomerFactory(kyc_tier=tight_tier)

    with transaction.atomic():
        limits_check_outgoing(customer=customer, amount=Money(10_01, "USD"))  # 71.071 CNY -> 71.08

    assert counters(customer) == {"DAY": 71_08, "MONTH": 71_08}
    with pytest.raises(LimitExceeded) as error, transaction.atomic():
        limits_check_outgoing(customer=customer, amount=Money(14_09, "USD"))  # 100.039 -> 100.04 > 100.00
    assert error.value.details["limit"] == "per_transaction"
    assert counters(customer) == {"DAY": 71_08, "MONTH": 71_08}


def test_the_inverse_pair_and_only_approved_rates_are_used() -> None:
    """Review (high): a CNY/EUR row is read inverted; a PENDING rate never prices a limit."""
    fx_rate_make("CNY", "EUR", mid="0.1250")
    pending = fx_rate_make("EUR", "CNY", mid="1.0000")
    pending.status = "PENDING"
    pending.save(update_fields=["status"])

    assert cny_equivalent(Money(1_00, "EUR")) == Money(8_00, "CNY")


def test_a_currency_without_an_approved_rate_is_refused_not_let_through(tight_tier: KycTier) -> None:
    """Review (high): no rate for the currency is a clear refusal, and nothing is reserved."""
    customer = CustomerFactory(kyc_tier=tight_tier)

    with pytest.raises(FxRateUnavailable), transaction.atomic():
        limits_check_outgoing(customer=customer, amount=Money(1, "JPY"))

    assert counters(customer) == {}


def test_tier_zero_refuses_usd_before_any_rate_is_needed() -> None:
    """Review (high): tier 0 is kyc_required whatever the currency, rate or not."""
    customer = CustomerFactory(kyc_tier_id=0)

    with pytest.raises(KycRequired), transaction.atomic():
        limits_check_outgoing(customer=customer, amount=Money(1, "USD"))


def test_balance_cap_applies_to_a_usd_wallet_at_its_cny_equivalent() -> None:
    """Review (high): the cap covers each wallet converted to CNY (basic tier: 10,000.00 CNY)."""
    fx_rate_make("USD", "CNY", mid="7.1000")
    customer = CustomerFactory(kyc_tier_id=1)
    wallet_fund(customer, "1408.45", currency="USD")  # 9,999.9950 CNY -> 10,000.00: at the cap
    wallet = wallet_get_or_create(customer=customer, currency="USD")
    limits_check_incoming_balance(account=wallet)

    wallet_fund(customer, "0.01", currency="USD")

    with pytest.raises(BalanceCapExceeded):
        limits_check_incoming_balance(account=wallet)
