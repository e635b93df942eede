"""Instant benefits in the payment (issue 12): ``InstantBenefit`` (what a payment took from a
campaign), ``FirstOrderUse`` (the first-order marker, by identity), and
``payments_promotions_take``, which ``payments_pay`` (payments 0014) calls inside its block.

``payments_promotions_take(p, customer, now)`` reads ``p->'promotions'`` (built by
``promotions.selectors_instant.promotions_quote``) and, for the campaigns applied, in campaign id
order: the campaign's claim (``granted_count + 1`` while ACTIVE, inside its schedule and under its
global limit: a pause that committed is seen here), the per-person counter (conditional UPSERT; a
coupon's was taken when it was claimed), the coupon (AVAILABLE -> USED with the payment's transfer),
the first-order marker of the person's identity (unique per campaign and identity), the
``InstantBenefit`` row; then every budget debited, in account id order, locked (FOR NO KEY
UPDATE), folded and checked for the bank's share; then the holdout members the quote met. It
returns NULL when everything was taken, else ``'promotion_changed'``: ``payments_pay`` then raises
its refusal, which rolls all of it back with the payment. The ledger re-checks each budget under
the same lock when it posts the transfer: a budget can never go below zero.
"""

import django.db.models.deletion
import django.db.models.expressions
from django.db import migrations, models

TAKE = r"""
CREATE OR REPLACE FUNCTION payments_promotions_take(p jsonb, v_customer bigint, v_now timestamptz) RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
    pr jsonb := p->'promotions';
    v_transfer uuid := (p->'transfer'->>'public_id')::uuid;
    it record;
    v_pending bigint;
    v_posted bigint;
BEGIN
    IF pr IS NULL OR jsonb_typeof(pr) <> 'object' THEN
        RETURN NULL;
    END IF;
    FOR it IN
        SELECT * FROM jsonb_to_recordset(COALESCE(pr->'items', '[]'))
            AS x(campaign bigint, version bigint, kind text, glimit bigint, plimit bigint, person boolean,
                 amount bigint, bank bigint, merchant_share bigint, budget bigint, coupon_claim bigint, identity text)
         ORDER BY campaign
    LOOP
        UPDATE promotions_campaign SET granted_count = granted_count + 1
         WHERE id = it.campaign AND status = 'ACTIVE' AND starts_at <= v_now AND ends_at > v_now
           AND (it.glimit IS NULL OR granted_count < it.glimit);
        IF NOT FOUND THEN
            RETURN 'promotion_changed';
        END IF;
        IF it.person THEN
            INSERT INTO promotions_personusage AS u (campaign_id, customer_id, count) VALUES (it.campaign, v_customer, 1)
            ON CONFLICT (campaign_id, customer_id) DO UPDATE SET count = u.count + 1
             WHERE it.plimit IS NULL OR u.count < it.plimit;
            IF NOT FOUND THEN
                RETURN 'promotion_changed';
            END IF;
        END IF;
        IF it.coupon_claim IS NOT NULL THEN
            UPDATE promotions_couponclaim SET status = 'USED', used_at = v_now, used_transfer_public_id = v_transfer
             WHERE id = it.coupon_claim AND customer_id = v_customer AND status = 'AVAILABLE' AND expires_at > v_now;
            IF NOT FOUND THEN
                RETURN 'promotion_changed';
            END IF;
        END IF;
        IF it.identity IS NOT NULL THEN
            INSERT INTO promotions_firstorderuse (campaign_id, national_id_index, customer_id, transfer_public_id,
                                                  created_at)
            VALUES (it.campaign, it.identity, v_customer, v_transfer, v_now)
            ON CONFLICT DO NOTHING;
            IF NOT FOUND THEN
                RETURN 'promotion_changed';
            END IF;
        END IF;
        INSERT INTO promotions_instantbenefit (campaign_id, version_id, customer_id, kind, transfer_public_id,
                                               merchant_id, amount_minor, bank_minor, merchant_minor, currency,
                                               coupon_claim_id, created_at)
        VALUES (it.campaign, it.version, v_customer, it.kind, v_transfer,
                (pr->>'merchant')::bigint,
                it.amount, it.bank, it.merchant_share, 'CNY', it.coupon_claim, v_now);
    END LOOP;
    -- The budgets, in account id order (the ledger's lock order): locked until the end, folded, checked.
    FOR it IN
        SELECT x.budget, sum(x.bank) AS bank, max(x.campaign) AS campaign, max(x.floor) AS floor
          FROM jsonb_to_recordset(COALESCE(pr->'items', '[]')) AS x(budget bigint, bank bigint, campaign bigint,
                                                                     floor bigint)
         WHERE x.bank > 0 GROUP BY x.budget ORDER BY x.budget
    LOOP
        SELECT pending_debit_minor INTO v_pending FROM payments_ledgeraccount
         WHERE id = it.budget AND kind = 'CAMPAIGN_BUDGET' AND status = 'ACTIVE' FOR NO KEY UPDATE;
        IF NOT FOUND THEN
            RETURN 'promotion_changed';
        END IF;
        v_posted := payments_hot_account_fold(it.budget);
        IF v_posted - v_pending < it.bank THEN
            RETURN 'promotion_changed';
        END IF;
        IF v_posted - v_pending - it.bank < COALESCE(it.floor, 1) THEN  -- cannot pay its largest reward again
            UPDATE promotions_campaign SET budget_exhausted_at = v_now
             WHERE id = it.campaign AND budget_exhausted_at IS NULL;
        END IF;
    END LOOP;
    -- Customers the holdout kept out of a campaign they qualified for (never rewarded by it).
    INSERT INTO promotions_holdoutmember (version_id, customer_id, recorded_at)
    SELECT h::bigint, v_customer, v_now FROM jsonb_array_elements_text(COALESCE(pr->'holdout', '[]')) AS e(h)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
"""

TAKE_REVERSE = "DROP FUNCTION IF EXISTS payments_promotions_take(jsonb, bigint, timestamptz);"


# The quote's read (promotions.selectors_instant): one statement whose plan PL/pgSQL keeps per
# session. Campaigns without a merchant list (partial index) and those naming this merchant (GIN on
# the list), so campaigns of other merchants are never read; nor are those the amount cannot reach
# (``min_payment_minor``, from its version), spent (``budget_exhausted_at``) or sold out (the global
# limit reached: it stops paying like a spent budget; the payment's claim re-checks it anyway).
QUOTE_READ = r"""
CREATE INDEX campaign_active_any_merchant ON promotions_campaign (min_payment_minor)
    WHERE status = 'ACTIVE' AND NOT (conditions ? 'merchants');
CREATE INDEX campaign_merchants ON promotions_campaign USING gin ((conditions -> 'merchants'));
CREATE OR REPLACE FUNCTION promotions_quote_read(p_customer bigint, p_coupon uuid, p_now timestamptz, p_merchant bigint,
                                                 p_merchant_public text, p_category text, p_mcc text,
                                                 p_amount bigint)
RETURNS jsonb LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp
SET plan_cache_mode = force_generic_plan  -- planned once per session, not per payment (custom plans cost ~1 ms)
AS $$
DECLARE
    me record;
    cands jsonb;
BEGIN
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
    SELECT jsonb_agg(jsonb_build_array(
               x.id, x.public_id, x.kind, x.version_id, x.granted_count, b.id,
               b.posted_minor - b.pending_debit_minor
                 + COALESCE((SELECT sum(d.amount_minor) FROM payments_hotaccountdelta d WHERE d.account_id = b.id), 0),
               COALESCE((SELECT u.count FROM promotions_personusage u
                          WHERE u.campaign_id = x.id AND u.customer_id = p_customer), 0),
               x.kind = 'FIRST_ORDER' AND EXISTS (SELECT 1 FROM promotions_firstorderuse f
                                                   WHERE f.campaign_id = x.id
                                                     AND f.national_id_index = me.national_id_index),
               cc.id, cc.status = 'AVAILABLE' AND cc.expires_at > p_now)
             ORDER BY x.priority DESC, x.id)
      INTO cands
      FROM (SELECT c.id, c.public_id, c.kind, c.version_id, c.granted_count, c.priority, c.budget_account_code,
                   c.merchant_id, c.conditions, c.starts_at, c.ends_at, c.budget_exhausted_at, c.global_limit, false AS named
              FROM promotions_campaign c  -- open to every merchant (partial index)
             WHERE c.status = 'ACTIVE' AND NOT (c.conditions ? 'merchants') AND c.min_payment_minor <= p_amount
            UNION ALL
            (SELECT c.id, c.public_id, c.kind, c.version_id, c.granted_count, c.priority, c.budget_account_code,
                    c.merchant_id, c.conditions, c.starts_at, c.ends_at, c.budget_exhausted_at, c.global_limit, false
               FROM promotions_campaign c  -- naming this merchant (GIN)
              WHERE (c.conditions -> 'merchants') ? p_merchant_public
                AND upper(c.status) = 'ACTIVE'  -- not indexable on purpose: the GIN index finds the rows
                AND c.min_payment_minor <= p_amount
             OFFSET 0)  -- the outer filters stay out, so (status, kind) is not chosen over the GIN index
            UNION ALL  -- the coupon the payment names: read whatever it targets (the refusal says why)
            SELECT c.id, c.public_id, c.kind, c.version_id, c.granted_count, c.priority, c.budget_account_code,
                   c.merchant_id, c.conditions, c.starts_at, c.ends_at, c.budget_exhausted_at, c.global_limit, true
              FROM promotions_couponclaim k JOIN promotions_campaign c ON c.id = k.campaign_id
             WHERE k.public_id = p_coupon AND k.customer_id = p_customer AND c.status = 'ACTIVE') x
      JOIN payments_ledgeraccount b ON b.code = x.budget_account_code
      LEFT JOIN promotions_couponclaim cc
             ON x.kind = 'COUPON' AND cc.campaign_id = x.id AND cc.customer_id = p_customer AND cc.public_id = p_coupon
     WHERE x.kind IN ('FIRST_ORDER', 'SPEND_THRESHOLD', 'COUPON', 'LIMITED_TIME', 'CO_FUNDED')
       AND (x.kind = 'COUPON') = x.named
       AND x.version_id IS NOT NULL AND x.starts_at <= p_now AND x.ends_at > p_now
       AND x.budget_exhausted_at IS NULL AND (x.global_limit IS NULL OR x.granted_count < x.global_limit)
       AND (x.kind <> 'CO_FUNDED' OR x.merchant_id = p_merchant)
       AND (x.named OR (
                (NOT x.conditions ? 'mcc_categories' OR x.conditions -> 'mcc_categories' ? p_category)
            AND (NOT x.conditions ? 'mccs' OR x.conditions -> 'mccs' ? p_mcc)
            AND (NOT x.conditions ? 'payment_types' OR x.conditions -> 'payment_types' ? 'MERCHANT')));
    RETURN jsonb_build_object(
        'reachable', true, 'identity', me.national_id_index, 'born', me.date_of_birth, 'type', me.customer_type,
        'created_at', me.created_at, 'branch', me.home_branch_id, 'tier', me.kyc_tier_id, 'card', me.card,
        'last_spend', me.last_spend, 'campaigns', COALESCE(cands, '[]'::jsonb));
END;
$$;
"""

QUOTE_READ_REVERSE = """
DROP FUNCTION IF EXISTS promotions_quote_read(bigint, uuid, timestamptz, bigint, text, text, text, bigint);
DROP INDEX IF EXISTS campaign_merchants;
DROP INDEX IF EXISTS campaign_active_any_merchant;
"""


def min_payment_backfill(apps, schema_editor):
    """``Campaign.min_payment_minor`` of the campaigns submitted before it existed, from their version."""
    from promotions.rules import rules_parse
    from promotions.versions import min_payment_minor

    Campaign = apps.get_model("promotions", "Campaign")
    for campaign in Campaign.objects.filter(version__isnull=False).select_related("version"):
        doc = campaign.version.rules
        rules = rules_parse(
            kind=doc["kind"],
            conditions=doc["conditions"],
            benefit=doc["benefit"],
            window=doc["window"],
            segment=doc["segment"],
        )
        Campaign.objects.filter(pk=campaign.pk).update(min_payment_minor=min_payment_minor(rules))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_passkeys"),
        ("payments", "0015_money_step_takes_instant_benefits"),
        ("promotions", "0009_referral_and_lottery_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="campaign",
            name="min_payment_minor",
            field=models.BigIntegerField(
                default=0,
                editable=False,
                help_text="From the submitted version's rules; the payment's quote skips campaigns the amount cannot reach.",
                verbose_name="smallest payment it can discount (minor units)",
            ),
        ),
        migrations.RunPython(min_payment_backfill, migrations.RunPython.noop),
        migrations.CreateModel(
            name="FirstOrderUse",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("national_id_index", models.CharField(max_length=64, verbose_name="identity (keyed hash)")),
                ("transfer_public_id", models.UUIDField(verbose_name="payment")),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="promotions.campaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.customer",
                        verbose_name="customer",
                    ),
                ),
            ],
            options={
                "verbose_name": "first-order use",
                "verbose_name_plural": "first-order uses",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign", "national_id_index"), name="first_order_once_per_identity"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="InstantBenefit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=20, verbose_name="reward kind")),
                ("transfer_public_id", models.UUIDField(verbose_name="payment")),
                ("amount_minor", models.BigIntegerField(verbose_name="discount (minor units)")),
                ("bank_minor", models.BigIntegerField(verbose_name="paid by the budget (minor units)")),
                (
                    "merchant_minor",
                    models.BigIntegerField(default=0, verbose_name="paid by the merchant (minor units)"),
                ),
                ("currency", models.CharField(max_length=3, verbose_name="currency")),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="instant_benefits",
                        to="promotions.campaign",
                        verbose_name="campaign",
                    ),
                ),
                (
                    "coupon_claim",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="promotions.couponclaim",
                        verbose_name="coupon",
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "merchant",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="payments.merchant",
                        verbose_name="merchant",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="promotions.campaignversion",
                        verbose_name="version",
                    ),
                ),
            ],
            options={
                "verbose_name": "instant benefit",
                "verbose_name_plural": "instant benefits",
                "indexes": [
                    models.Index(fields=["transfer_public_id"], name="instant_benefit_payment"),
                    models.Index(fields=["merchant", "created_at"], name="instant_benefit_merchant"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("campaign", "transfer_public_id"), name="instant_benefit_once"),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("amount_minor__gt", 0),
                            ("bank_minor__gte", 0),
                            ("merchant_minor__gte", 0),
                            (
                                "amount_minor",
                                django.db.models.expressions.CombinedExpression(
                                    models.F("bank_minor"), "+", models.F("merchant_minor")
                                ),
                            ),
                        ),
                        name="instant_benefit_split_adds_up",
                    ),
                ],
            },
        ),
        migrations.RunSQL(TAKE, TAKE_REVERSE),
        migrations.RunSQL(QUOTE_READ, QUOTE_READ_REVERSE),
    ]
