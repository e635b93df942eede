"""FX pricing (payments.fx), quotes and conversions through the FX position accounts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Customer
from core.money import Money
from payments.fx import customer_rate, price_buy_amount, price_sell_amount
from payments.ledger import system_account
from payments.models import FxQuote, LedgerAccount, Posting, Transfer
from tests.factories import PAYMENT_PIN, CustomerFactory
from tests.payments.factories import customer_client, ledger_snapshot, wallet_fund
from tests.payments.factories_movements import balance, fx_rate_make, post_money, wallet_of


def test_customer_rates_include_the_spread_on_each_side() -> None:
    sell_usd = customer_rate(mid_rate=Decimal("7.1"), spread_bps=50, sell_is_base=True)
    buy_usd = customer_rate(mid_rate=Decimal("7.1"), spread_bps=50, sell_is_base=False)

    assert sell_usd == Decimal("7.064500000000")
    assert buy_usd == Decimal("0.140144348679")  # 1 / (7.1 * 1.005) = 0.1401443486791..., truncated


def test_buy_side_is_rounded_down_and_exact_buy_rounds_sell_up() -> None:
    rate = Decimal("0.140143291852")

    by_sell = price_sell_amount(sell=Money(100_00, "CNY"), buy_currency="USD", rate=rate)
    by_buy = price_buy_amount(buy=Money(100_00, "USD"), sell_currency="CNY", rate=rate)

    assert by_sell.buy == Money(14_01, "USD")  # 14.0143... -> 14.01
    assert by_buy.sell == Money(713_56, "CNY")  # 713.555... -> 713.56
    assert price_sell_amount(sell=by_buy.sell, buy_currency="USD", rate=rate).buy >= Money(100_00, "USD")


def test_jpy_has_no_minor_units() -> None:
    price = price_sell_amount(sell=Money(100_00, "CNY"), buy_currency="JPY", rate=Decimal("21.0"))

    assert price.buy == Money(2100, "JPY")


def _quote(client, **body: object):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/fx/quotes", body, format="json")


@pytest.mark.django_db
def test_quote_then_convert_moves_both_currencies_through_fx_position(alice: Customer) -> None:
    fx_rate_make("USD", "CNY", "7.1000", 50)
    wallet_fund(alice, "1000.00")
    client = customer_client(alice)

    quote = _quote(client, sell_currency="CNY", buy_currency="USD", sell_amount="710.50")
    assert quote.status_code == 201, quote.json()
    assert quote.json()["buy"] == {"amount": "99.57", "currency": "USD"}  # 710.50 * 0.140143291852 = 99.5718...
    conversion = post_money(client, "/api/v1/fx/conversions", {"quote": quote.json()["id"], "pin": PAYMENT_PIN})

    assert conversion.status_code == 201, conversion.json()
    assert conversion.json()["status"] == "USED"
    assert balance(wallet_of(alice, "CNY")) == 289_50
    assert balance(wallet_of(alice, "USD")) == 99_57
    assert balance(system_account(LedgerAccount.Kind.FX_POSITION, "CNY")) == 710_50
    assert balance(system_account(LedgerAccount.Kind.FX_POSITION, "USD")) == -99_57
    transfer = Transfer.objects.get(public_id=conversion.json()["transfer_id"])
    sums: dict[str, int] = {}
    for p in Posting.objects.filter(transfer=transfer):
        sums[p.currency] = sums.get(p.currency, 0) + p.amount_minor
    assert sums == {"CNY": 0, "USD": 0}


@pytest.mark.django_db
def test_inverse_pair_and_buy_amount(alice: Customer) -> None:
    fx_rate_make("USD", "CNY", "7.1000", 50)
    wallet_fund(alice, "1000.00")
    client = customer_client(alice)

    quote = _quote(client, sell_currency="CNY", buy_currency="USD", buy_amount="100.00")

    assert quote.json()["buy"] == {"amount": "100.00", "currency": "USD"}
    assert quote.json()["sell"] == {"amount": "713.56", "currency": "CNY"}


@pytest.mark.django_db
def test_expired_quote_is_400_and_nothing_moves(alice: Customer) -> None:
    fx_rate_make()
    wallet_fund(alice, "1000.00")
    client = customer_client(alice)
    quote_id = _quote(client, sell_currency="CNY", buy_currency="USD", sell_amount="100.00").json()["id"]
    FxQuote.objects.filter(public_id=quote_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = ledger_snapshot()

    response = post_money(client, "/api/v1/fx/conversions", {"quote": quote_id, "pin": PAYMENT_PIN})

    assert response.status_code == 400 and response.json()["code"] == "quote_expired"
    assert ledger_snapshot() == before
    assert FxQuote.objects.get(public_id=quote_id).status == "OPEN"


@pytest.mark.django_db
def test_quote_is_used_once_and_is_private(alice: Customer) -> None:
    fx_rate_make()
    wallet_fund(alice, "1000.00")
    client = customer_client(alice)
    quote_id = _quote(client, sell_currency="CNY", buy_currency="USD", sell_amount="100.00").json()["id"]

    first = post_money(client, "/api/v1/fx/conversions", {"quote": quote_id, "pin": PAYMENT_PIN})
    again = post_money(client, "/api/v1/fx/conversions", {"quote": quote_id, "pin": PAYMENT_PIN})
    stranger = post_money(
        customer_client(CustomerFactory()), "/api/v1/fx/conversions", {"quote": quote_id, "pin": PAYMENT_PIN}
    )

    assert first.status_code == 201
    assert again.status_code == 409 and again.json()["code"] == "quote_already_used"
    assert stranger.status_code == 404 and stranger.json()["code"] == "quote_not_found"


@pytest.mark.django_db
def test_conversion_without_funds_is_422_and_nothing_moves(alice: Customer) -> None:
    fx_rate_make()
    wallet_fund(alice, "10.00")
    client = customer_client(alice)
    quote_id = _quote(client, sell_currency="CNY", buy_currency="USD", sell_amount="100.00").json()["id"]
    before = ledger_snapshot()

    response = post_money(client, "/api/v1/fx/conversions", {"quote": quote_id, "pin": PAYMENT_PIN})

    assert response.status_code == 422 and response.json()["code"] == "insufficient_funds"
    assert ledger_snapshot()["postings"] == before["postings"]
    assert FxQuote.objects.get(public_id=quote_id).status == "OPEN"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"sell_currency": "CNY", "buy_currency": "CNY", "sell_amount": "1.00"}, "same_currency"),
        ({"sell_currency": "CNY", "buy_currency": "XYZ", "sell_amount": "1.00"}, "unknown_currency"),
        ({"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": 1.5}, "invalid_amount"),
        ({"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": "1.001"}, "too_many_decimals"),
        ({"sell_currency": "CNY", "buy_currency": "USD", "sell_amount": "0"}, "amount_not_positive"),
        ({"sell_currency": "CNY", "buy_currency": "GBP", "sell_amount": "1.00"}, "fx_rate_unavailable"),
        ({"sell_currency": "CNY", "buy_currency": "USD"}, "invalid_request"),
        ({"sell_currency": "CNY", "buy_currency": "USD", "buy_amount": "9999999999999.99"}, "amount_too_large"),
    ],
)
def test_bad_quote_requests_are_400(alice: Customer, body: dict, code: str) -> None:  # type: ignore[type-arg]
    fx_rate_make()

    response = _quote(customer_client(alice), **body)

    assert response.status_code == 400 and response.json()["code"] == code
    assert not FxQuote.objects.exists()


@pytest.mark.django_db
def test_a_conversion_needs_the_payment_pin_like_every_movement(alice: Customer) -> None:
    fx_rate_make("USD", "CNY", "7.1000", 50)
    wallet_fund(alice, "1000.00")
    client = customer_client(alice)
    quote_id = _quote(client, sell_currency="CNY", buy_currency="USD", sell_amount="71.00").json()["id"]
    before = ledger_snapshot()

    missing = post_money(client, "/api/v1/fx/conversions", {"quote": quote_id})
    wrong = post_money(client, "/api/v1/fx/conversions", {"quote": quote_id, "pin": "000000"})

    assert missing.status_code == 400 and missing.json()["code"] == "invalid_request"
    assert wrong.status_code == 403 and wrong.json()["code"] == "payment_pin_invalid"
    assert ledger_snapshot() == before
