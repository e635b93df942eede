"""Demo data for the payments core: each demo customer's CNY wallet funded once, one P2P transfer. Idempotent.

Run by ``manage.py seed_demo`` inside its transaction (so it uses the ledger API directly, not the
durable request services). Each movement has a fixed ``reference``; an existing one is skipped.
"""

from __future__ import annotations

from typing import TextIO

from accounts.selectors import customer_get_by_phone
from core.money import Money
from payments.ledger import Leg, system_account, transfer_post, wallet_get_or_create
from payments.models import LedgerAccount, Transfer

DEMO_PHONES = ["+8613900000001", "+8613900000002", "+8613900000003", "+8613900000004", "+8613900000005"]
DEMO_TOPUP = Money(1_000_00, "CNY")


def seed(stdout: TextIO) -> None:
    settlement = system_account(LedgerAccount.Kind.SETTLEMENT, "CNY")
    for kind in (LedgerAccount.Kind.FEE_INCOME, LedgerAccount.Kind.SUSPENSE):
        system_account(kind, "CNY")
    customers = [c for c in (customer_get_by_phone(p) for p in DEMO_PHONES) if c is not None]
    funded = 0
    for customer in customers:
        reference = f"demo:topup:{customer.public_id}"
        if Transfer.objects.filter(reference=reference).exists():
            continue
        wallet = wallet_get_or_create(customer=customer, currency="CNY")
        transfer_post(
            kind=Transfer.Kind.TOPUP,
            legs=[Leg(settlement, -DEMO_TOPUP), Leg(wallet, DEMO_TOPUP)],
            reference=reference,
            memo="Demo top-up",
            initiated_by=customer,
        )
        funded += 1
    if len(customers) >= 2 and not Transfer.objects.filter(reference="demo:p2p:1").exists():
        sender, recipient = customers[0], customers[1]
        amount = Money(88_88, "CNY")
        transfer_post(
            kind=Transfer.Kind.P2P,
            legs=[
                Leg(wallet_get_or_create(customer=sender, currency="CNY"), -amount),
                Leg(wallet_get_or_create(customer=recipient, currency="CNY"), amount),
            ],
            reference="demo:p2p:1",
            memo="Lunch",
            initiated_by=sender,
        )
    stdout.write(f"Payments demo: {funded} wallet(s) funded with {DEMO_TOPUP} (demo customers' CNY wallets)\n")
    from payments.demo_movements import seed as seed_movements  # merchants, billers, FX rates (movements)

    seed_movements(stdout)
