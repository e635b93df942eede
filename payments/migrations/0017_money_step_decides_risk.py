"""The risk pre-check decided inside the money step (issue 13; measured: the pre-check's own round
trip made risk-on payments 0.78-0.88x of risk-off ones, the target is 0.9x).

``payments_pay`` as in 0015 (with 0016's ``plan_cache_mode``, set again below: ``CREATE OR REPLACE``
drops SET clauses), plus three lines: when the document carries ``risk`` (the inputs the pre-check
answered with instead of deciding: ``payments.interfaces.RiskDecision.statement``), the block calls
``risk_precheck_gate(p->'risk', customer, now)`` (risk 0006) where the pre-check's refusal
(``failure_after_status``) is taken: after the customers are locked and their status checked, before
the step-up take, the limits and the money. Its answer is the block's failure: ``risk:<REASON>`` is
a refusal stored under the Idempotency-Key like any other (its answer pre-rendered in ``failures``);
``step_up:<REASON>`` is returned as the outcome ``step_up`` with the reason, storing nothing, like the
step-up take's failure. A confirmed challenge the gate used up is rolled back with the block by any
later refusal. Everything else is byte-identical to 0015 (``tests/payments/test_step_up_money_step.py``).
"""

from importlib import import_module

from django.db import migrations

PAY = r"""
CREATE OR REPLACE FUNCTION payments_pay(p jsonb) RETURNS jsonb LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp AS $$
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
    v_accounts bigint[];
    v_counterparties bigint[];
    v_resolved jsonb := '{}';
    v_acc record;
    i integer;
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
        IF failure IS NULL AND p ? 'risk' THEN failure := risk_precheck_gate(p->'risk', v_customer, v_now); END IF;
        IF failure IS NULL AND p ? 'step_up' THEN failure := payments_step_up_take(p, v_customer, v_now); END IF;
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
        IF failure IS NULL AND p ? 'open_accounts' THEN
            -- Accounts the payment names by code (not read before: a wallet, a merchant's account):
            -- resolved here, and opened when missing, inside the block: a refused payment opens nothing.
            FOR rec IN SELECT * FROM jsonb_to_recordset(p->'open_accounts')
                           AS x(public_id uuid, code text, kind text, currency text, customer bigint, name text,
                                is_hot boolean)
            LOOP
                SELECT id, public_id INTO v_acc FROM payments_ledgeraccount WHERE code = rec.code;
                IF NOT FOUND THEN
                    INSERT INTO payments_ledgeraccount (public_id, code, kind, currency, customer_id, name,
                                                        allow_negative, is_hot, status, posted_minor,
                                                        pending_debit_minor, created_at)
                    VALUES (rec.public_id, rec.code, rec.kind, rec.currency, rec.customer, COALESCE(rec.name, ''),
                            false, COALESCE(rec.is_hot, false), 'ACTIVE', 0, 0, v_now)
                    ON CONFLICT DO NOTHING
                    RETURNING id, public_id INTO v_acc;
                    IF NOT FOUND THEN
                        -- Opened meanwhile by a payment that has committed since (ON CONFLICT waited for
                        -- it); this statement's new snapshot sees it.
                        SELECT id, public_id INTO v_acc FROM payments_ledgeraccount WHERE code = rec.code;
                        IF NOT FOUND THEN
                            RAISE EXCEPTION 'payments_pay: ledger account % could not be opened', rec.code;
                        END IF;
                    END IF;
                END IF;
                v_resolved := v_resolved || jsonb_build_object(rec.code, jsonb_build_array(v_acc.id, v_acc.public_id));
            END LOOP;
        END IF;
        IF failure IS NULL AND p ? 'promotions' THEN  -- instant benefits: take what the quote read (promotions 0010)
            failure := payments_promotions_take(p, v_customer, v_now);
        END IF;
        IF failure IS NULL THEN
            v_accounts := ARRAY(SELECT x::bigint FROM jsonb_array_elements_text(t->'accounts') WITH ORDINALITY AS e(x, n)
                                 ORDER BY n);
            IF t ? 'codes' THEN  -- an account without an id is the one of that leg's code, resolved above
                FOR i IN 1 .. cardinality(v_accounts) LOOP
                    IF v_accounts[i] IS NULL THEN
                        v_accounts[i] := (v_resolved->(t->'codes'->>(i - 1))->>0)::bigint;
                    END IF;
                END LOOP;
                v_counterparties := ARRAY(SELECT v_accounts[x::int + 1]
                                            FROM jsonb_array_elements_text(t->'counterparty_legs') WITH ORDINALITY AS e(x, n)
                                           ORDER BY n);
            ELSE
                v_counterparties := ARRAY(SELECT x::bigint
                                            FROM jsonb_array_elements_text(t->'counterparties') WITH ORDINALITY AS e(x, n)
                                           ORDER BY n);
            END IF;
        END IF;
        IF failure IS NULL THEN
            posted := payments_ledger_post(
                t->>'kind', (t->>'public_id')::uuid, t->>'reference', t->>'memo', t->'metadata', NULL,
                '', (t->>'initiated_by')::bigint, (t->>'created_at')::timestamptz, t->>'content_hash',
                v_accounts,
                ARRAY(SELECT jsonb_array_elements_text(t->'amounts')::bigint),
                ARRAY(SELECT jsonb_array_elements_text(t->'currencies')),
                v_counterparties);
            IF posted ? 'error' THEN
                failure := posted->>'error';
                details := posted;
            ELSE
                posted := posted || jsonb_build_object('resolved', v_resolved);
            END IF;
        END IF;
        IF failure IS NULL AND cap IS NOT NULL AND cap <> 'null'::jsonb THEN
            SELECT posted_minor INTO v_balance FROM payments_ledgeraccount
             WHERE id = COALESCE((cap->>'account')::bigint, (v_resolved->(cap->>'code')->>0)::bigint);
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
                   COALESCE((m->>'wallet')::bigint, (v_resolved->(m->>'wallet_code')->>0)::bigint),
                   (posted->>'transfer_id')::bigint, (m->>'amount')::bigint, m->>'currency',
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
    ELSIF failure LIKE 'step_up:%' THEN  -- the risk gate's step-up (risk 0006), with its reason: not stored either
        RETURN jsonb_build_object('outcome', 'step_up', 'failure', failure);
    ELSIF failure = 'step_up' THEN  -- not stored under the key: the client repeats it with a challenge
        RETURN jsonb_build_object('outcome', 'step_up');
    ELSIF v_key IS NULL OR failure = 'promotion_changed' THEN  -- re-quoted and retried: never stored
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


def _plans(sql: str) -> str:
    plans = import_module("payments.migrations.0016_money_step_plans_once_per_session")
    return sql + plans.alter(["payments_pay"], "SET plan_cache_mode = force_generic_plan")


def _previous_pay() -> str:
    return import_module("payments.migrations.0015_money_step_takes_instant_benefits").PAY


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0016_money_step_plans_once_per_session"),
        ("risk", "0006_precheck_gate"),
    ]

    operations = [migrations.RunSQL(_plans(PAY), _plans(_previous_pay()))]
