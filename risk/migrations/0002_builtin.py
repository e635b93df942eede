"""The step-up policy row, the built-in scenarios and rules (risk/builtin.py), and what each role
may do in the risk admin (``ROLE_PERMISSIONS``, restored after a test flush by
tests/reference_data.py)."""

from django.db import migrations

_VIEW = [
    ("risk", f"view_{m}")
    for m in (
        "case", "alert", "riskhold", "riskfreeze", "unfreezerequest", "reviewrequest", "evaluation",
        "riskrule", "ruleversion", "riskscenario", "blockedcounterparty", "customerriskprofile", "precheckpolicy",
        "backtest",
    )
]
ROLE_PERMISSIONS = {
    # Risk officers work cases (assign, notes, resolve, release, freeze, ask for a reversal or an
    # unfreeze), approve another officer's reversal or unfreeze, and edit rules, thresholds, the
    # block list, customers' risk levels and the step-up policy.
    "RISK_OFFICER": _VIEW + [
        ("risk", "work_case"), ("risk", "approve_risk_action"), ("risk", "change_case"),
        ("risk", "change_reviewrequest"), ("risk", "add_ruleversion"), ("risk", "change_ruleversion"),
        ("risk", "add_riskrule"), ("risk", "change_riskscenario"), ("risk", "add_backtest"), ("risk", "add_blockedcounterparty"),
        ("risk", "change_blockedcounterparty"), ("risk", "add_customerriskprofile"),
        ("risk", "change_customerriskprofile"), ("risk", "change_precheckpolicy"),
    ],
    # Branch managers and customer service answer customers' review requests of their branch.
    "BRANCH_MANAGER": [("risk", "view_case"), ("risk", "view_reviewrequest"), ("risk", "change_reviewrequest")],
    "CUSTOMER_SERVICE": [("risk", "view_reviewrequest")],
    "AUDITOR": _VIEW,
}


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from risk.builtin import seed

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    seed(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in perms:
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial"), ("accounts", "0006_staffsod_staff_change_requests")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
