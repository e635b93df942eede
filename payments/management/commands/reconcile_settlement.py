"""``manage.py reconcile_settlement FILE.csv [--from DATE --to DATE]``: match the bank's settlement
file against top-ups, withdrawals and the ledger; print every mismatch; exit 1 if there is any.

File format and mismatch kinds: ``payments.services.reconciliation`` and docs/payments-movements.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payments.services.reconciliation import settlement_reconcile


class Command(BaseCommand):
    help = "Reconcile the bank's settlement CSV with top-ups, withdrawals and the ledger; exit 1 on any mismatch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="settlement CSV (value_date,type,reference,gateway_ref,amount,currency)")
        parser.add_argument(
            "--from", dest="date_from", type=date.fromisoformat, help="first value date (default: file's)"
        )
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat, help="last value date (default: file's)")

    def handle(self, *args: Any, **options: Any) -> None:
        period = None
        if options["date_from"] or options["date_to"]:
            if not (options["date_from"] and options["date_to"]):
                raise CommandError("give both --from and --to")
            period = (options["date_from"], options["date_to"])
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as handle:
                lines, mismatches = settlement_reconcile(handle, period=period)
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for mismatch in mismatches:
            self.stdout.write(str(mismatch))
        summary = f"{lines} line(s) read, {len(mismatches)} mismatch(es)"
        if mismatches:
            raise CommandError(summary, returncode=1)
        self.stdout.write(self.style.SUCCESS(f"{summary}: settlement file and ledger agree"))
