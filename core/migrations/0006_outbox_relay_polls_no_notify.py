"""The outbox no longer NOTIFYs at commit (issue 11): the relay polls the partial index of
unpublished rows every 20 ms instead (``core.outbox_relay.relay_follow``).

PostgreSQL takes one cluster-wide lock while a transaction that ran NOTIFY commits, so with the
trigger of core 0005 every payment's commit, WAL flush included, waited for the previous one (no
group commit). Measured on the 2-core machine, service P2P payments with the trigger enabled and
disabled, interleaved: 8 clients 191/144 vs 292/408 per second, 16 clients 173/170 vs 363/446.
"""

from django.db import migrations

FORWARD = """
DROP TRIGGER IF EXISTS core_outboxevent_notify ON core_outboxevent;
DROP FUNCTION IF EXISTS core_outbox_notify();
"""

REVERSE = """
CREATE OR REPLACE FUNCTION core_outbox_notify() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    PERFORM pg_notify('core_outbox', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER core_outboxevent_notify
    AFTER INSERT ON core_outboxevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_outbox_notify();
"""


class Migration(migrations.Migration):
    # Runs after payments 0012, which sets this function's search_path (payments 0013 says run_before).
    dependencies = [("core", "0005_outbox_notify_and_redelivery_pacing")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
