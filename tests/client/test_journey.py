"""The whole customer journey through the client generated from the schema (issue 16), against a live
server (pytest-django's ``live_server``: a real HTTP server on 127.0.0.1 in a thread of this process).

It follows docs/api.md ("Getting started") step by step, only through ``tongbao_client``: read the
consent texts, get a registration code (from the SMS outbox, as a developer reads it from the
``make run`` output), register with the current versions, verify identity, set the PIN, link a card
with a development gateway token, top up (the simulated bank's signed callback delivered as the bank
would), preview and pay a merchant's QR code, send money to a friend, pay a bill, exchange currency,
and read the history page by page, the CSV and the statement. Along the way: an idempotent retry,
an error in both languages, and every JSON timestamp in the one documented form.

If the schema were wrong about any request or answer, the generated client would fail to build the
request or to parse the answer: that is the proof the app teams' generators can rely on it.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from accounts.integrations import outbox
from payments.integrations import SimulatedCoreBankingGateway
from payments.models import TopUp
from payments.services.merchant_payments import merchant_static_qr
from tests.factories import CustomerFactory
from tests.payments.factories_movements import ELECTRICITY_ACCOUNT, biller_make, fx_rate_make, merchant_make

pytestmark = pytest.mark.django_db(transaction=True)

API_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
PHONE = "+8613912345678"
PIN = "482915"


def _timestamps(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every ``*_at`` string in a JSON answer, with where it is."""
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_at") and isinstance(item, str):
                found.append((f"{path}.{key}", item))
            found += _timestamps(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _timestamps(item, f"{path}[{i}]")
    return found


class Journal:
    """Checks each answer as it comes: the status expected, and the timestamp rule."""

    def __init__(self) -> None:
        self.timestamps: list[tuple[str, str]] = []

    def ok(self, response: Any, status: int) -> Any:
        assert response.status_code == status, (int(response.status_code), response.content[:500])
        if response.headers.get("content-type", "").startswith("application/json") and response.content:
            import json

            self.timestamps += _timestamps(json.loads(response.content))
        return response.parsed


def test_the_whole_journey_through_the_generated_client(live_server: Any) -> None:
    from tongbao_client import AuthenticatedClient, Client
    from tongbao_client.api.bank_gateway import gateway_callbacks_create  # noqa: F401 - the bank's endpoint exists
    from tongbao_client.api.bills import bill_payments_create, billers_list
    from tongbao_client.api.cards import cards_link, cards_list
    from tongbao_client.api.currency_exchange import fx_conversions_create, fx_quotes_create
    from tongbao_client.api.history import transactions_export, transactions_list, transactions_retrieve
    from tongbao_client.api.insights import insights_spending, statements_pdf
    from tongbao_client.api.merchant_payments import merchant_payments_create, merchant_payments_preview
    from tongbao_client.api.profile import me_kyc_submit, me_pin_set, me_retrieve
    from tongbao_client.api.reference_data import consent_texts_list, currencies_list, kyc_tiers_list
    from tongbao_client.api.sign_in import auth_otp_request, auth_register
    from tongbao_client.api.top_ups_and_withdrawals import topups_create, topups_retrieve
    from tongbao_client.api.transfers import transfers_create
    from tongbao_client.api.wallets import wallets_list
    from tongbao_client.models import (
        AuthOtpRequestInputRequest,
        AuthRegisterInputRequest,
        BillPaymentCreateInputRequest,
        CardListInputRequest,
        FundingCreateInputRequest,
        FxConversionCreateInputRequest,
        FxQuoteCreateInputRequest,
        MeKycInputRequest,
        MePinInputRequest,
        MerchantPaymentCreateInputRequest,
        MerchantPaymentPreviewInputRequest,
        TransferCreateInputRequest,
    )

    j = Journal()
    anonymous = Client(base_url=live_server.url, headers={"Accept-Language": "en"}, raise_on_unexpected_status=True)
    friend = CustomerFactory(phone="+8613800138000", legal_name="李娜")
    merchant = merchant_make(name="老王面馆", mcc="5812")
    biller_make()
    fx_rate_make("USD", "CNY", "7.1000", 50)

    # 1. The consent texts and their current versions; currencies and tiers, before signing in.
    texts = j.ok(consent_texts_list.sync_detailed(client=anonymous), 200)
    versions = {t.purpose: t.version for t in texts.results}
    assert {t.purpose for t in texts.results if t.required} == {"TERMS", "PRIVACY"}
    currencies = j.ok(currencies_list.sync_detailed(client=anonymous), 200)
    assert currencies.results[0].code == "CNY" and currencies.results[0].decimals == 2
    tiers = j.ok(kyc_tiers_list.sync_detailed(client=anonymous), 200)
    assert [t.level for t in tiers.results] == [0, 1, 2] and tiers.results[1].endpoint == "POST /api/v1/me/kyc"

    # 2-3. A registration code (the development SMS), then register; an unknown version is refused.
    j.ok(auth_otp_request.sync_detailed(client=anonymous, body=AuthOtpRequestInputRequest(PHONE, "REGISTER")), 202)
    code = re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)  # type: ignore[union-attr]
    registration = AuthRegisterInputRequest(
        phone=PHONE,
        password="correct-horse-battery-9",
        otp_code=code,
        device_id="journey-device-0001",
        terms_version="v1",
        privacy_version=versions["PRIVACY"],
    )
    refused = j.ok(auth_register.sync_detailed(client=anonymous, body=registration), 400)
    assert (refused.code, refused.details["current_version"]) == ("consent_version_invalid", versions["TERMS"])
    registration.terms_version = versions["TERMS"]
    token = j.ok(auth_register.sync_detailed(client=anonymous, body=registration), 201)
    me = AuthenticatedClient(base_url=live_server.url, token=token.token, headers={"Accept-Language": "en"})

    # 4-5. Identity (tier 1) and the payment PIN.
    kyc = MeKycInputRequest(legal_name="王小明", national_id="110105199503071235")
    assert j.ok(me_kyc_submit.sync_detailed(client=me, body=kyc), 200).tier == 1
    j.ok(me_pin_set.sync_detailed(client=me, body=MePinInputRequest(pin=PIN)), 204)
    profile = j.ok(me_retrieve.sync_detailed(client=me), 200)
    assert profile.has_payment_pin and profile.kyc_tier.level == 1

    # 6. A card from a development gateway token (the number never reaches the API).
    card_in = CardListInputRequest(gateway_token="gw_tok_8f3k2m9q", bank_name="招商银行", last4="4821", pin=PIN)
    card = j.ok(cards_link.sync_detailed(client=me, body=card_in), 201)
    assert [c.public_id for c in j.ok(cards_list.sync_detailed(client=me), 200).results] == [card.public_id]

    # 7. Top up: 202 PENDING, the bank's signed callback, then COMPLETED and the balance.
    key = str(uuid.uuid4())
    topup_in = FundingCreateInputRequest(card=card.public_id, amount="1000.00", pin=PIN)
    topup = j.ok(topups_create.sync_detailed(client=me, body=topup_in, idempotency_key=key), 202)
    assert topup.status == "PENDING"
    reference = TopUp.objects.get(public_id=topup.id).reference
    for body, signature in SimulatedCoreBankingGateway().pending_callbacks(reference=reference):
        answer = me.get_httpx_client().post(
            "/api/v1/gateway/callbacks",
            content=body,
            headers={"Content-Type": "application/json", "X-Gateway-Signature": signature},
        )
        assert answer.status_code == 200, answer.text
    assert j.ok(topups_retrieve.sync_detailed(topup.id, client=me), 200).status == "COMPLETED"
    wallets = j.ok(wallets_list.sync_detailed(client=me), 200)
    assert wallets.results[0].balance.available.amount == "1000.00"

    # 8. Preview a merchant's QR code, then pay it; a retry with the same key is a replay.
    qr = merchant_static_qr(merchant, "CNY")
    preview = j.ok(
        merchant_payments_preview.sync_detailed(client=me, body=MerchantPaymentPreviewInputRequest(qr=qr)), 200
    )
    assert (preview.merchant.name, preview.merchant.category_label, preview.amount_required) == (
        "老王面馆",
        "Dining",
        True,
    )
    pay_in = MerchantPaymentCreateInputRequest(qr=qr, amount="36.00", currency="CNY", pin=PIN)
    key = str(uuid.uuid4())
    paid = merchant_payments_create.sync_detailed(client=me, body=pay_in, idempotency_key=key)
    again = merchant_payments_create.sync_detailed(client=me, body=pay_in, idempotency_key=key)
    assert j.ok(paid, 201).paid.amount == "36.00"
    assert again.content == paid.content and again.headers["Idempotent-Replayed"] == "true"

    # A transfer to a friend; a wrong PIN in both languages (stable code, translated message).
    transfer_in = TransferCreateInputRequest(amount="88.00", pin=PIN, to_phone=friend.phone, memo="晚饭")
    sent = j.ok(transfers_create.sync_detailed(client=me, body=transfer_in, idempotency_key=str(uuid.uuid4())), 201)
    assert sent.balance_after.amount == "876.00"
    wrong = TransferCreateInputRequest(amount="1.00", pin="000000", to_phone=friend.phone)
    english = j.ok(transfers_create.sync_detailed(client=me, body=wrong, idempotency_key=str(uuid.uuid4())), 403)
    chinese_client = AuthenticatedClient(
        base_url=live_server.url, token=token.token, headers={"Accept-Language": "zh-hans"}
    )
    chinese = transfers_create.sync_detailed(client=chinese_client, body=wrong, idempotency_key=str(uuid.uuid4()))
    assert english.code == j.ok(chinese, 403).code == "payment_pin_invalid"
    assert english.message != chinese.parsed.message

    # A bill, with the biller's account-number format; currency exchange, which asks for the PIN.
    biller = j.ok(billers_list.sync_detailed(client=me), 200).results[0]
    assert re.fullmatch(biller.account_number_format.pattern, biller.account_number_format.example)
    bill_in = BillPaymentCreateInputRequest(
        biller=biller.code, account_number=ELECTRICITY_ACCOUNT, amount="120.00", pin=PIN
    )
    j.ok(bill_payments_create.sync_detailed(client=me, body=bill_in, idempotency_key=str(uuid.uuid4())), 201)
    quote_in = FxQuoteCreateInputRequest(sell_currency="CNY", buy_currency="USD", sell_amount="71.00")
    quote = j.ok(fx_quotes_create.sync_detailed(client=me, body=quote_in), 201)
    conversion_in = FxConversionCreateInputRequest(quote=quote.id, pin=PIN)
    converted = fx_conversions_create.sync_detailed(client=me, body=conversion_in, idempotency_key=str(uuid.uuid4()))
    assert j.ok(converted, 201).status == "USED"

    # 9. The history, two entries a page, walked with next_cursor; the counterparty names.
    seen: list[Any] = []
    cursor: Any = None
    for _ in range(20):
        page = j.ok(
            transactions_list.sync_detailed(client=me, page_size=2, **({"cursor": cursor} if cursor else {})), 200
        )
        seen += page.results
        cursor = page.next_cursor
        if not cursor:
            break
    kinds = [item.kind for item in seen]
    assert kinds == ["FX_CONVERSION", "FX_CONVERSION", "BILL_PAYMENT", "P2P", "MERCHANT_PAYMENT", "TOPUP"]
    names = {item.kind: item.counterparty.name for item in seen}
    assert names["TOPUP"] == "Bank card" and names["MERCHANT_PAYMENT"] == "老王面馆"
    assert names["FX_CONVERSION"] == "Currency exchange" and names["P2P"] == "李*"
    detail = j.ok(transactions_retrieve.sync_detailed(seen[-1].transaction_id, client=me), 200)
    assert "Settlement" not in str(detail.to_dict())
    export = transactions_export.sync_detailed(client=me)
    assert export.status_code == 200 and re.search(
        r"\n\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00,", export.content.decode()
    )
    month = timezone.localdate().strftime("%Y-%m")
    spending = j.ok(insights_spending.sync_detailed(client=me, month=month), 200)
    assert {c.category: c.label for c in spending.categories}["DINING"] == "Dining"
    statement = statements_pdf.sync_detailed(month, client=me)
    assert statement.status_code == 200 and statement.content.startswith(b"%PDF")
    next_month = (timezone.localdate().replace(day=28) + timedelta(days=5)).strftime("%Y-%m")
    assert j.ok(statements_pdf.sync_detailed(next_month, client=me), 404).code == "statement_not_found"

    # Every JSON timestamp of the whole journey, in the one documented form.
    assert len(j.timestamps) > 20
    assert [t for t in j.timestamps if not API_TIMESTAMP.fullmatch(t[1])] == []
