"""Demo data of the money movements: merchants (with their QR payloads), billers, FX rates, linked
cards and one of each movement for the first demo customer. Idempotent (fixed names/codes/references).

Called from ``payments.demo.seed`` inside ``seed_demo``'s transaction, so it uses the ledger API
and models directly, never the durable request services.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from accounts.models import Branch, LinkedCard
from accounts.selectors import customer_get_by_phone
from payments.billers import luhn_check_digit
from payments.models import Biller, FxRate, Merchant
from payments.services.bills import biller_create
from payments.services.merchant_payments import merchant_ledger_account, merchant_static_qr

# name, MCC, signing branch code, currencies
MERCHANTS = [
    ("通宝咖啡 · 国贸店", "5814", "BJ001", ["CNY"]),
    ("鲜丰超市 · 朝阳路店", "5411", "BJ002", ["CNY"]),
    ("滴滴出行", "4121", "HQ001", ["CNY"]),
    ("香港九龙书店", "5999", "HQ001", ["CNY", "HKD"]),
]
# code, name, category, validator
BILLERS = [
    ("SGCC-BJ", "国网北京市电力公司", Biller.Category.ELECTRICITY, "electricity"),
    ("BJWATER", "北京自来水集团", Biller.Category.WATER, "water"),
    ("BJGAS", "北京燃气集团", Biller.Category.GAS, "gas"),
    ("CMCC", "中国移动话费充值", Biller.Category.MOBILE, "mobile"),
    ("CUBB", "中国联通宽带", Biller.Category.BROADBAND, "broadband"),
]
# base, quote, mid, spread bps
FX_RATES = [
    ("USD", "CNY", "7.1200", 50),
    ("HKD", "CNY", "0.9130", 40),
    ("EUR", "CNY", "7.7400", 60),
    ("GBP", "CNY", "9.0100", 60),
    ("JPY", "CNY", "0.0476", 60),
]
DEMO_CARD_TOKEN = "tok_demo_0000000001"


def seed(stdout: TextIO) -> None:
    created = {"merchants": 0, "billers": 0, "rates": 0}
    for name, mcc, branch_code, currencies in MERCHANTS:
        branch = Branch.objects.filter(code=branch_code).first() or Branch.objects.order_by("pk").first()
        if branch is None:
            stdout.write("Payments movements demo: no branch yet (run the accounts seed first)\n")
            return
        merchant, was_created = Merchant.objects.get_or_create(
            name=name, defaults={"mcc": mcc, "signing_branch": branch, "currencies": currencies}
        )
        created["merchants"] += was_created
        for currency in merchant.currencies:
            merchant_ledger_account(merchant, currency)
    for code, name, category, validator in BILLERS:
        if not Biller.objects.filter(code=code).exists():
            biller_create(code=code, name=name, category=category, validator=validator)
            created["billers"] += 1
    for base, quote, mid, spread in FX_RATES:
        if not FxRate.objects.filter(base=base, quote=quote).exists():
            FxRate.objects.create(
                base=base,
                quote=quote,
                mid_rate=Decimal(mid),
                spread_bps=spread,
                valid_from=timezone.now() - timedelta(minutes=1),
                status=FxRate.Status.APPROVED,  # demo reference data, seeded (no staff proposer)
            )
            created["rates"] += 1
    customer = customer_get_by_phone("+8613900000001")
    if customer is not None and not LinkedCard.objects.filter(gateway_token=DEMO_CARD_TOKEN).exists():
        LinkedCard.objects.create(
            customer=customer, gateway_token=DEMO_CARD_TOKEN, bank_name="中国工商银行", last4="6222"
        )

    cafe = Merchant.objects.filter(name=MERCHANTS[0][0]).first()
    stdout.write(
        "Payments movements demo: "
        f"{created['merchants']} merchant(s), {created['billers']} biller(s), {created['rates']} FX rate(s) created\n"
    )
    if cafe is not None:
        stdout.write(f"  static QR of {cafe.name}: {merchant_static_qr(cafe)}\n")
    stdout.write(
        f"  electricity account to try: 123456789{luhn_check_digit('123456789')} (biller SGCC-BJ); "
        "top-up amounts ending .13 are declined by the simulated bank, .14 time out then succeed\n"
    )
