"""Writes of the risk app, one module per subdomain; import from ``risk.services``."""

from risk.services.cases import case_assign, case_close, case_note_add, review_answer, review_request_create
from risk.services.freezes import (
    risk_freeze,
    unfreeze_approve,
    unfreeze_guard,
    unfreeze_reject,
    unfreeze_request_create,
)
from risk.services.holds import (
    risk_hold_release,
    risk_hold_reversal_approve,
    risk_hold_reversal_request,
)
from risk.services.rules import rule_version_create, rule_version_status_set, scenario_thresholds_set
from risk.services.step_up import (
    STEP_UP_CONSUME_SQL,
    StepUpIssued,
    step_up_challenge_confirm,
    step_up_challenge_consume,
    step_up_challenge_consume_sql,
    step_up_challenge_issue,
    step_up_payment_fingerprint,
    step_up_payment_issue,
)

__all__ = [
    "STEP_UP_CONSUME_SQL",
    "StepUpIssued",
    "case_assign",
    "case_close",
    "case_note_add",
    "review_answer",
    "review_request_create",
    "risk_freeze",
    "risk_hold_release",
    "risk_hold_reversal_approve",
    "risk_hold_reversal_request",
    "rule_version_create",
    "rule_version_status_set",
    "scenario_thresholds_set",
    "step_up_challenge_confirm",
    "step_up_challenge_consume",
    "step_up_challenge_consume_sql",
    "step_up_challenge_issue",
    "step_up_payment_fingerprint",
    "step_up_payment_issue",
    "unfreeze_approve",
    "unfreeze_guard",
    "unfreeze_reject",
    "unfreeze_request_create",
]
