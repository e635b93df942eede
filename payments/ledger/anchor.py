"""Anchors of the seal chain outside the database.

The seal chain (payments.ledger.seal) makes every rewrite of a transfer visible, unless
someone with database access rewrites the whole chain after it. So once a day the chain's head
(``seq``, ``hash``) is signed with HMAC-SHA256 under ``LEDGER_ANCHOR_KEY``, a key the database
never holds, and appended to ``LEDGER_ANCHOR_DIR/anchors.jsonl`` (one JSON object a line, opened
for appending only, fsynced) and to the audit log. ``verify_ledger`` checks the chain against every
anchor and names the first anchored day whose head differs.

Ship the anchor file (or the audit stream) to storage the database's administrators cannot
rewrite (WORM bucket, log archive): an anchor is only as safe as where it is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from core.audit import audit_record
from payments.models import LedgerSeal

__all__ = [
    "ANCHOR_FILE",
    "Anchor",
    "anchor_file",
    "anchor_mac",
    "anchored_seqs",
    "anchors_check",
    "anchors_read",
    "ledger_anchor_run",
]

ANCHOR_FILE = "anchors.jsonl"


@dataclass(frozen=True)
class Anchor:
    day: str  # ISO date, in TIME_ZONE
    seq: int
    hash: str
    anchored_at: str
    mac: str

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day, "seq": self.seq, "hash": self.hash, "anchored_at": self.anchored_at, "mac": self.mac}


def anchor_file() -> Path:
    return Path(settings.LEDGER_ANCHOR_DIR) / ANCHOR_FILE


def anchor_mac(day: str, seq: int, head: str) -> str:
    message = json.dumps({"day": day, "seq": seq, "hash": head}, sort_keys=True, separators=(",", ":"))
    return hmac.new(settings.LEDGER_ANCHOR_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def anchors_read() -> list[Anchor | str]:
    """Every anchor in file order; a line that does not parse is returned as its raw text."""
    path = anchor_file()
    if not path.exists():
        return []
    result: list[Anchor | str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            result.append(
                Anchor(
                    day=str(data["day"]),
                    seq=int(data["seq"]),
                    hash=str(data["hash"]),
                    anchored_at=str(data["anchored_at"]),
                    mac=str(data["mac"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            result.append(line)
    return result


def _append(line: str) -> None:
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def ledger_anchor_run(*, now: datetime | None = None) -> Anchor | None:
    """Sign the current head of the seal chain for today; None when there is no seal yet or the
    head is already anchored. Safe to run twice (beat only triggers)."""
    now = now or timezone.now()
    day: date = timezone.localtime(now).date()
    head = LedgerSeal.objects.order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        return None
    seq, digest = head
    for existing in anchors_read():
        if isinstance(existing, Anchor) and existing.seq == seq and existing.day == day.isoformat():
            return None
    anchor = Anchor(
        day=day.isoformat(),
        seq=seq,
        hash=digest,
        anchored_at=now.isoformat(),
        mac=anchor_mac(day.isoformat(), seq, digest),
    )
    _append(json.dumps(anchor.as_dict(), sort_keys=True))
    audit_record(action="payments.ledger.anchor", reason="daily seal chain anchor", changes=anchor.as_dict())
    return anchor


def anchors_check(seal_hashes: dict[int, str]) -> list[str]:
    """Compare the anchors with the chain (``seq -> hash`` of the anchored seals); return drifts,
    the first naming the first anchored day whose head differs."""
    drifts: list[str] = []
    first_bad: str | None = None
    for anchor in anchors_read():
        if isinstance(anchor, str):
            drifts.append(f"anchor file: unreadable line {anchor[:80]!r}")
            continue
        if not hmac.compare_digest(anchor.mac, anchor_mac(anchor.day, anchor.seq, anchor.hash)):
            drifts.append(f"anchor of {anchor.day}: signature does not verify (anchor file edited?)")
            continue
        stored = seal_hashes.get(anchor.seq)
        if stored == anchor.hash:
            continue
        what = "is missing" if stored is None else "differs from the anchor"
        drifts.append(f"anchor of {anchor.day}: seal {anchor.seq} {what}")
        first_bad = first_bad or anchor.day
    if first_bad is not None:
        drifts.insert(0, f"seal chain differs from its anchors from {first_bad} on (first differing day: {first_bad})")
    return drifts


def anchored_seqs() -> list[int]:
    return sorted({a.seq for a in anchors_read() if isinstance(a, Anchor)})
