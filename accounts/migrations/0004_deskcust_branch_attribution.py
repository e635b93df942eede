"""Branch attribution of customers: who may move a customer to another home branch.

Attributing a customer who has no home branch yet (registered in the app) to one's own branch
needs only ``add_customer`` or ``change_customer``; moving an attributed customer needs
``change_customer_branch`` (branch managers and administrators), always with a reason.
"""

from django.db import migrations

ROLE_PERMISSIONS = {
    "BRANCH_MANAGER": [("accounts", "change_customer_branch")],
    "ADMINISTRATOR": [("accounts", "change_customer_branch")],
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
    dependencies = [("accounts", "0003_device_public_id_display_name")]

    operations = [
        migrations.AlterModelOptions(
            name="customer",
            options={
                "permissions": [
                    ("reveal_customer_pii", "Can reveal a customer's personal data (audited)"),
                    ("change_customer_branch", "Can move a customer to another home branch (audited, with a reason)"),
                ],
                "verbose_name": "customer",
                "verbose_name_plural": "customers",
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
