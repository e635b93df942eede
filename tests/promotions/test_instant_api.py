"""The customer's side of instant benefits: POST /api/v1/payments with a coupon answers what was
saved and why each campaign applied or not; the transaction's detail shows it again; a coupon that
cannot be used is a 400 with nothing moved, replayed under the same key."""

from __future__ import annotations

from typing import Any

import pytest

from payments.services.merchant_payments import merchant_static_qr
from promotions.models import CouponClaim
from promotions.selectors_instant import quote_cache_clear
from promotions.services.coupons import coupon_batch_create, coupon_batch_generate, coupon_redeem
from tests.factories import PAYMENT_PIN, StaffFactory
from tests.payments.factories import customer_client, ledger_snapshot
from tests.payments.factories_movements import post_money
from tests.promotions.factories import campaign_running
from tests.promotions.helpers import balance, merchant, shopper

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments"


@pytest.fixture(autouse=True)
def _quote_on(settings: Any) -> None:
    settings.PAYMENTS_PROMOTIONS_QUOTE = "promotions.selectors_instant.promotions_quote"
    quote_cache_clear()


def _coupon(customer: Any) -> CouponClaim:
    campaign = campaign_running(kind="COUPON", benefit={"discount": "5.00"}, stacking_group="COUPONS")
    batch = coupon_batch_create(campaign_id=campaign.pk, by=StaffFactory(roles=["MARKETING"], branch=None), quantity=1)
    coupon_batch_generate(batch_id=batch.pk)
    return coupon_redeem(customer=customer, code=batch.coupons.get().code)


def test_the_answer_and_the_transaction_detail_show_what_was_saved_and_why() -> None:
    campaign_running(
        kind="SPEND_THRESHOLD",
        conditions={},
        benefit={"tiers": [{"threshold": "30.00", "discount": "4.00"}]},
        stacking_group="COUPONS",
        priority=-1,
        name_en="Spend 30 save 4",
    )
    customer, shop = shopper("100.00"), merchant()
    claim = _coupon(customer)
    client = customer_client(customer)

    response = post_money(
        client,
        URL,
        {
            "qr": merchant_static_qr(shop),
            "amount": "40.00",
            "currency": "CNY",
            "pin": PAYMENT_PIN,
            "coupon": str(claim.public_id),
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["discount"], body["paid"]) == (
        {"amount": "5.00", "currency": "CNY"},
        {"amount": "35.00", "currency": "CNY"},
    )
    assert [(b["kind"], b["status"], b["reason"], b["amount"]["amount"]) for b in body["benefits"]] == [
        ("COUPON", "APPLIED", "", "5.00"),
        ("SPEND_THRESHOLD", "SKIPPED", "stacking_group", "0.00"),
    ]
    assert balance(customer) == 65_00
    detail = client.get(f"/api/v1/transactions/{body['transfer_id']}").json()
    assert detail["saved"] == {"amount": "5.00", "currency": "CNY"}
    assert [b["status"] for b in detail["benefits"]] == ["APPLIED", "SKIPPED"]
    claim.refresh_from_db()
    assert claim.status == "USED"


def test_a_coupon_of_someone_else_is_a_400_stored_under_the_key_and_nothing_moves() -> None:
    owner, thief, shop = shopper("100.00"), shopper("100.00"), merchant()
    claim = _coupon(owner)
    client = customer_client(thief)
    body = {
        "qr": merchant_static_qr(shop),
        "amount": "40.00",
        "currency": "CNY",
        "pin": PAYMENT_PIN,
        "coupon": str(claim.public_id),
    }
    before = ledger_snapshot()

    first = post_money(client, URL, body, key="steal-1")
    again = post_money(client, URL, body, key="steal-1")

    assert first.status_code == 400 and first.json()["code"] == "coupon_not_applicable"
    assert first.json()["details"] == {"reason": "unavailable"}
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"
    assert again.json()["details"] == first.json()["details"]
    after = ledger_snapshot()
    assert (after["transfers"], after["postings"]) == (before["transfers"], before["postings"])
    assert balance(thief) == 100_00


def test_a_malformed_coupon_id_is_a_400() -> None:
    customer, shop = shopper("100.00"), merchant()

    response = post_money(
        customer_client(customer),
        URL,
        {"qr": merchant_static_qr(shop), "amount": "40.00", "currency": "CNY", "pin": PAYMENT_PIN, "coupon": "x"},
    )

    assert response.status_code == 400
    assert balance(customer) == 100_00


def test_staff_read_benefits_and_export_the_co_funded_settlement_audited() -> None:
    from core.models import AuditEvent
    from payments.services.merchant_payments import merchant_payment_create
    from promotions.models import InstantBenefit
    from tests.accounts.conftest import admin_client_for
    from tests.promotions.helpers import cny

    shop = merchant()
    campaign_running(
        kind="CO_FUNDED", benefit={"percent": "10", "cap": "20.00"}, merchant=shop, merchant_share_bps=5000
    )
    merchant_payment_create(customer=shopper("100.00"), qr=merchant_static_qr(shop), amount=cny("50.00"))
    marketing = StaffFactory(roles=["MARKETING"], branch=None)
    client = admin_client_for(marketing)

    page = client.get("/admin/promotions/instantbenefit/")
    export = client.post(
        "/admin/promotions/instantbenefit/",
        {"action": "export_settlement", "_selected_action": [InstantBenefit.objects.get().pk]},
    )

    assert page.status_code == 200 and "2.50 CNY" in page.content.decode()
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    line = export.content.decode("utf-8-sig").splitlines()[1]
    assert line.endswith(",1,5.00,2.50,2.50,0.00,2.50,0.00") and str(shop.public_id) in line
    assert AuditEvent.objects.filter(action="promotions.settlement.export").count() == 1
    branch = admin_client_for(StaffFactory(roles=["BRANCH_MANAGER"]))
    assert branch.get("/admin/promotions/instantbenefit/").status_code == 403
