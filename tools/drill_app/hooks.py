"""Drill-only integration hooks, set by dotted path in ``tools/drill_settings.py``."""

from __future__ import annotations

from payments.interfaces import PaymentContext, RiskDecision


def risk_refuse_all(ctx: PaymentContext) -> RiskDecision:
    """``DRILL_REFUSE_ALL=1``: a misconfigured risk engine that refuses every payment. The bank and
    restart drills must then fail on their success-share threshold, not pass on "nothing lost"."""
    return RiskDecision(allowed=False, reason_code="drill_refuse_all", message="Refused by the drill.")
