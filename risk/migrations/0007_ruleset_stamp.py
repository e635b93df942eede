"""The rule set's stamp: a number every change to rule versions, rules or scenarios bumps (statement
triggers), read by the risk workers once per batch; their compiled rule set is cached per process
under it (``risk.services.evaluation``). The number comes from a sequence that no flush resets,
so a stamp is never reused, and is written in the changing transaction, so a worker never sees the
new stamp before the change itself (a stamp read before the commit is the old one)."""

from django.db import migrations, models

_FORWARD = """
CREATE SEQUENCE risk_ruleset_stamp_seq;
INSERT INTO risk_rulesetstamp (id, stamp) VALUES (1, nextval('risk_ruleset_stamp_seq'));
CREATE FUNCTION risk_ruleset_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO risk_rulesetstamp (id, stamp) VALUES (1, nextval('risk_ruleset_stamp_seq'))
        ON CONFLICT (id) DO UPDATE SET stamp = EXCLUDED.stamp;
    RETURN NULL;
END $$;
CREATE TRIGGER risk_ruleversion_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON risk_ruleversion
    FOR EACH STATEMENT EXECUTE FUNCTION risk_ruleset_bump();
CREATE TRIGGER risk_riskrule_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON risk_riskrule
    FOR EACH STATEMENT EXECUTE FUNCTION risk_ruleset_bump();
CREATE TRIGGER risk_riskscenario_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON risk_riskscenario
    FOR EACH STATEMENT EXECUTE FUNCTION risk_ruleset_bump();
"""

_BACKWARD = """
DROP TRIGGER IF EXISTS risk_ruleversion_bump ON risk_ruleversion;
DROP TRIGGER IF EXISTS risk_riskrule_bump ON risk_riskrule;
DROP TRIGGER IF EXISTS risk_riskscenario_bump ON risk_riskscenario;
DROP FUNCTION IF EXISTS risk_ruleset_bump();
DROP SEQUENCE IF EXISTS risk_ruleset_stamp_seq;
"""


class Migration(migrations.Migration):
    dependencies = [("risk", "0006_precheck_gate")]

    operations = [
        migrations.CreateModel(
            name="RuleSetStamp",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ("stamp", models.BigIntegerField()),
            ],
            options={"verbose_name": "rule set stamp", "verbose_name_plural": "rule set stamps"},
        ),
        migrations.RunSQL(_FORWARD, _BACKWARD),
    ]
