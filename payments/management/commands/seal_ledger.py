"""``manage.py seal_ledger``: append seals for unsealed transfers now (the beat task does it every few seconds)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from payments.ledger.seal import ledger_seal_run


class Command(BaseCommand):
    help = "Seal unsealed transfers into the tamper-evident chain."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Sealed {ledger_seal_run()} transfer(s)")
