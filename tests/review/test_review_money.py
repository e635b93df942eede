"""Reviewer: money paths that move money to or from a FROZEN customer, and what the app role can do.

Each test states the expected (safe) behaviour; a failure is a finding.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from accounts.models import Customer
from core.money import Money
from payments.ledger import Leg, transfer_post, wallet_get_or_create
from payments.models import LedgerAccount, Transfer
from tests.payments.factories import wallet_fund

pytestmark = pytest.mark.django_db


def test_app_role_cannot_mint_spendable_balance(alice: Customer, bob: Customer) -> None:
    """The application role may UPDATE posted_minor directly (column grant); the ledger then lets
    the customer spend money no posting ever gave them. Only the nightly verify sees it."""
    wallet = wallet_fund(alice, "1.00")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == "tongbao_app"
        try:
            with transaction.atomic():
                cursor.execute(
                    "UPDATE payments_ledgeraccount SET posted_minor = posted_minor + 100000000 WHERE id = %s",
                    [wallet.pk],
                )
            minted = True
        except Exception:  # noqa: BLE001
            minted = False
    if minted:
        dest = wallet_get_or_create(customer=bob, currency="CNY")
        with transaction.atomic():
            transfer_post(
                kind=Transfer.Kind.P2P,
                legs=[
                    Leg(LedgerAccount.objects.get(pk=wallet.pk), -Money(500_000_00, "CNY")),
                    Leg(dest, Money(500_000_00, "CNY")),
                ],
            )
    assert not minted, "app role raised a wallet's posted balance by 1,000,000.00 with one UPDATE and spent it"


@pytest.mark.django_db(transaction=True)
def test_app_role_cannot_add_postings_to_a_committed_transfer(alice: Customer, bob: Customer) -> None:
    """Append-only is enforced per row (no UPDATE/DELETE), not per transfer: the app role can INSERT
    a balanced pair of postings into a transfer committed long ago (its zero-sum trigger passes)."""
    a = wallet_fund(alice, "10.00")
    b = wallet_get_or_create(customer=bob, currency="CNY")
    t = Transfer.objects.filter(postings__account=a).order_by("id").first()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO payments_posting (transfer_id, account_id, amount_minor, currency, created_at) "
                "VALUES (%s, %s, -100000, 'CNY', now()), (%s, %s, 100000, 'CNY', now())",
                [t.pk, a.pk, t.pk, b.pk],
            )
        added = True
    except Exception:  # noqa: BLE001
        added = False
    assert not added, f"two postings were appended to committed transfer {t.pk} by the app role"
