"""``core_refuse_mutation()``: a trigger function that makes a table append-only.

Payments reuses it for postings and transfers. The audit log is the first user.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION core_refuse_mutation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
"""

AUDIT = """
CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_refuse_mutation();
CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON core_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION core_refuse_mutation();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS core_refuse_mutation() CASCADE;"),
        migrations.RunSQL(
            AUDIT,
            "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;"
            "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;",
        ),
    ]
