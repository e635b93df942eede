"""``risk_precheck_facts``: everything the payment path's risk pre-check reads, in one call.

A PL/pgSQL function rather than one SQL statement: its statements' plans are cached per
connection, so a payment pays no planning (measured: the equivalent single statement spent
0.25 ms planning and 0.06 ms executing). Reads only; the search path is named and ends with
``pg_temp`` like the ledger's functions (payments 0012)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION risk_precheck_facts(
    p_customer bigint, p_keys text[], p_payee text, p_device text, p_challenge uuid,
    p_fingerprint text, p_amount bigint, p_currency text, p_now timestamptz,
    OUT level text, OUT step_up_next boolean,
    OUT step_up_amount_minor bigint, OUT elevated_step_up_amount_minor bigint,
    OUT new_payee_amount_minor bigint, OUT new_device_hours integer, OUT new_device_amount_minor bigint,
    OUT blocked_key text, OUT known_payee boolean, OUT device_first_seen_at timestamptz,
    OUT challenge_ok boolean)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    SELECT p.level, p.step_up_next INTO level, step_up_next
      FROM risk_customerriskprofile p WHERE p.customer_id = p_customer;
    SELECT pol.step_up_amount_minor, pol.elevated_step_up_amount_minor, pol.new_payee_amount_minor,
           pol.new_device_hours, pol.new_device_amount_minor
      INTO step_up_amount_minor, elevated_step_up_amount_minor, new_payee_amount_minor,
           new_device_hours, new_device_amount_minor
      FROM risk_precheckpolicy pol WHERE pol.id = 1;
    IF cardinality(p_keys) > 0 THEN
        SELECT b.key INTO blocked_key
          FROM risk_blockedcounterparty b WHERE b.active AND b.key = ANY (p_keys) LIMIT 1;
    END IF;
    known_payee := p_payee <> '' AND EXISTS (
        SELECT 1 FROM risk_knownpayee k WHERE k.customer_id = p_customer AND k.payee_key = p_payee);
    IF p_device IS NOT NULL THEN
        SELECT d.first_seen_at INTO device_first_seen_at
          FROM accounts_device d WHERE d.customer_id = p_customer AND d.device_id = p_device;
    END IF;
    IF p_challenge IS NOT NULL THEN
        SELECT c.confirmed_at IS NOT NULL AND c.used_at IS NULL AND c.expires_at > p_now
               AND c.fingerprint = p_fingerprint AND c.amount_minor = p_amount AND c.currency = p_currency
          INTO challenge_ok
          FROM risk_stepupchallenge c WHERE c.public_id = p_challenge AND c.customer_id = p_customer;
    END IF;
END
$$;
"""
REVERSE = (
    "DROP FUNCTION IF EXISTS risk_precheck_facts(bigint, text[], text, text, uuid, text, bigint, text, timestamptz);"
)


class Migration(migrations.Migration):
    dependencies = [("risk", "0002_builtin"), ("accounts", "0008_i18n_verbose_names")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
