"""``manage.py verify_ledger``: recompute every balance from postings, check every invariant and
the seal chain, print a summary; exit status 1 on any drift (payments.ledger.verify)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from payments.ledger.seal import ledger_seal_run
from payments.ledger.verify import ledger_verify


class Command(BaseCommand):
    help = "Verify the ledger: balances from postings, zero-sum transfers, holds, hashes and the seal chain."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument("--no-seal", action="store_true", help="Do not seal pending (and late) transfers first.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_seal"]:
            ledger_seal_run(sweep=True)
        report = ledger_verify()
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            counts = ", ".join(f"{k}={v}" for k, v in report.counts.items())
            totals = ", ".join(f"{k}={v}" for k, v in sorted(report.totals.items())) or "none"
            self.stdout.write(f"Ledger: {counts}")
            self.stdout.write(f"Sum of all postings per currency (must be 0): {totals}")
            for drift in report.drifts:
                self.stdout.write(self.style.ERROR(f"DRIFT: {drift}"))
            if report.ok:
                self.stdout.write(self.style.SUCCESS("OK: no drift"))
        if not report.ok:
            raise CommandError(f"{report.drift_count} drift(s) found", returncode=1)
