"""Approved versions and approvals are append-only (the trigger function of core 0002), and the
staff roles get the campaign permissions (groups created by accounts 0002).

MARKETING designs, approves another person's campaign and operates approved ones; RISK_OFFICER
signs off large exposures (and may pause or end); AUDITOR reads.
"""

from django.db import migrations

APPEND_ONLY = """
CREATE TRIGGER promotions_campaignversion_append_only
    BEFORE UPDATE OR DELETE ON promotions_campaignversion
    FOR EACH ROW EXECUTE FUNCTION core_refuse_mutation();
CREATE TRIGGER promotions_campaignversion_no_truncate
    BEFORE TRUNCATE ON promotions_campaignversion
    FOR EACH STATEMENT EXECUTE FUNCTION core_refuse_mutation();
CREATE TRIGGER promotions_campaignapproval_append_only
    BEFORE UPDATE OR DELETE ON promotions_campaignapproval
    FOR EACH ROW EXECUTE FUNCTION core_refuse_mutation();
CREATE TRIGGER promotions_campaignapproval_no_truncate
    BEFORE TRUNCATE ON promotions_campaignapproval
    FOR EACH STATEMENT EXECUTE FUNCTION core_refuse_mutation();
"""
DROP = """
DROP TRIGGER IF EXISTS promotions_campaignversion_append_only ON promotions_campaignversion;
DROP TRIGGER IF EXISTS promotions_campaignversion_no_truncate ON promotions_campaignversion;
DROP TRIGGER IF EXISTS promotions_campaignapproval_append_only ON promotions_campaignapproval;
DROP TRIGGER IF EXISTS promotions_campaignapproval_no_truncate ON promotions_campaignapproval;
"""

_READ = [
    ("promotions", "view_campaign"),
    ("promotions", "view_campaignversion"),
    ("promotions", "view_campaignapproval"),
]
ROLE_PERMISSIONS = {
    "MARKETING": [*_READ, ("promotions", "add_campaign"), ("promotions", "change_campaign"),
                  ("promotions", "approve_campaign"), ("promotions", "operate_campaign")],
    "RISK_OFFICER": [*_READ, ("promotions", "signoff_campaign_risk")],
    "AUDITOR": list(_READ),
}


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in perms:
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("promotions", "0001_campaigns"),
        ("core", "0002_append_only_trigger"),
        ("accounts", "0002_kyc_tiers_and_roles"),
    ]

    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
