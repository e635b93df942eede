"""The application role writes the ledger only through the kernel's functions.

``payments_ledger_post`` (every transfer, its postings, the locked balances and the hot-account
deltas) and ``payments_hot_account_fold`` (a hot account's deltas into its checkpoint) run as the
schema owner (SECURITY DEFINER, ``search_path`` fixed). ``core.db_roles`` then leaves the
application role SELECT only on transfers, postings and hot-account deltas, and no UPDATE of
``posted_minor``: an attacker holding the application's credentials can no longer raise a balance
with one UPDATE, nor append postings to a transfer committed long ago (both were strict xfails of
the money-safety review). What it can still do is what the application does: post a new balanced
transfer, which the ledger records, hashes and seals like any other.

A new account starts at zero, with the flags of its kind: an INSERT with a balance, or a customer
wallet "allowed negative", is refused (the same minting by INSERT). Every function the ledger's
triggers and the kernel run has ``search_path = pg_catalog, public, pg_temp`` (0010 for the kernel's,
0012 for the triggers'): a temporary table of the caller never stands in for a ledger table.
"""

from django.db import migrations

FOLD = r"""
CREATE OR REPLACE FUNCTION payments_hot_account_fold(p_account bigint) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    posted bigint;
BEGIN
    -- The caller holds the account's row lock (payments.ledger.accounts.hot_account_fold). DELETE
    -- sees committed deltas only: a credit committing later waits for the next fold.
    WITH folded AS (DELETE FROM payments_hotaccountdelta WHERE account_id = p_account RETURNING amount_minor)
    UPDATE payments_ledgeraccount
       SET posted_minor = posted_minor + COALESCE((SELECT sum(amount_minor) FROM folded), 0)
     WHERE id = p_account
    RETURNING posted_minor INTO posted;
    RETURN posted;
END;
$$;
ALTER FUNCTION payments_ledger_post(text, uuid, text, text, jsonb, bigint, text, bigint, timestamptz, text,
                                    bigint[], bigint[], text[], bigint[])
    SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp;
-- Run as the owner: only the application role may call them (core.db_roles grants EXECUTE), and
-- their search_path ends with pg_temp, so a caller's temporary table cannot stand in for a kernel
-- table (PostgreSQL searches pg_temp FIRST unless it is named).
REVOKE EXECUTE ON FUNCTION payments_ledger_post(text, uuid, text, text, jsonb, bigint, text, bigint, timestamptz,
                                                text, bigint[], bigint[], text[], bigint[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION payments_hot_account_fold(bigint) FROM PUBLIC;
"""

FOLD_REVERSE = r"""
DROP FUNCTION IF EXISTS payments_hot_account_fold(bigint);
ALTER FUNCTION payments_ledger_post(text, uuid, text, text, jsonb, bigint, text, bigint, timestamptz, text,
                                    bigint[], bigint[], text[], bigint[])
    SECURITY INVOKER RESET search_path;
"""

OPEN_AT_ZERO = r"""
CREATE OR REPLACE FUNCTION payments_account_opens_at_zero() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    IF NEW.posted_minor <> 0 OR NEW.pending_debit_minor <> 0 THEN
        RAISE EXCEPTION 'ledger: account % must open with a zero balance', NEW.code USING ERRCODE = 'check_violation';
    END IF;
    -- The flags follow the kind (payments.ledger.accounts HOT_KINDS / NEGATIVE_ALLOWED_KINDS): a
    -- customer wallet opened "allowed negative" would let its owner spend money they do not have.
    IF NEW.allow_negative AND NEW.kind NOT IN ('SETTLEMENT', 'FX_POSITION', 'POINTS_ISSUANCE', 'SUSPENSE', 'FEE_INCOME') THEN
        RAISE EXCEPTION 'ledger: a % account may not go negative', NEW.kind USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.is_hot AND NEW.kind NOT IN ('MERCHANT', 'SETTLEMENT', 'FX_POSITION', 'FEE_INCOME', 'CAMPAIGN_BUDGET',
                                       'POINTS_ISSUANCE', 'SUSPENSE', 'BILLER') THEN
        RAISE EXCEPTION 'ledger: a % account is never hot', NEW.kind USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER payments_ledgeraccount_opens_at_zero BEFORE INSERT ON payments_ledgeraccount
    FOR EACH ROW EXECUTE FUNCTION payments_account_opens_at_zero();
"""

OPEN_AT_ZERO_REVERSE = r"""
DROP TRIGGER IF EXISTS payments_ledgeraccount_opens_at_zero ON payments_ledgeraccount;
DROP FUNCTION IF EXISTS payments_account_opens_at_zero();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0009_money_step_functions")]

    operations = [
        migrations.RunSQL(FOLD, FOLD_REVERSE),
        migrations.RunSQL(OPEN_AT_ZERO, OPEN_AT_ZERO_REVERSE),
    ]
