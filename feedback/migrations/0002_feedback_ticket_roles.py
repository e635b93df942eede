"""Permissions of feedback, tickets and survey results for the staff roles.

Branch staff read their branch's feedback and tickets; customer service and branch managers answer
tickets; branch managers and marketing read survey results and export them (audited); marketing
keeps the keyword lists; auditors read everything."""

from django.db import migrations

_READ = [("feedback", "view_feedback"), ("feedback", "view_ticket")]
_SURVEYS = [("feedback", "view_surveyresponse"), ("feedback", "view_surveykeywordlist")]
ROLE_PERMISSIONS = {
    "TELLER": list(_READ),
    "CUSTOMER_SERVICE": [*_READ, ("feedback", "change_ticket"), *_SURVEYS],
    "BRANCH_MANAGER": [*_READ, ("feedback", "change_ticket"), *_SURVEYS, ("feedback", "export_surveyresponse")],
    "MARKETING": [
        *_SURVEYS,
        ("feedback", "export_surveyresponse"),
        ("feedback", "add_surveykeywordlist"),
        ("feedback", "change_surveykeywordlist"),
        ("feedback", "delete_surveykeywordlist"),
    ],
    "AUDITOR": [*_READ, *_SURVEYS],
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
    dependencies = [("feedback", "0001_feedback_tickets_surveys"), ("accounts", "0002_kyc_tiers_and_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
