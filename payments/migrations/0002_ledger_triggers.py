"""Database enforcement of the ledger invariants (ARCHITECTURE §4), independent of the Python code.

1. Zero-sum: a DEFERRABLE INITIALLY DEFERRED constraint trigger checks, at COMMIT, that every
   transfer written has at least two postings and that they sum to zero per currency (fired by
   the transfer insert and by every posting insert, so a posting added later is checked too).
2. Append-only: transfers, postings and seals refuse UPDATE, DELETE and TRUNCATE
   (``core_refuse_mutation()`` from core 0002).
3. A posting's currency is its account's currency.
"""

from django.db import migrations

BALANCED = """
CREATE OR REPLACE FUNCTION payments_check_transfer_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tid bigint;
    n_postings bigint;
    unbalanced text;
BEGIN
    IF TG_TABLE_NAME = 'payments_transfer' THEN
        tid := NEW.id;
    ELSE
        tid := NEW.transfer_id;
    END IF;
    SELECT COALESCE(SUM(g.n), 0), MIN(g.currency) FILTER (WHERE g.total <> 0)
      INTO n_postings, unbalanced
      FROM (SELECT currency, COUNT(*) AS n, SUM(amount_minor) AS total
              FROM payments_posting WHERE transfer_id = tid GROUP BY currency) g;
    IF n_postings < 2 THEN
        RAISE EXCEPTION 'ledger: transfer % has % posting(s); at least 2 are required', tid, n_postings
            USING ERRCODE = 'check_violation';
    END IF;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger: postings of transfer % do not sum to zero in %', tid, unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER payments_transfer_balanced
    AFTER INSERT ON payments_transfer DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments_check_transfer_balanced();
CREATE CONSTRAINT TRIGGER payments_posting_balanced
    AFTER INSERT ON payments_posting DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments_check_transfer_balanced();
"""

BALANCED_REVERSE = """
DROP TRIGGER IF EXISTS payments_transfer_balanced ON payments_transfer;
DROP TRIGGER IF EXISTS payments_posting_balanced ON payments_posting;
DROP FUNCTION IF EXISTS payments_check_transfer_balanced();
"""

CURRENCY = """
CREATE OR REPLACE FUNCTION payments_check_posting_currency() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM payments_ledgeraccount WHERE id = NEW.account_id AND currency = NEW.currency) THEN
        RAISE EXCEPTION 'ledger: posting currency % differs from the currency of account %', NEW.currency, NEW.account_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER payments_posting_currency
    BEFORE INSERT ON payments_posting
    FOR EACH ROW EXECUTE FUNCTION payments_check_posting_currency();
"""

CURRENCY_REVERSE = """
DROP TRIGGER IF EXISTS payments_posting_currency ON payments_posting;
DROP FUNCTION IF EXISTS payments_check_posting_currency();
"""

APPEND_ONLY_TABLES = ["payments_transfer", "payments_posting", "payments_ledgerseal"]

APPEND_ONLY = "".join(
    f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION core_refuse_mutation();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION core_refuse_mutation();
"""
    for table in APPEND_ONLY_TABLES
)
APPEND_ONLY_REVERSE = "".join(
    f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};"
    for table in APPEND_ONLY_TABLES
)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_initial"),
        ("core", "0002_append_only_trigger"),
    ]

    operations = [
        migrations.RunSQL(BALANCED, BALANCED_REVERSE),
        migrations.RunSQL(CURRENCY, CURRENCY_REVERSE),
        migrations.RunSQL(APPEND_ONLY, APPEND_ONLY_REVERSE),
    ]
