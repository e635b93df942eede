"""Anchoring the seal chain outside the database (payments.ledger.anchor)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Customer
from core.models import AuditEvent
from payments.ledger import transfer_content_hash
from payments.ledger.anchor import anchor_file, ledger_anchor_run
from payments.ledger.seal import ledger_seal_run, seal_hash
from payments.models import LedgerSeal, Transfer
from payments.tasks import ledger_anchor
from tests.conftest import owner_triggers_disabled
from tests.payments.factories import wallet_fund

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1 = datetime(2026, 11, 1, 3, 0, tzinfo=SHANGHAI)


def _content_hash(transfer: Transfer, memo: str) -> str:
    return transfer_content_hash(
        public_id=str(transfer.public_id),
        kind=transfer.kind,
        reference=transfer.reference,
        memo=memo,
        metadata=transfer.metadata,
        reverses_public_id=None,
        reason_code=transfer.reason_code,
        initiated_by_public_id=None,
        created_at=transfer.created_at,
        postings=[(p.account.code, p.amount_minor, p.currency) for p in transfer.postings.order_by("id")],
    )


def _rewrite_history_from(transfer: Transfer, memo: str) -> None:
    """The perfect forgery, as someone with the owner's rights: change a transfer, recompute its
    content hash and every seal from there on, so every check inside the database passes."""
    new_hash = _content_hash(transfer, memo)
    seals = list(LedgerSeal.objects.select_related("transfer").order_by("seq"))
    with owner_triggers_disabled("payments_transfer", "payments_ledgerseal") as cursor:
        cursor.execute(
            "UPDATE payments_transfer SET memo = %s, content_hash = %s WHERE id = %s", [memo, new_hash, transfer.pk]
        )
        prev = "0" * 64
        for seal in seals:
            content = new_hash if seal.transfer_id == transfer.pk else seal.transfer.content_hash
            digest = seal_hash(prev, content)
            cursor.execute(
                "UPDATE payments_ledgerseal SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, digest, seal.seq]
            )
            prev = digest


@pytest.mark.django_db
def test_the_daily_anchor_is_signed_and_appended_outside_the_database(alice: Customer) -> None:
    wallet_fund(alice, "10.00")

    assert ledger_anchor() is True  # the beat task seals first, then anchors
    assert ledger_anchor() is False  # the same head is anchored once

    lines = anchor_file().read_text().splitlines()
    assert len(lines) == 1
    anchor = json.loads(lines[0])
    head = LedgerSeal.objects.get()
    assert (anchor["seq"], anchor["hash"]) == (head.seq, head.hash)
    assert len(anchor["mac"]) == 64
    event = AuditEvent.objects.get(action="payments.ledger.anchor")
    assert event.changes["hash"] == head.hash


@pytest.mark.django_db(transaction=True)
def test_a_rewritten_chain_is_caught_by_the_anchors_naming_the_first_differing_day(
    alice: Customer, bob: Customer
) -> None:
    wallet_fund(alice, "10.00")
    ledger_seal_run()
    ledger_anchor_run(now=DAY1)
    wallet_fund(bob, "20.00")
    target = Transfer.objects.latest("id")
    ledger_seal_run()
    ledger_anchor_run(now=DAY1 + timedelta(days=1))
    wallet_fund(alice, "30.00")
    ledger_seal_run()
    ledger_anchor_run(now=DAY1 + timedelta(days=2))
    call_command("verify_ledger", stdout=StringIO())  # healthy: anchors match

    _rewrite_history_from(target, "rewritten")
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_ledger", stdout=out)

    assert error.value.returncode == 1
    text = out.getvalue()
    assert "first differing day: 2026-11-02" in text
    assert "anchor of 2026-11-01" not in text
    assert "anchor of 2026-11-03: seal 3 differs" in text
    assert "hash does not recompute" not in text  # the forgery fooled every check inside the database


@pytest.mark.django_db
def test_an_edited_anchor_file_is_reported(alice: Customer) -> None:
    wallet_fund(alice, "10.00")
    ledger_seal_run()
    ledger_anchor_run(now=DAY1)
    path = anchor_file()
    anchor = json.loads(path.read_text())
    anchor["hash"] = "f" * 64
    path.write_text(json.dumps(anchor) + "\n")

    with pytest.raises(CommandError):
        call_command("verify_ledger", stdout=StringIO())
