"""Test helpers for the payments core: authenticated clients, funding wallets, ledger snapshots."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.authentication import token_hash
from accounts.models import Customer, CustomerToken, Device
from core.models import OutboxEvent
from core.money import Money
from payments.ledger import Leg, account_open, system_account, transfer_post, wallet_get_or_create
from payments.models import Hold, IdempotencyRecord, LedgerAccount, Posting, Transfer


def customer_client(customer: Customer) -> APIClient:
    """An API client authenticated as ``customer`` (a real token through the real authentication)."""
    raw = secrets.token_urlsafe(32)
    device = Device.objects.create(customer=customer, device_id=f"test-{secrets.token_hex(6)}", trusted=True)
    CustomerToken.objects.create(
        customer=customer, device=device, key_hash=token_hash(raw), expires_at=timezone.now() + timedelta(days=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def wallet_fund(customer: Customer, amount: str | int, currency: str = "CNY") -> LedgerAccount:
    """Top up the customer's wallet from the bank's SETTLEMENT account (a TOPUP transfer)."""
    money = Money.parse(str(amount), currency) if not isinstance(amount, int) else Money(amount, currency)
    with transaction.atomic():
        wallet = wallet_get_or_create(customer=customer, currency=currency)
        settlement = system_account(LedgerAccount.Kind.SETTLEMENT, currency)
        transfer_post(kind=Transfer.Kind.TOPUP, legs=[Leg(settlement, -money), Leg(wallet, money)], reference="test")
    wallet.refresh_from_db()
    return wallet


def ledger_snapshot() -> dict[str, Any]:
    """Everything a failed money request must leave unchanged."""
    return {
        "transfers": Transfer.objects.count(),
        "postings": Posting.objects.count(),
        "balances": dict(LedgerAccount.objects.values_list("code", "posted_minor")),
        "pending": dict(LedgerAccount.objects.values_list("code", "pending_debit_minor")),
        "holds": list(Hold.objects.order_by("id").values_list("id", "status")),
        "outbox": OutboxEvent.objects.count(),
    }


def idempotency_count() -> int:
    return IdempotencyRecord.objects.count()


def ledger_account_kinds(
    alice: Customer, bob: Customer, *, tag: str, funds: tuple[str, str], budget: int
) -> list[LedgerAccount]:
    """One account of each behaviour the ledger's write distinguishes, for tests that run random
    transfers across them: two funded wallets, a hot merchant, a hot campaign budget funded with
    ``budget`` minor units (its credit left as an unfolded delta), an account allowed to go negative
    and settlement (hot, negative allowed). In that order."""
    a, b = wallet_fund(alice, funds[0]), wallet_fund(bob, funds[1])
    merchant = account_open(kind="MERCHANT", currency="CNY", code=f"merchant:{tag}:CNY", is_hot=True)
    campaign = account_open(kind="CAMPAIGN_BUDGET", currency="CNY", code=f"budget:{tag}:CNY", is_hot=True)
    suspense = account_open(kind="SUSPENSE", currency="CNY", code=f"suspense:{tag}:CNY", allow_negative=True)
    settlement = system_account(LedgerAccount.Kind.SETTLEMENT, "CNY")
    with transaction.atomic():
        transfer_post(kind="TOPUP", legs=[Leg(settlement, Money(-budget, "CNY")), Leg(campaign, Money(budget, "CNY"))])
    return [a, b, merchant, campaign, suspense, settlement]
