"""The quote's per-merchant offers cache (``promotions.selectors_instant``): a version counter that
every change to what a campaign offers bumps, and a per-payment read that takes the candidates.

``promotions_quotestate`` (one row) holds ``version``: a trigger on ``promotions_campaign`` sets it to
the next value of ``promotions_quote_version_seq`` whenever a change to a campaign could change which
campaigns a merchant's payments must consider (status, version, kind, conditions, schedule, priority,
budget account, co-funding merchant, minimum payment, global limit; and any INSERT, DELETE or
TRUNCATE). The counter is transactional: a process sees the new value exactly when the change
commits, in the same snapshot as the change. The sequence makes every value unique, even across
rolled-back changes, so a number a process has cached is never reused for another state.
Changes a payment makes (``granted_count``, ``budget_exhausted_at``) do not bump it: the per-payment
read checks those on every call. The trigger is deferred to the commit, so the counter's row lock is
the last lock a transaction takes (two transactions changing campaigns cannot deadlock on it); the
bump is an UPSERT and a missing row reads as 0, as a test's flush empties the table.

``promotions_quote_read`` gets a new signature: the customer's facts, the dynamic state of the
candidates the process sent (ACTIVE, in schedule, not spent, under the global limit, the budget's
available balance, the customer's usage, the first-order marker) and the named coupon, or
``{"stale": true}`` when the caller's cached version is not the current one.
"""

from django.db import migrations, models

QUOTE_STATE = r"""
CREATE SEQUENCE promotions_quote_version_seq;
INSERT INTO promotions_quotestate (id, version) VALUES (1, nextval('promotions_quote_version_seq'));

CREATE OR REPLACE FUNCTION promotions_quote_bump() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
BEGIN
    INSERT INTO promotions_quotestate AS q (id, version) VALUES (1, nextval('promotions_quote_version_seq'))
    ON CONFLICT (id) DO UPDATE SET version = excluded.version;  -- the row is back after a test's flush
    RETURN NULL;
END;
$$;

-- Deferred to the commit: the counter's row lock is taken last, after every campaign row the
-- transaction locks, so two transactions changing campaigns never deadlock on it.
CREATE CONSTRAINT TRIGGER promotions_campaign_quote_bump_update AFTER UPDATE ON promotions_campaign
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (
       OLD.status IS DISTINCT FROM NEW.status
    OR OLD.version_id IS DISTINCT FROM NEW.version_id
    OR OLD.kind IS DISTINCT FROM NEW.kind
    OR OLD.conditions IS DISTINCT FROM NEW.conditions
    OR OLD.starts_at IS DISTINCT FROM NEW.starts_at
    OR OLD.ends_at IS DISTINCT FROM NEW.ends_at
    OR OLD.priority IS DISTINCT FROM NEW.priority
    OR OLD.budget_account_code IS DISTINCT FROM NEW.budget_account_code
    OR OLD.merchant_id IS DISTINCT FROM NEW.merchant_id
    OR OLD.min_payment_minor IS DISTINCT FROM NEW.min_payment_minor
    OR OLD.global_limit IS DISTINCT FROM NEW.global_limit)
EXECUTE FUNCTION promotions_quote_bump();
CREATE CONSTRAINT TRIGGER promotions_campaign_quote_bump_insert AFTER INSERT ON promotions_campaign
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'ACTIVE')
EXECUTE FUNCTION promotions_quote_bump();
CREATE CONSTRAINT TRIGGER promotions_campaign_quote_bump_delete AFTER DELETE ON promotions_campaign
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.status = 'ACTIVE')
EXECUTE FUNCTION promotions_quote_bump();
CREATE TRIGGER promotions_campaign_quote_bump_truncate AFTER TRUNCATE ON promotions_campaign
FOR EACH STATEMENT EXECUTE FUNCTION promotions_quote_bump();
"""

QUOTE_STATE_REVERSE = r"""
DROP TRIGGER IF EXISTS promotions_campaign_quote_bump_truncate ON promotions_campaign;
DROP TRIGGER IF EXISTS promotions_campaign_quote_bump_delete ON promotions_campaign;
DROP TRIGGER IF EXISTS promotions_campaign_quote_bump_insert ON promotions_campaign;
DROP TRIGGER IF EXISTS promotions_campaign_quote_bump_update ON promotions_campaign;
DROP FUNCTION IF EXISTS promotions_quote_bump();
DELETE FROM promotions_quotestate;
DROP SEQUENCE IF EXISTS promotions_quote_version_seq;
"""

# One statement per payment, planned once per session (PL/pgSQL + force_generic_plan, as 0010).
# 0010's eight-argument function is kept beside this one (a different signature): processes still
# running the previous code keep paying while a deploy rolls out (review finding); a later
# migration may drop it once no such process can remain.
QUOTE_READ = r"""
CREATE OR REPLACE FUNCTION promotions_quote_read(p_customer bigint, p_coupon uuid, p_now timestamptz,
                                                 p_version bigint, p_campaigns bigint[], p_budgets bigint[])
RETURNS jsonb LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp
SET plan_cache_mode = force_generic_plan  -- planned once per session, not per payment (custom plans cost ~1 ms)
AS $$
DECLARE
    me record;
    cands jsonb;
    named jsonb;
BEGIN
    -- The caller's candidates are those of version p_version: refuse them if a campaign changed since.
    IF p_version IS NOT NULL
       AND p_version <> COALESCE((SELECT q.version FROM promotions_quotestate q WHERE q.id = 1), 0) THEN
        RETURN jsonb_build_object('stale', true);
    END IF;
    SELECT c.id, c.status, c.national_id_index, c.date_of_birth, c.customer_type, c.created_at, c.home_branch_id,
           c.kyc_tier_id,
           EXISTS (SELECT 1 FROM accounts_consent s WHERE s.customer_id = c.id AND s.purpose = 'MARKETING'
                      AND s.withdrawn_at IS NULL) AS consent,
           EXISTS (SELECT 1 FROM accounts_linkedcard k WHERE k.customer_id = c.id AND k.status = 'ACTIVE') AS card,
           (SELECT max(sc.period_start) FROM payments_customerspendcounter sc
             WHERE sc.customer_id = c.id AND sc.period = 'MONTH' AND sc.spent_minor > 0) AS last_spend
      INTO me FROM accounts_customer c WHERE c.id = p_customer;
    IF NOT FOUND OR me.status <> 'ACTIVE' OR NOT me.consent THEN
        RETURN jsonb_build_object('reachable', false);  -- only customers who consented to marketing
    END IF;
    -- The candidates (by primary key, with the budget the caller read): what a payment or a
    -- transition may have changed since the caller cached them.
    SELECT jsonb_agg(jsonb_build_array(
               c.id, c.version_id, c.granted_count,
               b.posted_minor - b.pending_debit_minor
                 + COALESCE((SELECT sum(d.amount_minor) FROM payments_hotaccountdelta d WHERE d.account_id = b.id), 0),
               COALESCE((SELECT u.count FROM promotions_personusage u
                          WHERE u.campaign_id = c.id AND u.customer_id = p_customer), 0),
               c.kind = 'FIRST_ORDER' AND EXISTS (SELECT 1 FROM promotions_firstorderuse f
                                                   WHERE f.campaign_id = c.id
                                                     AND f.national_id_index = me.national_id_index)))
      INTO cands
      FROM unnest(p_campaigns, p_budgets) AS t(campaign, budget)
      JOIN promotions_campaign c ON c.id = t.campaign
      JOIN payments_ledgeraccount b ON b.id = t.budget AND b.code = c.budget_account_code
     WHERE c.status = 'ACTIVE' AND c.starts_at <= p_now AND c.ends_at > p_now
       AND c.budget_exhausted_at IS NULL AND (c.global_limit IS NULL OR c.granted_count < c.global_limit);
    -- The coupon the payment names: read whatever it targets (the refusal says why).
    IF p_coupon IS NOT NULL THEN
        SELECT jsonb_build_array(
                   c.id, c.public_id, c.kind, c.version_id, c.granted_count, b.id,
                   b.posted_minor - b.pending_debit_minor
                     + COALESCE((SELECT sum(d.amount_minor) FROM payments_hotaccountdelta d WHERE d.account_id = b.id), 0),
                   COALESCE((SELECT u.count FROM promotions_personusage u
                              WHERE u.campaign_id = c.id AND u.customer_id = p_customer), 0),
                   false, k.id, k.status = 'AVAILABLE' AND k.expires_at > p_now, c.priority)
          INTO named
          FROM promotions_couponclaim k
          JOIN promotions_campaign c ON c.id = k.campaign_id
          JOIN payments_ledgeraccount b ON b.code = c.budget_account_code
         WHERE k.public_id = p_coupon AND k.customer_id = p_customer
           AND c.status = 'ACTIVE' AND c.kind = 'COUPON' AND c.version_id IS NOT NULL
           AND c.starts_at <= p_now AND c.ends_at > p_now
           AND c.budget_exhausted_at IS NULL AND (c.global_limit IS NULL OR c.granted_count < c.global_limit);
    END IF;
    RETURN jsonb_build_object(
        'reachable', true, 'identity', me.national_id_index, 'born', me.date_of_birth, 'type', me.customer_type,
        'created_at', me.created_at, 'branch', me.home_branch_id, 'tier', me.kyc_tier_id, 'card', me.card,
        'last_spend', me.last_spend, 'campaigns', COALESCE(cands, '[]'::jsonb), 'coupon', named);
END;
$$;
"""

QUOTE_READ_REVERSE = r"""
DROP FUNCTION IF EXISTS promotions_quote_read(bigint, uuid, timestamptz, bigint, bigint[], bigint[]);
"""


def _read_0010() -> str:
    """Backwards: 0010's function again (its definition, without 0010's indexes, which stay)."""
    import importlib

    sql = importlib.import_module("promotions.migrations.0010_instant_benefits").QUOTE_READ
    return sql[sql.index("CREATE OR REPLACE FUNCTION promotions_quote_read") :]


class Migration(migrations.Migration):
    dependencies = [("promotions", "0014_points_for_coupons")]

    operations = [
        migrations.CreateModel(
            name="QuoteState",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(verbose_name="version")),
            ],
            options={
                "verbose_name": "quote state",
                "verbose_name_plural": "quote state",
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="quote_state_one_row")],
            },
        ),
        migrations.RunSQL(QUOTE_STATE, QUOTE_STATE_REVERSE),
        migrations.RunSQL(QUOTE_READ, QUOTE_READ_REVERSE + _read_0010()),
    ]
