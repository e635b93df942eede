"""Day and month spend counters are reserved in one statement; a refusal leaves both unchanged."""

import pytest
from django.db import transaction

from accounts.models import KycTier
from core.money import Money
from payments.errors import LimitExceeded
from payments.limits import limits_check_outgoing
from payments.models import CustomerSpendCounter
from tests.factories import CustomerFactory

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
