"""The ledger's write and the payment's money step as database functions (docs/ledger.md, "The
money step in the database").

``payments_ledger_post`` is the only code that writes a transfer: ``payments.ledger.transfers``
calls it for every kind (one round trip instead of six to eight statements). It locks the
ordinary accounts (and hot accounts debited with a check) in id order, checks status and available
balance under the lock, folds a locked hot account, inserts the transfer and its postings (with
``balance_after``), moves the locked balances and appends hot-account deltas. A business refusal
(closed or frozen account, insufficient funds) is RETURNED as ``{"error": ...}`` before anything is
written (a fold may have run: it changes no balance), so the caller's transaction stays usable.
The triggers of 0002 stay the backstop: zero-sum at commit, append-only, posting currency.

``payments_pay`` is a whole customer payment in one statement, for the API in autocommit and for
the services inside their caller's transaction: idempotency (transaction-scoped advisory lock and
the stored record), both customers locked in id order (the payer's PIN attempt is taken and
compared under that lock), then, in a block whose EXCEPTION clause stands in for the savepoint,
status checks, KYC limits (the day and month counters reserved by one UPSERT), the transfer, the
recipient's balance cap, the merchant payment row and the outbox event. A business failure rolls
the block back and is stored as the idempotent answer like a success. Its input is one JSON
document built by ``payments.ledger.money_step``; see there for the fields.
"""

from django.db import migrations

LEDGER_POST = r"""
CREATE OR REPLACE FUNCTION payments_ledger_post(
    p_kind text, p_public_id uuid, p_reference text, p_memo text, p_metadata jsonb, p_reverses_id bigint,
    p_reason_code text, p_initiated_by_id bigint, p_created_at timestamptz, p_content_hash text,
    p_accounts bigint[], p_amounts bigint[], p_currencies text[], p_counterparties bigint[]
) RETURNS jsonb LANGUAGE plpgsql AS $$
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
    -- Which accounts to lock: ordinary ones, and hot ones debited that may not go negative.
    -- Hot accounts credited (or allowed negative) are appended to without their row lock.
    FOR acc IN
        SELECT la.id, la.is_hot, la.allow_negative, la.status, u.net
          FROM (SELECT a AS id, sum(m) AS net FROM unnest(p_accounts, p_amounts) AS x(a, m) GROUP BY a) u
          JOIN payments_ledgeraccount la ON la.id = u.id
         ORDER BY la.id
    LOOP
        IF NOT acc.is_hot OR (acc.net < 0 AND NOT acc.allow_negative) THEN
            lock_ids := lock_ids || acc.id;
        ELSIF acc.status = 'CLOSED' THEN
            RETURN jsonb_build_object('error', 'account_closed', 'account', acc.id);
        ELSIF acc.status = 'FROZEN' AND NOT exempt THEN
            RETURN jsonb_build_object('error', 'account_frozen', 'account', acc.id);
        END IF;
    END LOOP;

    -- Lock in id order (FOR NO KEY UPDATE: appended postings' FOR KEY SHARE never wait on it) and
    -- check under the lock.
    FOR acc IN
        SELECT la.id, la.is_hot, la.allow_negative, la.status, la.posted_minor, la.pending_debit_minor,
               la.currency, la.customer_id,
               (SELECT sum(m) FROM unnest(p_accounts, p_amounts) AS x(a, m) WHERE x.a = la.id) AS net
          FROM payments_ledgeraccount la
         WHERE la.id = ANY(lock_ids)
         ORDER BY la.id
           FOR NO KEY UPDATE OF la
    LOOP
        IF acc.status = 'CLOSED' THEN
            RETURN jsonb_build_object('error', 'account_closed', 'account', acc.id);
        ELSIF acc.status = 'FROZEN' AND NOT exempt THEN
            RETURN jsonb_build_object('error', 'account_frozen', 'account', acc.id);
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
            RETURN jsonb_build_object(
                'error', 'insufficient_funds', 'account', acc.id, 'currency', acc.currency,
                'available_minor', posted - acc.pending_debit_minor, 'customer_account', acc.customer_id IS NOT NULL);
        END IF;
        running := running || posted;
    END LOOP;

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

    UPDATE payments_ledgeraccount la
       SET posted_minor = la.posted_minor + u.net
      FROM (SELECT a AS id, sum(m) AS net FROM unnest(p_accounts, p_amounts) AS x(a, m)
             WHERE a = ANY(lock_ids) GROUP BY a HAVING sum(m) <> 0) u
     WHERE la.id = u.id;

    RETURN jsonb_build_object('transfer_id', new_transfer_id, 'posting_ids', to_jsonb(posting_ids),
                              'balances_after', to_jsonb(balances));
END;
$$;
"""

PAY = r"""
CREATE OR REPLACE FUNCTION payments_pay(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    v_customer bigint := (p->>'customer')::bigint;
    v_key text := p->>'idem_key';
    v_now timestamptz := (p->>'now')::timestamptz;
    v_customers bigint[] := ARRAY(SELECT jsonb_array_elements_text(p->'lock_customers')::bigint);
    t jsonb := p->'transfer';
    lim jsonb := p->'limits';
    cap jsonb := p->'cap';
    rec record;
    payer record;
    v_recipient_status text;
    posted jsonb;
    failure text;
    details jsonb := '{}';
    v_status integer;
    v_body jsonb;
    v_count integer;
    v_periods text[];
    v_order bigint;
    v_payment bigint;
    v_amount bigint;
    v_balance bigint;
BEGIN
    -- 1. Idempotency: one request per (customer, key) at a time (the lock the Python path takes too);
    --    a stored result is the answer, whatever happened since. One 64-bit key: the customer in the
    --    high half, the key's hash in the low half (payments.idempotency takes the same lock).
    IF v_key IS NOT NULL THEN
        IF NOT pg_try_advisory_xact_lock(((v_customer % 2147483648) << 32) | (hashtext(v_key)::bigint & 4294967295)) THEN
            RETURN jsonb_build_object('outcome', 'in_flight');
        END IF;
        SELECT request_fingerprint, response_status, response_body INTO rec
          FROM payments_idempotencyrecord WHERE customer_id = v_customer AND key = v_key;
        IF FOUND THEN
            IF rec.request_fingerprint <> p->>'fingerprint' THEN
                RETURN jsonb_build_object('outcome', 'reused');
            END IF;
            RETURN jsonb_build_object('outcome', 'replay', 'status', rec.response_status, 'body', rec.response_body);
        END IF;
    END IF;

    -- 2. The customers in id order, locked until the end (FOR NO KEY UPDATE: a freeze, FOR UPDATE,
    --    waits for this payment or this payment sees it; a posting's FOR KEY SHARE does not wait).
    FOR rec IN
        SELECT c.id, c.status, c.payment_pin, c.pin_failed_attempts, c.pin_locked_until
          FROM accounts_customer c WHERE c.id = ANY(v_customers) ORDER BY c.id FOR NO KEY UPDATE
    LOOP
        IF rec.id = v_customer THEN payer := rec; ELSE v_recipient_status := rec.status; END IF;
    END LOOP;

    -- 3. The payment PIN: under the payer's row lock, so parallel guesses queue and each sees the
    --    count the previous one left; a wrong PIN commits its count (we return, nothing raises).
    IF p ? 'pin' THEN
        IF payer.payment_pin IS NULL OR payer.payment_pin = '' THEN
            RETURN jsonb_build_object('outcome', 'pin_not_set');
        END IF;
        IF payer.pin_locked_until IS NOT NULL AND payer.pin_locked_until > v_now THEN
            RETURN jsonb_build_object('outcome', 'pin_locked', 'locked_until', payer.pin_locked_until);
        END IF;
        IF payer.payment_pin <> p->>'pin' THEN
            v_count := CASE WHEN payer.pin_failed_attempts >= (p->>'pin_max')::int THEN 1
                            ELSE payer.pin_failed_attempts + 1 END;
            UPDATE accounts_customer
               SET pin_failed_attempts = v_count,
                   pin_locked_until = CASE WHEN v_count >= (p->>'pin_max')::int
                                           THEN (p->>'pin_lock_until')::timestamptz ELSE pin_locked_until END
             WHERE id = v_customer
            RETURNING pin_locked_until INTO rec;
            RETURN jsonb_build_object('outcome', 'pin_invalid', 'failed', v_count, 'locked_until', rec.pin_locked_until);
        END IF;
        IF payer.pin_failed_attempts <> 0 OR payer.pin_locked_until IS NOT NULL THEN
            UPDATE accounts_customer SET pin_failed_attempts = 0, pin_locked_until = NULL WHERE id = v_customer;
        END IF;
    END IF;

    -- 4. The money, all or nothing: the EXCEPTION clause rolls the block back (counters included).
    BEGIN
        failure := p->>'failure_early';  -- refused before anything (unknown recipient, ...)
        IF failure IS NULL AND p ? 'claim_order' THEN  -- a dynamic QR: the order is paid at most once
            UPDATE payments_merchantorder SET status = 'PAID', paid_at = v_now
             WHERE public_id = (p->'claim_order'->>'public_id')::uuid
               AND merchant_id = (p->'claim_order'->>'merchant')::bigint
               AND status = 'OPEN' AND expires_at > v_now
            RETURNING id, amount_minor, currency INTO rec;
            IF FOUND THEN
                v_order := rec.id;
                IF rec.amount_minor <> (p->'claim_order'->>'amount')::bigint
                   OR rec.currency <> p->'claim_order'->>'currency' THEN
                    failure := 'qr_invalid';  -- the signed amount must be the order's
                END IF;
            ELSE
                SELECT status INTO rec FROM payments_merchantorder
                 WHERE public_id = (p->'claim_order'->>'public_id')::uuid
                   AND merchant_id = (p->'claim_order'->>'merchant')::bigint;
                failure := CASE WHEN NOT FOUND THEN 'qr_invalid'
                                WHEN rec.status = 'PAID' THEN 'order_already_paid'
                                WHEN rec.status = 'CANCELLED' THEN 'order_cancelled'
                                ELSE 'qr_expired' END;
            END IF;
        END IF;
        IF failure IS NULL AND payer.status IS DISTINCT FROM 'ACTIVE' THEN
            failure := CASE WHEN payer.status = 'FROZEN' THEN 'sender_frozen' ELSE 'sender_closed' END;
        END IF;
        IF failure IS NULL AND p ? 'recipient' AND v_recipient_status IS DISTINCT FROM 'ACTIVE' THEN
            failure := CASE WHEN v_recipient_status = 'FROZEN' THEN 'recipient_frozen' ELSE 'recipient_closed' END;
        END IF;
        IF failure IS NULL THEN
            failure := p->>'failure_after_status';  -- the risk pre-check's refusal
        END IF;
        IF failure IS NULL AND lim IS NOT NULL AND lim <> 'null'::jsonb THEN
            v_amount := (lim->>'amount')::bigint;
            IF (lim->>'per_transaction')::bigint = 0 THEN
                failure := 'kyc_required';
            ELSIF v_amount > (lim->>'per_transaction')::bigint THEN
                failure := 'limit_per_transaction';
            ELSIF v_amount > (lim->>'daily')::bigint THEN
                failure := 'limit_daily';
            ELSIF v_amount > (lim->>'monthly')::bigint THEN
                failure := 'limit_monthly';
            ELSE
                WITH reserved AS (
                    INSERT INTO payments_customerspendcounter AS c (customer_id, period, period_start, spent_minor)
                    VALUES (v_customer, 'DAY', (lim->>'day')::date, v_amount),
                           (v_customer, 'MONTH', (lim->>'month')::date, v_amount)
                    ON CONFLICT (customer_id, period, period_start)
                    DO UPDATE SET spent_minor = c.spent_minor + EXCLUDED.spent_minor
                     WHERE c.spent_minor + EXCLUDED.spent_minor
                           <= CASE EXCLUDED.period WHEN 'DAY' THEN (lim->>'daily')::bigint
                                                   ELSE (lim->>'monthly')::bigint END
                    RETURNING c.period)
                SELECT array_agg(period) INTO v_periods FROM reserved;
                -- A counter whose WHERE refused is not returned: it names the limit (day first).
                IF v_periods IS NULL OR NOT 'DAY' = ANY(v_periods) THEN
                    failure := 'limit_daily';
                ELSIF NOT 'MONTH' = ANY(v_periods) THEN
                    failure := 'limit_monthly';
                END IF;
            END IF;
        END IF;
        IF failure IS NULL AND p ? 'open_accounts' THEN  -- a wallet's first movement opens it
            FOR rec IN SELECT * FROM jsonb_to_recordset(p->'open_accounts')
                           AS x(id bigint, public_id uuid, code text, kind text, currency text, customer bigint)
            LOOP
                INSERT INTO payments_ledgeraccount (id, public_id, code, kind, currency, customer_id, name,
                                                    allow_negative, is_hot, status, posted_minor,
                                                    pending_debit_minor, created_at)
                VALUES (rec.id, rec.public_id, rec.code, rec.kind, rec.currency, rec.customer, '', false, false,
                        'ACTIVE', 0, 0, v_now)
                ON CONFLICT DO NOTHING;
                IF NOT FOUND THEN  -- opened meanwhile by another payment: the caller reads again and retries
                    RAISE EXCEPTION 'ledger account % was opened concurrently', rec.code USING ERRCODE = 'TB002';
                END IF;
            END LOOP;
        END IF;
        IF failure IS NULL THEN
            posted := payments_ledger_post(
                t->>'kind', (t->>'public_id')::uuid, t->>'reference', t->>'memo', t->'metadata', NULL,
                '', (t->>'initiated_by')::bigint, (t->>'created_at')::timestamptz, t->>'content_hash',
                ARRAY(SELECT jsonb_array_elements_text(t->'accounts')::bigint),
                ARRAY(SELECT jsonb_array_elements_text(t->'amounts')::bigint),
                ARRAY(SELECT jsonb_array_elements_text(t->'currencies')),
                ARRAY(SELECT NULLIF(jsonb_array_elements_text(t->'counterparties'), '')::bigint));
            IF posted ? 'error' THEN
                failure := posted->>'error';
                details := posted;
            END IF;
        END IF;
        IF failure IS NULL AND cap IS NOT NULL AND cap <> 'null'::jsonb THEN
            SELECT posted_minor INTO v_balance FROM payments_ledgeraccount WHERE id = (cap->>'account')::bigint;
            IF cap ? 'rate' AND v_balance > 0 THEN  -- a wallet in another currency: its CNY equivalent, rounded up
                v_balance := ceil(v_balance::numeric * (cap->>'rate')::numeric
                                  * power(10::numeric, (cap->>'cny_exponent')::int - (cap->>'exponent')::int));
            END IF;
            IF v_balance > (cap->>'cap')::bigint THEN
                failure := 'balance_cap';
            END IF;
        END IF;
        IF failure IS NOT NULL THEN
            RAISE EXCEPTION 'payment refused: %', failure USING ERRCODE = 'TB001';
        END IF;
        IF p ? 'merchant_payment' THEN
            INSERT INTO payments_merchantpayment (public_id, customer_id, merchant_id, order_id, wallet_id,
                                                  transfer_id, amount_minor, currency, discount_minor,
                                                  discount_account_id, refunded_minor, customer_refunded_minor,
                                                  created_at)
            SELECT (m->>'public_id')::uuid, v_customer, (m->>'merchant')::bigint, v_order,
                   (m->>'wallet')::bigint, (posted->>'transfer_id')::bigint, (m->>'amount')::bigint, m->>'currency',
                   (m->>'discount')::bigint, (m->>'discount_account')::bigint, 0, 0, v_now
              FROM (SELECT p->'merchant_payment' AS m) s
            RETURNING id INTO v_payment;
        END IF;
        INSERT INTO core_outboxevent (topic, key, payload, created_at, attempts, redeliveries)
        VALUES (p->'event'->>'topic', p->'event'->>'key', p->'event'->'payload', v_now, 0, 0);
    EXCEPTION WHEN SQLSTATE 'TB001' THEN
        NULL;  -- rolled back to the start of the block; ``failure`` says why
    END;

    IF failure IS NULL THEN
        v_status := (p->>'status')::int;
        v_body := p->'body';
        IF p ? 'balance_leg' THEN  -- the payer's balance after, as the API shows it
            v_body := jsonb_set(v_body, '{balance_after,amount}', to_jsonb(round(
                ((posted->'balances_after'->>((p->>'balance_leg')::int))::numeric
                 / power(10::numeric, (p->>'exponent')::int)), (p->>'exponent')::int)::text));
        END IF;
    ELSIF v_key IS NULL THEN
        RETURN jsonb_build_object('outcome', 'failed', 'failure', failure, 'details', details);
    ELSE
        IF NOT (p->'failures' ? failure) THEN
            RAISE EXCEPTION 'payments_pay: no answer given for failure %', failure;
        END IF;
        v_status := (p->'failures'->failure->>'status')::int;
        v_body := p->'failures'->failure->'body';
        IF failure = 'insufficient_funds' AND (details->>'customer_account')::boolean THEN
            v_body := jsonb_set(v_body, '{details}', jsonb_build_object(
                'currency', details->>'currency',
                'available', round(((details->>'available_minor')::numeric
                                    / power(10::numeric, (p->>'exponent')::int)), (p->>'exponent')::int)::text));
        END IF;
    END IF;

    IF v_key IS NOT NULL THEN
        INSERT INTO payments_idempotencyrecord (customer_id, key, request_fingerprint, response_status, response_body,
                                                created_at, expires_at)
        VALUES (v_customer, v_key, p->>'fingerprint', v_status, v_body, v_now,
                v_now + make_interval(secs => (p->>'idem_ttl_s')::int));
    END IF;
    RETURN jsonb_build_object('outcome', CASE WHEN failure IS NULL THEN 'done' ELSE 'failed' END,
                              'status', v_status, 'body', v_body, 'failure', failure, 'details', details,
                              'posted', posted, 'payment_id', v_payment, 'order_id', v_order);
END;
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0008_i18n_verbose_names"), ("core", "0005_outbox_notify_and_redelivery_pacing")]

    operations = [
        migrations.RunSQL(LEDGER_POST, "DROP FUNCTION IF EXISTS payments_ledger_post;"),
        migrations.RunSQL(PAY, "DROP FUNCTION IF EXISTS payments_pay(jsonb);"),
    ]
