"""Item 7 of issue 8: a transfer that commits long after it was created is still sealed."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Customer
from payments.ledger.seal import SEAL_WINDOW, ledger_seal_run
from payments.models import LedgerSeal, Transfer
from payments.tasks import verify_ledger
from tests.payments.factories import wallet_fund

pytestmark = pytest.mark.django_db


def _late_transfer(customer: Customer) -> Transfer:
    """A transfer whose transaction began (and stamped created_at) twice the window ago and
    commits only now, after a later transfer was already sealed."""
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - 2 * SEAL_WINDOW):
        wallet_fund(customer, "5.00")
    return Transfer.objects.latest("id")


def test_a_transfer_committed_after_the_window_is_sealed_by_the_sweep(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")
    assert ledger_seal_run() == 1
    late = _late_transfer(bob)

    ledger_seal_run()  # the frequent run misses it: its window ends before
    assert ledger_seal_run(sweep=True) == 1

    assert LedgerSeal.objects.filter(transfer=late).exists()
    assert LedgerSeal.objects.count() == Transfer.objects.count() == 2


def test_verification_passes_after_a_late_commit(alice: Customer, bob: Customer) -> None:
    wallet_fund(alice, "10.00")
    ledger_seal_run()
    _late_transfer(bob)
    ledger_seal_run()
    out = StringIO()

    call_command("verify_ledger", stdout=out)  # raises CommandError on a drift

    assert "OK: no drift" in out.getvalue()
    assert verify_ledger() is True  # the nightly task too


def test_beat_sweeps_for_late_commits() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["payments.ledger_seal_sweep"]
    assert entry["task"] == "payments.ledger_seal_sweep"
    assert timedelta(seconds=entry["schedule"]) <= SEAL_WINDOW
