"""Every function the ledger's triggers (and the money step) run names its search path, ending
with ``pg_temp``: PostgreSQL otherwise searches the caller's temporary schema FIRST, so a temporary
table named like a ledger table could stand in for it inside a check (found by the issue-11 review:
a temporary ``payments_posting`` would have fooled the commit-time zero-sum check of a transfer
posted directly through ``payments_ledger_post``). The kernel's SECURITY DEFINER functions got
theirs in 0010."""

from django.db import migrations

FUNCTIONS = [
    "payments_check_transfer_balanced()",
    "payments_check_posting_currency()",
    "payments_posting_fill_kind()",
    "core_refuse_mutation()",
    "core_outbox_notify()",
    "payments_pay(jsonb)",
]

FORWARD = "".join(f"ALTER FUNCTION {name} SET search_path = pg_catalog, public, pg_temp;\n" for name in FUNCTIONS)
REVERSE = "".join(f"ALTER FUNCTION {name} RESET search_path;\n" for name in FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0011_posting_kind_history_indexes"),
        ("core", "0005_outbox_notify_and_redelivery_pacing"),
    ]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
