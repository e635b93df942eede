"""Payments in the staff admin.

The ledger (accounts, transfers, postings, holds, seals, idempotency records, outbox) is READ-ONLY:
no add, change or delete, whatever the user's permissions. Movement records (top-ups, withdrawals,
merchant and bill payments, refunds, gateway callbacks, FX quotes) are read-only too. Mutations go
through actions and forms that call services: refunds, dual-control adjustments (request, approve,
reject), FX rates (a new row per change, audit-logged), merchants and billers.

Branch scoping: staff of a branch see the ledger accounts, movements and merchants of their
branch tree only; bank-wide roles see everything (``accounts.selectors``).
"""

from payments.admin import adjustments, funding, fx, ledger, merchants, refunds  # noqa: F401  (registers the admins)
from payments.admin.fx import FxRateForm
from payments.admin.refunds import RefundForm

__all__ = ["FxRateForm", "RefundForm"]
