"""The outbox wakes its relay on commit, and the redelivery sweep is paced per event.

* ``core_outbox_notify()``: an AFTER INSERT ... FOR EACH STATEMENT trigger on ``core_outboxevent``
  runs ``pg_notify('core_outbox', '')``. PostgreSQL delivers a notification only when the inserting
  transaction commits (never on rollback), and folds identical ones of one transaction into one, so
  a payment wakes the listening relay (``manage.py outbox_relay --listen``) exactly at its commit.
* ``redeliveries`` / ``redeliver_at``: when the sweep last re-sent an event and when it may again.
* A BRIN index on ``created_at`` for the sweep's window (cheap on an append-mostly table).
"""

import django.contrib.postgres.indexes
from django.db import migrations, models

NOTIFY = """
CREATE OR REPLACE FUNCTION core_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('core_outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER core_outboxevent_notify
    AFTER INSERT ON core_outboxevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_outbox_notify();
"""

NOTIFY_REVERSE = """
DROP TRIGGER IF EXISTS core_outboxevent_notify ON core_outboxevent;
DROP FUNCTION IF EXISTS core_outbox_notify();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0004_i18n_verbose_names")]

    operations = [
        migrations.AddField(
            model_name="outboxevent",
            name="redeliveries",
            field=models.PositiveIntegerField(default=0, verbose_name="redeliveries"),
        ),
        migrations.AddField(
            model_name="outboxevent",
            name="redeliver_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="next redelivery at"),
        ),
        migrations.AddIndex(
            model_name="outboxevent",
            index=django.contrib.postgres.indexes.BrinIndex(fields=["created_at"], name="outbox_created_brin"),
        ),
        migrations.RunSQL(NOTIFY, NOTIFY_REVERSE),
    ]
