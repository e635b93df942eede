"""Writes of the risk app, one module per subdomain; import from ``risk.services``."""

from risk.services.step_up import (
    STEP_UP_CONSUME_SQL,
    StepUpIssued,
    step_up_challenge_confirm,
    step_up_challenge_consume,
    step_up_challenge_consume_sql,
    step_up_challenge_issue,
    step_up_payment_fingerprint,
)

__all__ = [
    "STEP_UP_CONSUME_SQL",
    "StepUpIssued",
    "step_up_challenge_confirm",
    "step_up_challenge_consume",
    "step_up_challenge_consume_sql",
    "step_up_challenge_issue",
    "step_up_payment_fingerprint",
]
