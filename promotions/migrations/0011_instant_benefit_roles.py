"""Who reads instant benefits and exports the co-funded settlement: the bank-wide promotions roles."""

from django.db import migrations

ROLE_PERMISSIONS = {
    "MARKETING": [("promotions", "view_instantbenefit")],
    "RISK_OFFICER": [("promotions", "view_instantbenefit")],
    "AUDITOR": [("promotions", "view_instantbenefit")],
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
    dependencies = [("promotions", "0010_instant_benefits")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
