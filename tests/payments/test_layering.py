"""Only the ledger kernel (``payments/ledger/``) writes ledger tables (issue 8, structure).

import-linter (``make check``) keeps the app layers; this test approximates the table rule:
no ORM write and no raw ``INSERT``/``UPDATE``/``DELETE`` on transfers, postings, ledger accounts,
holds or hot-account deltas anywhere else in the application packages.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "accounts", "payments", "promotions", "risk", "feedback", "wallet_site")
KERNEL = ROOT / "payments" / "ledger"
_MODELS = r"\b(Posting|Transfer|LedgerAccount|LedgerSeal|Hold|HotAccountDelta)"  # \b: not RiskHold
_ORM_WRITE = re.compile(
    _MODELS + r"\.objects\b[^\n]*?\.(create|get_or_create|update_or_create|bulk_create|bulk_update|update|delete)\("
)
_SQL_WRITE = re.compile(
    r"(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+payments_(posting|transfer|ledgeraccount|ledgerseal|hold|hotaccountdelta)\b",
    re.IGNORECASE,
)


def _offenders() -> list[str]:
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if KERNEL in path.parents or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if _ORM_WRITE.search(line) or _SQL_WRITE.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_only_the_kernel_writes_ledger_tables() -> None:
    assert _offenders() == []


def test_the_check_recognises_a_write() -> None:
    assert _ORM_WRITE.search("LedgerAccount.objects.filter(pk=1).update(posted_minor=0)")
    assert _SQL_WRITE.search("update payments_ledgeraccount set posted_minor = 0")
    assert not _ORM_WRITE.search("LedgerAccount.objects.filter(pk=1).first()")
    assert _ORM_WRITE.search("x = Hold.objects.create(account=a)")
    assert not _ORM_WRITE.search("row = RiskHold.objects.create(case=c)")  # risk's own table
