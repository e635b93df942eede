"""Permissions of referrals and lottery draws for the staff roles: MARKETING, RISK_OFFICER and
AUDITOR read them; MARKETING and RISK_OFFICER may refuse a referral; re-running a draw from its
record (a read-only proof, audited) needs ``view_lotterydraw``."""

from django.db import migrations

_READ = [
    ("promotions", "view_referral"),
    ("promotions", "view_referralattempt"),
    ("promotions", "view_lotterydraw"),
    ("promotions", "view_lotteryentry"),
]
ROLE_PERMISSIONS = {
    "MARKETING": [*_READ, ("promotions", "change_referral")],
    "RISK_OFFICER": [*_READ, ("promotions", "change_referral")],
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
    dependencies = [("promotions", "0008_referral_and_lottery")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
