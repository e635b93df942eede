"""The ledger's write locks the accounts it moves in one statement that finds them by primary key
(issue 11: ``make bench`` P2P, PostgreSQL CPU per payment).

0009's ``payments_ledger_post`` first read every named account through a join of the legs with
``payments_ledgeraccount``; planned once per session as a generic plan (0016), that join ran as a
hash join over a sequential scan of the whole table (``auto_explain`` in the bench world: 1,003 rows
read for two, 0.11 ms), on every transfer, and would read every account of a bank with millions.
The accounts to lock (ordinary ones, and hot ones debited that may not go negative) are now
selected and locked by one ``id = ANY(...)`` statement on the primary key: a row its WHERE leaves out
is not locked, so hot accounts credited are still appended to without their row lock. Their status
is read by a second statement only when a transfer has such accounts (a P2P transfer has none).
The locked balances are then set, by primary key too, to the balances the postings computed (0009
joined the grouped legs with the table again, a join the planner may also run as a full scan).
Answers are unchanged, the hot accounts' refusals first (``tests/payments/test_ledger_post_reads.py``).

Measured (``pg_stat_statements`` with nested statements, 1,500 service P2P transfers, 1,000
customers): ``payments_pay`` 660 -> 556 us per payment, ``payments_ledger_post`` 369 -> 283 us.

``CREATE OR REPLACE`` resets a function's SET clauses and SECURITY DEFINER, so both are restated
(0010, 0016). The reverse restores 0009's body with them.
"""

from importlib import import_module

from django.db import migrations

LEDGER_POST = r"""
CREATE OR REPLACE FUNCTION payments_ledger_post(
    p_kind text, p_public_id uuid, p_reference text, p_memo text, p_metadata jsonb, p_reverses_id bigint,
    p_reason_code text, p_initiated_by_id bigint, p_created_at timestamptz, p_content_hash text,
    p_accounts bigint[], p_amounts bigint[], p_currencies text[], p_counterparties bigint[]
) RETURNS jsonb LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    n integer := cardinality(p_accounts);
    lock_ids bigint[] := '{}';
    running bigint[] := '{}';  -- posted balance of each locked account, parallel to lock_ids
    acc record;
    posted bigint;
    k integer;
    balance bigint;
    posting_id bigint;
    posting_ids bigint[] := '{}';
    balances bigint[] := '{}';
    new_transfer_id bigint;
    exempt boolean := p_kind IN ('REVERSAL', 'ADJUSTMENT');  -- may move money of a FROZEN account
    refusal jsonb;
BEGIN
    -- The legs, checked here too (Python checked them; this function is callable by the application
    -- role directly): two or more, none zero, summing to zero per currency. The deferred trigger
    -- re-checks at commit.
    IF n IS NULL OR n < 2 OR cardinality(p_amounts) <> n OR cardinality(p_currencies) <> n
       OR cardinality(p_counterparties) <> n THEN
        RAISE EXCEPTION 'ledger: a transfer needs two or more legs' USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM unnest(p_amounts) AS x(m) WHERE m IS NULL OR m = 0)
       OR EXISTS (SELECT 1 FROM unnest(p_amounts, p_currencies) AS x(m, c) GROUP BY c HAVING sum(m) <> 0) THEN
        RAISE EXCEPTION 'ledger: legs must be non-zero and sum to zero per currency' USING ERRCODE = 'check_violation';
    END IF;
    -- The accounts to lock, locked in one statement found by the primary key (0009 first read every
    -- named account through a join that its generic plan ran as a sequential scan of the whole
    -- table): ordinary ones, and hot ones debited that may not go negative, in id order (FOR NO KEY
    -- UPDATE: appended postings' FOR KEY SHARE never wait on it), checked under the lock. A row the
    -- WHERE leaves out is not locked: hot accounts credited (or allowed negative) are appended to
    -- without their row lock. ``is_hot`` and ``allow_negative`` are fixed when an account opens (the
    -- application role may not update them); a migration that changes them meanwhile makes a
    -- waiting row fail the WHERE's re-check, and it is then appended to as its new flags say.
    -- Every row is locked; the first refusal (in id order) is kept until the unlocked accounts below are
    -- checked: theirs is answered first, as in 0009.
    FOR acc IN
        SELECT la.id, la.is_hot, la.allow_negative, la.status, la.posted_minor, la.pending_debit_minor,
               la.currency, la.customer_id,
               (SELECT sum(m) FROM unnest(p_accounts, p_amounts) AS x(a, m) WHERE x.a = la.id) AS net
          FROM payments_ledgeraccount la
         WHERE la.id = ANY(p_accounts)
           AND (NOT la.is_hot
                OR (NOT la.allow_negative
                    AND (SELECT sum(m) FROM unnest(p_accounts, p_amounts) AS x(a, m) WHERE x.a = la.id) < 0))
         ORDER BY la.id
           FOR NO KEY UPDATE OF la
    LOOP
        lock_ids := lock_ids || acc.id;
        IF acc.status = 'CLOSED' THEN
            refusal := COALESCE(refusal, jsonb_build_object('error', 'account_closed', 'account', acc.id));
            CONTINUE;
        ELSIF acc.status = 'FROZEN' AND NOT exempt THEN
            refusal := COALESCE(refusal, jsonb_build_object('error', 'account_frozen', 'account', acc.id));
            CONTINUE;
        END IF;
        posted := acc.posted_minor;
        IF acc.is_hot THEN  -- fold the committed deltas into the checkpoint (we hold the row lock)
            WITH folded AS (DELETE FROM payments_hotaccountdelta WHERE account_id = acc.id RETURNING amount_minor)
            UPDATE payments_ledgeraccount
               SET posted_minor = posted_minor + COALESCE((SELECT sum(amount_minor) FROM folded), 0)
             WHERE id = acc.id
            RETURNING posted_minor INTO posted;
        END IF;
        IF acc.net < 0 AND NOT acc.allow_negative AND posted - acc.pending_debit_minor + acc.net < 0 THEN
            refusal := COALESCE(refusal, jsonb_build_object(
                'error', 'insufficient_funds', 'account', acc.id, 'currency', acc.currency,
                'available_minor', posted - acc.pending_debit_minor, 'customer_account', acc.customer_id IS NOT NULL));
            CONTINUE;
        END IF;
        running := running || posted;
    END LOOP;

    -- The accounts appended to without a lock (hot, credited): only their status, read when there
    -- are any (a P2P transfer between two wallets has none).
    IF cardinality(lock_ids) < (SELECT count(DISTINCT a) FROM unnest(p_accounts) AS x(a)) THEN
        FOR acc IN
            SELECT la.id, la.status FROM payments_ledgeraccount la
             WHERE la.id = ANY(p_accounts) AND NOT la.id = ANY(lock_ids)
             ORDER BY la.id
        LOOP
            IF acc.status = 'CLOSED' THEN
                RETURN jsonb_build_object('error', 'account_closed', 'account', acc.id);
            ELSIF acc.status = 'FROZEN' AND NOT exempt THEN
                RETURN jsonb_build_object('error', 'account_frozen', 'account', acc.id);
            END IF;
        END LOOP;
    END IF;
    IF refusal IS NOT NULL THEN
        RETURN refusal;
    END IF;

    INSERT INTO payments_transfer (public_id, kind, reference, memo, metadata, reverses_id, reason_code,
                                   initiated_by_id, created_at, content_hash)
    VALUES (p_public_id, p_kind, p_reference, p_memo, p_metadata, p_reverses_id, p_reason_code,
            p_initiated_by_id, p_created_at, p_content_hash)
    RETURNING id INTO new_transfer_id;

    FOR i IN 1..n LOOP
        k := array_position(lock_ids, p_accounts[i]);
        balance := NULL;
        IF k IS NOT NULL THEN
            running[k] := running[k] + p_amounts[i];
            balance := running[k];
        END IF;
        INSERT INTO payments_posting (transfer_id, account_id, counterparty_account_id, amount_minor, currency,
                                      balance_after_minor, created_at)
        VALUES (new_transfer_id, p_accounts[i], p_counterparties[i], p_amounts[i], p_currencies[i], balance,
                p_created_at)
        RETURNING id INTO posting_id;
        IF k IS NULL THEN
            INSERT INTO payments_hotaccountdelta (account_id, posting_id, amount_minor)
            VALUES (p_accounts[i], posting_id, p_amounts[i]);
        END IF;
        posting_ids := posting_ids || posting_id;
        balances := balances || balance;
    END LOOP;

    -- The locked balances, set to what the postings above computed (we hold the row locks), found by
    -- primary key: 0009's join with the grouped legs could be planned as a scan of the whole table.
    UPDATE payments_ledgeraccount la
       SET posted_minor = running[array_position(lock_ids, la.id)]
     WHERE la.id = ANY(lock_ids) AND la.posted_minor <> running[array_position(lock_ids, la.id)];

    RETURN jsonb_build_object('transfer_id', new_transfer_id, 'posting_ids', to_jsonb(posting_ids),
                              'balances_after', to_jsonb(balances));
END;
$$;
"""


def _previous() -> str:
    body = import_module("payments.migrations.0009_money_step_functions").LEDGER_POST
    return body.replace(
        ") RETURNS jsonb LANGUAGE plpgsql AS $$",
        ") RETURNS jsonb LANGUAGE plpgsql\n"
        "SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp SET plan_cache_mode = force_generic_plan AS $$",
        1,
    )


class Migration(migrations.Migration):
    dependencies = [("payments", "0017_money_step_decides_risk")]

    operations = [migrations.RunSQL(LEDGER_POST, _previous())]
