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

Every statement of these functions finds its rows by primary key or a unique index, so sequential
scans are switched off for them (a ``SET`` clause: it holds for everything they run, the risk gate,
the promotions take and the ledger's row triggers included, and for nothing else of the session),
and for the zero-sum check the ledger runs at commit (``payments_check_transfer_balanced``, which
reads a transfer's postings by transfer id: ``tools/bench_profile.py`` saw it scan every posting,
three times per transfer, in a world analysed while small). A
statement with no index to use still scans (the setting only makes the scan the last resort), so
no statement changes what it does. ``tests/payments/test_money_step_plans.py`` checks the clause
is there (``CREATE OR REPLACE`` drops SET clauses) and that a payment does not scan a table
analysed while empty.
"""

from importlib import import_module

from django.db import migrations

# The zero-sum check runs at COMMIT (a deferred constraint trigger), after the money step's SET
# clauses have ended: it carries its own (it reads the transfer's postings by transfer id).
FUNCTIONS = ["payments_pay", "payments_ledger_post", "payments_hot_account_fold", "payments_check_transfer_balanced"]


def _alter(action: str) -> str:
    return import_module("payments.migrations.0016_money_step_plans_once_per_session").alter(FUNCTIONS, action)


class Migration(migrations.Migration):
    dependencies = [("payments", "0018_ledger_post_locks_by_primary_key")]

    operations = [migrations.RunSQL(_alter("SET enable_seqscan = off"), _alter("RESET enable_seqscan"))]
