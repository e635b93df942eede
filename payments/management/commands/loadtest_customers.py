"""Create N funded load-test customers and print their credentials as JSON.

    manage.py loadtest_customers 100 --fund 1000.00 --json > customers.json

For the drills, the benchmarks and anyone load-testing a staging system. Each customer gets a
KYC tier 2 profile, one trusted device, a live API token (only its SHA-256 is stored, as for real
logins), the shared load-test password and PIN, and a CNY wallet funded from the SETTLEMENT
account through the ledger service (one balanced transfer per customer, so ``verify_ledger``
stays clean). Password and PIN are hashed once with the production hashers (argon2 for the
password, accounts' keyed PIN hasher for the PIN) and the hashes are reused: hashing per customer
would take minutes for nothing.

Refused when ``DJANGO_ENV=production``: it prints live credentials.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.authentication import token_hash
from accounts.models import Branch, Customer, CustomerToken, Device, KycTier
from accounts.pii import phone_index

LOADTEST_PASSWORD = "Load-Test-Pass-2026!"  # noqa: S105 -- load-test data, refused in production
LOADTEST_PIN = "246810"
TOKEN_DAYS = 7


def fund_customers(customers: list[Customer], amount: str, currency: str = "CNY") -> dict[int, Any]:
    """Fund each customer's wallet from SETTLEMENT through the ledger; returns {customer_id: wallet public id}.

    One balanced ADJUSTMENT transfer per customer (reason ``LOADTEST_FUNDING``), in batches of 500
    per database transaction, so ``verify_ledger`` stays clean and the funding is auditable.
    """
    from core.money import Money
    from payments import ledger
    from payments.models import Transfer

    money = Money.parse(amount, currency)
    wallet_ids: dict[int, Any] = {}
    for start in range(0, len(customers), 500):
        with transaction.atomic(durable=True):
            settlement = ledger.system_account("SETTLEMENT", currency)
            for customer in customers[start : start + 500]:
                wallet = ledger.wallet_get_or_create(customer=customer, currency=currency)
                wallet_ids[customer.pk] = wallet.public_id
                if money.minor > 0:
                    ledger.transfer_post(
                        kind=Transfer.Kind.ADJUSTMENT,
                        legs=[ledger.Leg(settlement, -money), ledger.Leg(wallet, money)],
                        reason_code="LOADTEST_FUNDING",
                        memo="load-test funding",
                    )
    return wallet_ids


class Command(BaseCommand):
    help = "Create N funded load-test customers with API tokens and print their credentials as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("count", type=int)
        parser.add_argument("--fund", default="0", help='amount credited to each wallet, e.g. "1000.00"')
        parser.add_argument("--currency", default="CNY")
        parser.add_argument("--json", action="store_true", help="print the credentials as a JSON array")
        parser.add_argument("--prefix", default="", help="2-digit phone block (default: random) to avoid clashes")

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "IS_PRODUCTION", True):
            raise CommandError("loadtest_customers prints live credentials: refused when DJANGO_ENV=production")
        count: int = options["count"]
        if not 1 <= count <= 100_000:
            raise CommandError("count must be between 1 and 100000")
        customers = create_customers(count, prefix=options["prefix"])
        wallet_ids: dict[int, Any] = {}
        if options["fund"] not in ("0", "0.00", ""):
            wallet_ids = fund_customers([c for c, _ in customers], options["fund"], options["currency"])
        rows = [
            {
                "phone": c.phone,
                "password": LOADTEST_PASSWORD,
                "token": token,
                "pin": LOADTEST_PIN,
                "customer_id": c.pk,
                "public_id": str(c.public_id),
                "wallet_id": str(wallet_ids[c.pk]) if c.pk in wallet_ids else None,
            }
            for c, token in customers
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
        else:
            for row in rows:
                self.stdout.write(f"{row['phone']}  token={row['token']}  pin={row['pin']}  wallet={row['wallet_id']}")
            self.stderr.write(f"{len(rows)} load-test customers created")


def _pin_hash(pin: str) -> str:
    """The production PIN storage (accounts' keyed hasher) when present, else the password hasher."""
    try:
        from accounts.services.pin import payment_pin_hash
    except ImportError:
        return make_password(pin)
    return payment_pin_hash(pin)


def create_customers(count: int, *, prefix: str = "") -> list[tuple[Customer, str]]:
    """Bulk-create ``count`` customers with a device and a live token each; returns (customer, raw token)."""
    block = prefix or f"{secrets.randbelow(90) + 10}"
    base = secrets.randbelow(10**6)
    password_hash = make_password(LOADTEST_PASSWORD)
    pin_hash = _pin_hash(LOADTEST_PIN)
    tier = KycTier.objects.filter(level=2).first() or KycTier.objects.order_by("-level").first()
    branch, _ = Branch.objects.get_or_create(code="LOADTEST", defaults={"name": "Load test", "region": "-"})
    now = timezone.now()
    with transaction.atomic():
        pending = []
        for i in range(count):
            # +86 19x: a mobile block; the last 9 digits are unique within this batch.
            phone = f"+86199{block}{(base + i) % 10**6:06d}"
            pending.append(
                Customer(
                    phone=phone,
                    phone_index=phone_index(phone),
                    legal_name="压测用户",
                    kyc_tier=tier,
                    home_branch=branch,
                    password=password_hash,
                    payment_pin=pin_hash,
                    phone_verified_at=now,
                    kyc_verified_at=now,
                )
            )
        existing = set(
            Customer.objects.filter(phone_index__in=[c.phone_index for c in pending]).values_list(
                "phone_index", flat=True
            )
        )
        pending = [c for c in pending if c.phone_index not in existing]
        created = Customer.objects.bulk_create(pending, batch_size=1000)
        devices = Device.objects.bulk_create(
            [Device(customer=c, device_id=f"loadtest-{c.pk}", name="load test", trusted=True) for c in created],
            batch_size=1000,
        )
        raw_tokens = [secrets.token_urlsafe(32) for _ in created]
        CustomerToken.objects.bulk_create(
            [
                CustomerToken(customer=c, device=d, key_hash=token_hash(t), expires_at=now + timedelta(days=TOKEN_DAYS))
                for c, d, t in zip(created, devices, raw_tokens, strict=True)
            ],
            batch_size=1000,
        )
    return list(zip(created, raw_tokens, strict=True))
