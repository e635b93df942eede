"""KYC tiers with their default limits, and one Django group per staff role with its permissions.

Limits are CNY minor units and editable afterwards by administrators.
"""

from django.db import migrations

TIERS = [
    # level, name, per transaction, daily, monthly, balance cap (CNY minor units)
    (0, "Unverified", 0, 0, 0, 0),
    (1, "Basic", 200_000, 500_000, 1_000_000, 1_000_000),
    (2, "Full", 5_000_000, 20_000_000, 100_000_000, 50_000_000),
]

# Role -> (app_label, codename) permissions. Later apps extend their roles in their own migrations.
ROLE_PERMISSIONS = {
    "TELLER": [("accounts", "view_customer"), ("accounts", "add_customer"), ("accounts", "view_linkedcard"),
               ("accounts", "view_device"), ("accounts", "view_consent")],
    "CUSTOMER_SERVICE": [("accounts", "view_customer"), ("accounts", "view_linkedcard"), ("accounts", "view_device"),
                         ("accounts", "view_consent")],
    "BRANCH_MANAGER": [("accounts", "view_customer"), ("accounts", "add_customer"), ("accounts", "change_customer"),
                       ("accounts", "reveal_customer_pii"), ("accounts", "view_linkedcard"),
                       ("accounts", "view_device"), ("accounts", "view_consent"), ("accounts", "view_branch"),
                       ("accounts", "view_staffprofile")],
    "RISK_OFFICER": [("accounts", "view_customer"), ("accounts", "change_customer"),
                     ("accounts", "reveal_customer_pii"), ("accounts", "view_device"), ("accounts", "view_linkedcard")],
    "MARKETING": [("accounts", "view_branch")],
    "AUDITOR": [("core", "view_auditevent"), ("accounts", "view_customer"), ("accounts", "view_branch"),
                ("accounts", "view_staffprofile"), ("accounts", "view_kyctier")],
    "ADMINISTRATOR": [("accounts", "view_customer"), ("accounts", "add_customer"), ("accounts", "change_customer"),
                      ("accounts", "view_branch"), ("accounts", "add_branch"), ("accounts", "change_branch"),
                      ("accounts", "view_staffprofile"), ("accounts", "add_staffprofile"),
                      ("accounts", "change_staffprofile"), ("accounts", "view_kyctier"),
                      ("accounts", "change_kyctier"), ("auth", "view_user"), ("auth", "add_user"),
                      ("auth", "change_user"), ("auth", "view_group"), ("otp_totp", "view_totpdevice"),
                      ("otp_totp", "add_totpdevice"), ("otp_totp", "delete_totpdevice")],
}


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    KycTier = apps.get_model("accounts", "KycTier")
    for level, name, per_txn, daily, monthly, cap in TIERS:
        KycTier.objects.update_or_create(
            level=level,
            defaults={"name": name, "currency": "CNY", "per_transaction_limit_minor": per_txn,
                      "daily_limit_minor": daily, "monthly_limit_minor": monthly, "balance_cap_minor": cap},
        )

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
        ("accounts", "0001_initial"),
        ("core", "0002_append_only_trigger"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
