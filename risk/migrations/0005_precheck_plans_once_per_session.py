"""``risk_precheck_facts`` is planned once per session, not on every payment (issue 11; the
measurement and the reason are in payments 0016)."""

from importlib import import_module

from django.db import migrations

_plans = import_module("payments.migrations.0016_money_step_plans_once_per_session")


class Migration(migrations.Migration):
    dependencies = [("risk", "0004_customer_pages"), ("payments", "0016_money_step_plans_once_per_session")]

    operations = [
        migrations.RunSQL(
            _plans.alter(["risk_precheck_facts"], "SET plan_cache_mode = force_generic_plan"),
            _plans.alter(["risk_precheck_facts"], "RESET plan_cache_mode"),
        )
    ]
