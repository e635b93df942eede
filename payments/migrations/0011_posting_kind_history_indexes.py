"""History at 10M postings: the transfer kind on every posting, and the three history indexes.

Not atomic, so a production deploy never locks the postings table for long:

- ``kind`` is a nullable column without a default (a catalogue change, no table rewrite), filled for
  new rows by a BEFORE INSERT trigger from the posting's transfer (whatever the writer sends: the ORM,
  a database function or a raw insert), and for existing rows in batches of ``BACKFILL_BATCH`` ids,
  each batch its own short transaction that lifts the append-only trigger for that UPDATE only
  (so payments wait at most one batch, and the table is append-only again between batches).
- The indexes are built ``CONCURRENTLY`` (no write lock), then the two they supersede are dropped
  ``CONCURRENTLY``: ``(account, created_at)`` is a prefix of ``posting_history`` and
  ``(account, counterparty, id)`` became ``posting_history_counterparty`` (newest first by time).
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models, transaction

BACKFILL_BATCH = 50_000

FILL_KIND = """
CREATE OR REPLACE FUNCTION payments_posting_fill_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT kind INTO NEW.kind FROM payments_transfer WHERE id = NEW.transfer_id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER payments_posting_kind
    BEFORE INSERT ON payments_posting
    FOR EACH ROW EXECUTE FUNCTION payments_posting_fill_kind();
"""

FILL_KIND_REVERSE = """
DROP TRIGGER IF EXISTS payments_posting_kind ON payments_posting;
DROP FUNCTION IF EXISTS payments_posting_fill_kind();
"""


def backfill_kind(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM payments_posting WHERE kind IS NULL")
        last = cursor.fetchone()[0]
    start = 0
    while start < last:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("ALTER TABLE payments_posting DISABLE TRIGGER payments_posting_append_only")
            cursor.execute(
                "UPDATE payments_posting p SET kind = t.kind FROM payments_transfer t"
                " WHERE t.id = p.transfer_id AND p.id > %s AND p.id <= %s AND p.kind IS NULL",
                [start, start + BACKFILL_BATCH],
            )
            cursor.execute("ALTER TABLE payments_posting ENABLE TRIGGER payments_posting_append_only")
        start += BACKFILL_BATCH


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("payments", "0010_ledger_writes_only_through_functions"),
    ]

    operations = [
        migrations.AddField(
            model_name="posting",
            name="kind",
            field=models.CharField(blank=True, editable=False, max_length=30, null=True, verbose_name="kind"),
        ),
        migrations.RunSQL(FILL_KIND, FILL_KIND_REVERSE),
        migrations.RunPython(backfill_kind, migrations.RunPython.noop),
        AddIndexConcurrently(
            model_name="posting",
            index=models.Index(
                fields=["account", "-created_at", "-id"],
                include=["amount_minor", "counterparty_account"],
                name="posting_history",
            ),
        ),
        AddIndexConcurrently(
            model_name="posting",
            index=models.Index(
                fields=["account", "kind", "-created_at", "-id"],
                include=["amount_minor", "counterparty_account"],
                name="posting_history_kind",
            ),
        ),
        AddIndexConcurrently(
            model_name="posting",
            index=models.Index(
                fields=["account", "counterparty_account", "-created_at", "-id"],
                include=["amount_minor", "kind"],
                name="posting_history_counterparty",
            ),
        ),
        RemoveIndexConcurrently(model_name="posting", name="posting_account_created"),
        RemoveIndexConcurrently(model_name="posting", name="posting_account_counterparty"),
    ]
