"""``risk_precheck_gate``: the payment path's risk pre-check decided in the database, once.

It replaces ``risk_precheck_facts`` (risk 0003, which only read the facts; the rules were in Python)
and holds the rules themselves, so they exist in one place (docs/risk.md, "The pre-check"):

1. a counterparty key on the active block list → ``risk:COUNTERPARTY_BLOCKED``;
2. the customer's level BLOCKED → ``risk:RISK_BLOCKED``;
3. kinds that move no money out of the customer's control (``outgoing`` false: FX between own
   wallets) → allowed;
4. the first step-up reason that applies, in this order: level HIGH (``RISK_LEVEL_HIGH``), the
   asynchronous rules' "step up on the next payment" (``RISK_REVIEW``), level ELEVATED above its
   amount (``RISK_LEVEL_ELEVATED``), above the large amount (``LARGE_AMOUNT``), to a payee not paid
   before above its amount (``NEW_PAYEE``), from a device first seen within ``new_device_hours``
   above its amount (``NEW_DEVICE``); amounts compared in CNY minor units (``cny``; null when no
   approved FX rate: every amount threshold applies), thresholds from the policy row or its defaults;
5. a step-up reason is satisfied by a confirmed challenge of this customer for this payment's
   fingerprint, amount and currency, unexpired and unused (``ok:STEP_UP_CONFIRMED``), else by a
   passkey that confirmed the payment (``ok:STEP_UP_PASSKEY``), else waived when step-up is switched
   off (``ok:STEP_UP_WAIVED:<reason>``); else ``step_up:STEP_UP_CHALLENGE_INVALID`` when the payment
   carries a challenge of this customer that does not fit, ``step_up:<reason>`` otherwise.

``p`` (built by ``risk.precheck.gate_input``): ``keys`` (array), ``payee``, ``device`` (or null),
``challenge`` (uuid or null), ``fingerprint``, ``amount``, ``currency``, ``cny`` (or null),
``outgoing``, ``step_up`` (enabled), ``passkey``, ``take``.

``take`` false (the decision alone, ``risk.precheck.risk_precheck``): reads only; NULL or an
``ok:…`` means allowed. ``take`` true (inside ``payments_pay``'s money block, payments 0017): the
confirmed challenge is USED UP by a conditional UPDATE (its row lock makes a concurrent second use
wait and find it used), a challenge or passkey clears the "step up on the next payment" flag, and
every allowed outcome is NULL: the answer is the money step's failure name. Rolled back with the
block on any later refusal.

Cost: the facts of the common path (block list, profile, policy, known payee, device) are read by ONE
statement of index probes (each PL/pgSQL statement pays an executor start); the challenge, when the
payment carries one and needs it, by one more. Planned once per session (``plan_cache_mode``,
payments 0016).
"""

from importlib import import_module

from django.db import migrations

GATE = r"""
CREATE OR REPLACE FUNCTION risk_precheck_gate(p jsonb, v_customer bigint, v_now timestamptz) RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    v_take boolean := COALESCE((p->>'take')::boolean, false);
    v_cny bigint := (p->>'cny')::bigint;  -- NULL: no approved rate, every amount threshold applies
    v_challenge uuid := (p->>'challenge')::uuid;
    v_device text := NULLIF(p->>'device', '');
    v_payee text := COALESCE(p->>'payee', '');
    v_blocked boolean;
    v_level text;
    v_next boolean;
    v_large bigint;
    v_elevated bigint;
    v_new_payee bigint;
    v_hours integer;
    v_new_device bigint;
    v_known boolean;
    v_first_seen timestamptz;
    v_reason text;
    v_id bigint;
BEGIN
    -- Every fact of the common path in ONE statement (one executor start, five index probes).
    SELECT EXISTS (SELECT 1 FROM risk_blockedcounterparty b
                    WHERE b.active AND b.key = ANY (ARRAY(SELECT jsonb_array_elements_text(p->'keys')))),
           r.level, r.step_up_next,
           pol.step_up_amount_minor, pol.elevated_step_up_amount_minor, pol.new_payee_amount_minor,
           pol.new_device_hours, pol.new_device_amount_minor,
           EXISTS (SELECT 1 FROM risk_knownpayee k WHERE k.customer_id = v_customer AND k.payee_key = v_payee),
           (SELECT d.first_seen_at FROM accounts_device d
             WHERE v_device IS NOT NULL AND d.customer_id = v_customer AND d.device_id = v_device)
      INTO v_blocked, v_level, v_next, v_large, v_elevated, v_new_payee, v_hours, v_new_device, v_known, v_first_seen
      FROM (SELECT 1) one
      LEFT JOIN risk_customerriskprofile r ON r.customer_id = v_customer
      LEFT JOIN risk_precheckpolicy pol ON pol.id = 1;
    IF v_blocked THEN
        RETURN 'risk:COUNTERPARTY_BLOCKED';
    END IF;
    IF v_level = 'BLOCKED' THEN
        RETURN 'risk:RISK_BLOCKED';
    END IF;
    IF NOT COALESCE((p->>'outgoing')::boolean, false) THEN
        RETURN NULL;
    END IF;
    IF v_large IS NULL THEN  -- no policy row: risk.models.PrecheckPolicy's defaults
        v_large := 500000; v_elevated := 50000; v_new_payee := 100000; v_hours := 72; v_new_device := 20000;
    END IF;

    IF v_level = 'HIGH' THEN
        v_reason := 'RISK_LEVEL_HIGH';
    ELSIF v_next THEN
        v_reason := 'RISK_REVIEW';
    ELSIF v_level = 'ELEVATED' AND (v_cny IS NULL OR v_cny > v_elevated) THEN
        v_reason := 'RISK_LEVEL_ELEVATED';
    ELSIF v_cny IS NULL OR v_cny > v_large THEN
        v_reason := 'LARGE_AMOUNT';
    ELSIF v_payee <> '' AND NOT v_known AND (v_cny IS NULL OR v_cny > v_new_payee) THEN
        v_reason := 'NEW_PAYEE';
    ELSIF v_device IS NOT NULL AND (v_cny IS NULL OR v_cny > v_new_device)
          AND (v_first_seen IS NULL OR v_first_seen > v_now - make_interval(hours => v_hours)) THEN
        v_reason := 'NEW_DEVICE';
    END IF;
    IF v_reason IS NULL THEN
        RETURN NULL;
    END IF;

    IF v_challenge IS NOT NULL THEN
        v_id := NULL;
        IF v_take THEN
            UPDATE risk_stepupchallenge c SET used_at = v_now
             WHERE c.public_id = v_challenge AND c.customer_id = v_customer
               AND c.fingerprint = p->>'fingerprint'
               AND c.amount_minor = (p->>'amount')::bigint AND c.currency = p->>'currency'
               AND c.confirmed_at IS NOT NULL AND c.used_at IS NULL AND c.expires_at > v_now
            RETURNING c.id INTO v_id;
        ELSE
            SELECT c.id INTO v_id FROM risk_stepupchallenge c
             WHERE c.public_id = v_challenge AND c.customer_id = v_customer
               AND c.fingerprint = p->>'fingerprint'
               AND c.amount_minor = (p->>'amount')::bigint AND c.currency = p->>'currency'
               AND c.confirmed_at IS NOT NULL AND c.used_at IS NULL AND c.expires_at > v_now;
        END IF;
        IF v_id IS NOT NULL THEN
            IF v_take THEN
                UPDATE risk_customerriskprofile SET step_up_next = false
                 WHERE customer_id = v_customer AND step_up_next;
                RETURN NULL;
            END IF;
            RETURN 'ok:STEP_UP_CONFIRMED';
        END IF;
    END IF;
    IF COALESCE((p->>'passkey')::boolean, false) THEN
        IF v_take THEN
            UPDATE risk_customerriskprofile SET step_up_next = false WHERE customer_id = v_customer AND step_up_next;
            RETURN NULL;
        END IF;
        RETURN 'ok:STEP_UP_PASSKEY';
    END IF;
    IF NOT COALESCE((p->>'step_up')::boolean, true) THEN  -- RISK_PRECHECK_STEP_UP=false: waived
        RETURN CASE WHEN v_take THEN NULL ELSE 'ok:STEP_UP_WAIVED:' || v_reason END;
    END IF;
    IF v_challenge IS NOT NULL AND EXISTS (
        SELECT 1 FROM risk_stepupchallenge c WHERE c.public_id = v_challenge AND c.customer_id = v_customer) THEN
        RETURN 'step_up:STEP_UP_CHALLENGE_INVALID';
    END IF;
    RETURN 'step_up:' || v_reason;
END
$$;
DROP FUNCTION IF EXISTS risk_precheck_facts(bigint, text[], text, text, uuid, text, bigint, text, timestamptz);
"""


def _reverse() -> str:
    facts = import_module("risk.migrations.0003_precheck_function").FORWARD
    plans = import_module("payments.migrations.0016_money_step_plans_once_per_session")
    return (
        facts
        + plans.alter(["risk_precheck_facts"], "SET plan_cache_mode = force_generic_plan")
        + "DROP FUNCTION IF EXISTS risk_precheck_gate(jsonb, bigint, timestamptz);"
    )


class Migration(migrations.Migration):
    dependencies = [("risk", "0005_precheck_plans_once_per_session")]

    operations = [migrations.RunSQL(GATE, _reverse())]
