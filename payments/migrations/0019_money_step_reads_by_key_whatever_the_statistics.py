"""The money step reads and writes by key whatever the table statistics say (issue 11, stop 24).

Since 0016 the money step's statements run as *generic* plans, made once per session and kept until
the tables' statistics change. A plan made while a table's statistics say it is empty or tiny scans
it sequentially, and keeps scanning it as the table grows, until the next ANALYZE:
- a table ANALYZEd while empty (a new deployment, a purge of expired keys) has ``reltuples`` 0, and
  the Idempotency-Key look-up (``payments_idempotencyrecord``, unique on customer and key) was
  planned as a sequential scan costed at 0: 133 µs per API payment after 2,300 requests, growing
  with every request (``auto_explain`` in ``make bench``'s world, stop 24);
- a table never ANALYZEd (statistics absent) gave the balance ``UPDATE ... WHERE id = ANY(...)`` a
  sequential scan of every ledger account: 110 of its 130 µs per payment with 1,003 accounts.

Every statement of these functions finds its rows by an equality on an indexed column, so
sequential scans are switched off for them: a ``SET`` clause on each function that runs statements
(the money step, the ledger's write and its triggers, the step-up take, the promotions take and
quote read, the risk gate), because PostgreSQL caches a function's plans per session whoever calls
it. A statement with no index to use still scans (the setting makes the scan the last resort), so
no statement changes what it does. The redundant single-column ``customer_id`` indexes that the
planner then picked over the unique (customer, key) ones go in payments 0020, risk 0008 and
accounts 0010. ``tests/payments/test_money_step_plans.py`` checks the clauses (``CREATE OR
REPLACE`` drops them) and that payments scan none of these tables after an ANALYZE that saw them
empty or tiny.
"""

from importlib import import_module

from django.db import migrations

# Every function of the payment path that runs statements. A function's plans are cached per
# session, per function, whoever calls it, so the clause must be on each one: on the caller only, a
# nested function called directly first (``risk_precheck_gate`` from the pre-check in Python,
# ``payments_step_up_take``) kept the scans it planned then for the payments that followed (the
# review of stop 24 showed it). The zero-sum check runs at COMMIT (a deferred trigger), after every
# caller's clause has ended.
FUNCTIONS = [
    "payments_pay",
    "payments_ledger_post",
    "payments_hot_account_fold",
    "payments_check_transfer_balanced",
    "payments_check_posting_currency",
    "payments_posting_fill_kind",
    "payments_step_up_take",
    "payments_promotions_take",
    "promotions_quote_read",
    "risk_precheck_gate",
]


def _alter(action: str) -> str:
    return import_module("payments.migrations.0016_money_step_plans_once_per_session").alter(FUNCTIONS, action)


class Migration(migrations.Migration):
    # After the last migration that (re)defines each function: CREATE OR REPLACE drops the clause,
    # and 0016's alter() skips a function that does not exist yet.
    dependencies = [
        ("payments", "0018_ledger_post_locks_by_primary_key"),
        ("promotions", "0016_held_coupon_without_marketing_consent"),
        ("risk", "0006_precheck_gate"),
    ]

    operations = [migrations.RunSQL(_alter("SET enable_seqscan = off"), _alter("RESET enable_seqscan"))]
