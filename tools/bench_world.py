"""The world the bench and the drills run in: a dedicated database, funded customers, merchants,
and adapters to whatever payment services and endpoints exist in this checkout.

A run works in its own database (``<name>_bench`` / ``<name>_drill`` on the same server as
``DATABASE_URL``), created and migrated at the start and dropped at the end (``EVIDENCE_KEEP_DB=1``
keeps it). So the 10-million-posting history and the killed workers never touch the developer's
data, and every scenario of one run shares one database (same tables, same server, same cache).

Call ``provision_database`` BEFORE ``loadlib.setup_django()``: it points DATABASE_URL at the new one.
"""

from __future__ import annotations

import importlib
import inspect
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

from tools import loadlib


# --- database -----------------------------------------------------------------------------------
def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def admin_dsn(url: str | None = None) -> str:
    url = url or os.environ["DATABASE_URL"]
    return _with_db(url, "postgres").replace("postgres://", "postgresql://", 1)


def libpq_dsn(url: str | None = None) -> str:
    return (url or os.environ["DATABASE_URL"]).replace("postgres://", "postgresql://", 1)


def provision_database(suffix: str) -> str:
    """Create (drop first) ``<db>_<suffix>``, migrate it, export it as DATABASE_URL. Returns its name."""
    base_url = os.environ["DATABASE_URL"]
    owner_url = os.environ.get("DATABASE_OWNER_URL") or base_url  # the application role may not create databases
    base_name = urlsplit(base_url).path.lstrip("/") or "tongbao"
    name = f"{base_name}_{suffix}"
    with psycopg.connect(admin_dsn(owner_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["EVIDENCE_BASE_DATABASE_URL"] = owner_url
    os.environ["DATABASE_URL"] = _with_db(base_url, name)
    if os.environ.get("DATABASE_OWNER_URL"):
        os.environ["DATABASE_OWNER_URL"] = _with_db(owner_url, name)
    loadlib.log(f"database {name}: migrating")
    loadlib.manage("migrate", "--no-input", "-v", "0", env=loadlib.child_env())
    return name


def drop_database(name: str) -> None:
    if os.environ.get("EVIDENCE_KEEP_DB") == "1":
        loadlib.log(f"keeping database {name} (EVIDENCE_KEEP_DB=1)")
        return
    base_url = os.environ.get("EVIDENCE_BASE_DATABASE_URL", os.environ["DATABASE_URL"])
    from django.db import connections

    connections.close_all()
    with psycopg.connect(admin_dsn(base_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- world --------------------------------------------------------------------------------------
@dataclass
class Customer:
    customer_id: int
    public_id: str
    phone: str
    token: str
    wallet_id: int  # LedgerAccount pk
    wallet_public_id: str


@dataclass
class World:
    customers: list[Customer]
    merchant_accounts: list[int] = field(default_factory=list)  # ORDINARY merchants' LedgerAccount pks (row-locked)
    hot_merchant_account: int | None = None  # the hot merchant's LedgerAccount pk (append-only credits)
    merchants: list[Any] = field(default_factory=list)  # the ordinary payments.models.Merchant rows
    hot_merchant: Any = None  # the hot Merchant row
    pin: str = "246810"

    def pair(self, rng: random.Random) -> tuple[Customer, Customer]:
        a, b = rng.sample(self.customers, 2)
        return a, b


def build_world(customers: int, fund: str = "1000.00", merchants: int = 50) -> World:
    # 1,000.00 each: inside the KYC tier-2 balance cap, and ample for transfers of 0.01-1.00.
    """Customers with tokens and funded wallets; ``merchants`` ORDINARY merchants (their CNY ledger
    account opened with ``is_hot=False``: every payment locks and updates its row) and ONE hot
    merchant (``merchant_create``: a hot account, credits appended without a lock)."""
    from payments.management.commands.loadtest_customers import LOADTEST_PIN, create_customers, fund_customers
    from payments.models import LedgerAccount

    created = create_customers(customers)
    wallets = fund_customers([c for c, _ in created], fund)
    by_public = {str(a.public_id): a.pk for a in LedgerAccount.objects.filter(public_id__in=wallets.values())}
    world = World(
        customers=[
            Customer(c.pk, str(c.public_id), c.phone, token, by_public[str(wallets[c.pk])], str(wallets[c.pk]))
            for c, token in created
        ],
        pin=LOADTEST_PIN,
    )
    _make_merchants(world, merchants)
    analyze_world()
    return world


def analyze_world() -> float:
    """``ANALYZE`` the freshly built world as the schema owner (the application role's ANALYZE is
    skipped by PostgreSQL), as autovacuum would about a minute after a bulk load; returns seconds.
    Timed before it, the bench measured a database no production one is: with no statistics
    (``reltuples`` -1), the money step's generic plans updated two balances by a sequential scan
    of all 1,003 ledger accounts (110 of its 130 µs, seen with ``auto_explain``, stop 24), and every
    plan cached meanwhile kept that scan until the statistics arrived."""
    from django.db import connection

    started = time.monotonic()
    # The database the world was built in (under pytest, the test database, not the URL's own).
    url = _with_db(os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"], connection.settings_dict["NAME"])
    with psycopg.connect(libpq_dsn(url), autocommit=True) as conn:
        conn.execute("ANALYZE")
    seconds = time.monotonic() - started
    loadlib.log(f"world analysed in {seconds:.1f} s")
    return seconds


def _make_merchants(world: World, count: int) -> None:
    from django.db import transaction

    from accounts.models import Branch
    from payments import ledger
    from payments.models import LedgerAccount, Merchant
    from payments.services.merchant_payments import merchant_create

    branch, _ = Branch.objects.get_or_create(code="LOADTEST", defaults={"name": "Load test", "region": "-"})
    with transaction.atomic():
        for i in range(count):
            merchant = Merchant.objects.create(
                name=f"Bench merchant {i}", mcc="5812", signing_branch=branch, currencies=["CNY"]
            )
            # Opened before the first payment: the payment service finds it and keeps it ordinary.
            account = ledger.account_open(
                kind=LedgerAccount.Kind.MERCHANT,
                currency="CNY",
                code=merchant.ledger_account_code("CNY"),
                name=merchant.name,
                is_hot=False,
            )
            world.merchants.append(merchant)
            world.merchant_accounts.append(account.pk)
        hot = merchant_create(name="Bench hot merchant", mcc="5812", signing_branch=branch, currencies=["CNY"])
    world.hot_merchant = hot
    world.hot_merchant_account = LedgerAccount.objects.get(code=hot.ledger_account_code("CNY")).pk
    if count and LedgerAccount.objects.filter(pk__in=world.merchant_accounts, is_hot=True).exists():
        raise RuntimeError("an ordinary bench merchant's account came out hot")
    if not LedgerAccount.objects.get(pk=world.hot_merchant_account).is_hot:
        raise RuntimeError("the hot bench merchant's account is not hot")


# --- adapters to the code under test ------------------------------------------------------------
def find_callable(candidates: list[str]) -> Callable[..., Any] | None:
    """The first ``module:function`` that imports, or None."""
    for dotted in candidates:
        module, _, name = dotted.partition(":")
        try:
            fn = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if callable(fn):
            return fn
    return None


P2P_SERVICE_CANDIDATES = [
    "payments.services.transfers:transfer_p2p_create",
    "payments.services.transfers:transfer_create",
    "payments.services.p2p:transfer_create",
    "payments.services.p2p:p2p_transfer_create",
    "payments.services:transfer_create",
]


def p2p_service() -> Callable[..., Any] | None:
    return find_callable(P2P_SERVICE_CANDIDATES)


def call_with_supported(fn: Callable[..., Any], **kwargs: Any) -> Any:
    """Call ``fn`` with the subset of ``kwargs`` its signature accepts (adapters survive small API drift)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(**kwargs)
    return fn(**{k: v for k, v in kwargs.items() if k in params})


def error_label(status: int, body: bytes) -> str:
    """``http_403:limit_exceeded``: the status and the error format's code, for the error tallies."""
    import json

    try:
        code = json.loads(body).get("code", "")
    except (ValueError, AttributeError):
        code = ""
    return f"http_{status}:{code}" if code else f"http_{status}"


def api_has(path: str, method: str = "post") -> bool:
    """Whether the URL conf has a view for ``path`` accepting ``method``."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return False
    cls = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    return cls is None or hasattr(cls, method)


def known_payees_seed(world: World) -> int:
    """Every customer of the world has paid the first 50 before (as an active customer's payees
    would): the risk pre-check's "new payee" probe finds a row. Idempotent."""
    from django.db import connection
    from django.utils import timezone

    customers = world.customers
    rows = [(a.customer_id, f"customer:{b.public_id}") for a in customers for b in customers[:50] if a is not b]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO risk_knownpayee (customer_id, payee_key, first_paid_at, last_paid_at, payments) "
            "VALUES (%s, %s, %s, %s, 1) ON CONFLICT DO NOTHING",
            [(c, k, now, now) for c, k in rows],
        )
    return len(rows)


# The web servers of ``make bench`` run the customer API with everything on, as deployed: the real
# risk pre-check and step-up issuer (the test settings default to allow-all, so without these the
# API rows measured no risk work at all: the case until stop 21).
RISK_ON_ENV = {
    "PAYMENTS_RISK_PRECHECK": "risk.precheck.risk_precheck",
    "PAYMENTS_STEP_UP_ISSUE": "risk.services.step_up_payment_issue",
}
