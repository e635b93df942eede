"""The generated client (clients/python/tongbao_client, ``make client``) against a live server.

The package is generated code, committed and kept up to date by ``make check``; it is imported from
its folder as an app team would vendor it (no install step)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.accounts.conftest import _reference_data, _sms_outbox  # noqa: F401 - SMS codes land in the outbox

CLIENTS = Path(__file__).resolve().parents[2] / "clients" / "python"
if str(CLIENTS) not in sys.path:
    sys.path.insert(0, str(CLIENTS))
