"""What each role may do with articles, messages, products and leads (``ROLE_PERMISSIONS``, restored
after a test flush by tests/reference_data.py). Leads are branch-scoped in the admin; content and
the catalogue are bank-wide."""

from django.db import migrations

_CONTENT = [
    ("feedback", f"{action}_{model}")
    for model in ("article", "message")
    for action in ("view", "add", "change")
] + [("feedback", "approve_article"), ("feedback", "approve_message")]
_LEADS = [("feedback", "view_product"), ("feedback", "view_lead"), ("feedback", "change_lead"), ("feedback", "work_lead")]
ROLE_PERMISSIONS = {
    # Marketing writes and (a second marketer) approves articles and messages, and keeps the catalogue.
    "MARKETING": _CONTENT + [("feedback", "view_product"), ("feedback", "add_product"), ("feedback", "change_product")],
    # Risk officers write and approve security tips and security notices.
    "RISK_OFFICER": _CONTENT,
    # Branch staff work the leads of their branch.
    "BRANCH_MANAGER": _LEADS,
    "TELLER": _LEADS,
    "CUSTOMER_SERVICE": _LEADS,
    "AUDITOR": [
        ("feedback", "view_article"), ("feedback", "view_message"), ("feedback", "view_product"), ("feedback", "view_lead"),
    ],
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
    dependencies = [("feedback", "0003_messages_articles_products"), ("accounts", "0006_staffsod_staff_change_requests")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
