"""The money step's PL/pgSQL is planned once per session, not on every payment (issue 11).

PL/pgSQL prepares each statement once per session, but the plan cache then decides between a
*custom* plan (re-planned on every call with the parameters' values) and a *generic* one. For the
money step's statements (every one a primary-key or unique-index lookup, an UPDATE by id or an
INSERT) it kept choosing custom plans, so each payment re-planned some thirty statements:
``tools/bench_profile.py`` measured the PostgreSQL backend at 1.61-1.64 ms of CPU per service P2P
with the default and 1.02 ms with ``plan_cache_mode = force_generic_plan`` (A/B of the session
setting, 300 transfers each, twice), and the API request's backend 2.61-2.73 -> 2.04-2.10 ms.

The setting is attached to the functions (a ``SET`` clause), so it holds for everything they run,
the ledger's triggers included, and for nothing else of the session. ``CREATE OR REPLACE`` resets a
function's SET clauses: a later migration that redefines one of these functions must keep
``SET plan_cache_mode = force_generic_plan`` (``tests/payments/test_money_step_plans.py`` fails
otherwise). risk 0005 does the same for ``risk_precheck_facts``; promotions 0010 defines
``promotions_quote_read`` with it.
"""

from django.db import migrations

FUNCTIONS = ["payments_pay", "payments_ledger_post", "payments_hot_account_fold"]

_ALTER = """
DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'public' AND p.proname = ANY(ARRAY[{names}])
    LOOP
        EXECUTE format('ALTER FUNCTION %s {action}', f);
    END LOOP;
END $$;
"""


def alter(names: list[str], action: str) -> str:
    return _ALTER.format(names=", ".join(f"'{n}'" for n in names), action=action)


class Migration(migrations.Migration):
    dependencies = [("payments", "0015_money_step_takes_instant_benefits")]

    operations = [
        migrations.RunSQL(
            alter(FUNCTIONS, "SET plan_cache_mode = force_generic_plan"), alter(FUNCTIONS, "RESET plan_cache_mode")
        )
    ]
