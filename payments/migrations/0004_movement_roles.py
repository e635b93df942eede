"""Permissions of the money movements granted to the staff roles (groups created by accounts 0002).

Ledger models are read-only in the admin, so only ``view_*`` is granted for them. Dual control:
``add_adjustmentrequest`` makes a request, ``approve_adjustment`` decides another person's request.
"""

from django.db import migrations

_LEDGER_VIEW = [
    ("payments", "view_ledgeraccount"),
    ("payments", "view_transfer"),
    ("payments", "view_posting"),
    ("payments", "view_hold"),
]
_MOVEMENTS_VIEW = [
    ("payments", "view_topup"),
    ("payments", "view_withdrawal"),
    ("payments", "view_merchantpayment"),
    ("payments", "view_billpayment"),
    ("payments", "view_refund"),
    ("payments", "view_merchant"),
    ("payments", "view_biller"),
    ("payments", "view_fxrate"),
    ("payments", "view_adjustmentrequest"),
]

ROLE_PERMISSIONS = {
    "TELLER": [*_LEDGER_VIEW, *_MOVEMENTS_VIEW, ("payments", "add_adjustmentrequest")],
    "CUSTOMER_SERVICE": [*_LEDGER_VIEW, *_MOVEMENTS_VIEW, ("payments", "add_adjustmentrequest"),
                         ("payments", "add_refund")],
    "BRANCH_MANAGER": [*_LEDGER_VIEW, *_MOVEMENTS_VIEW, ("payments", "add_adjustmentrequest"),
                       ("payments", "approve_adjustment"), ("payments", "add_refund"),
                       ("payments", "add_merchant"), ("payments", "change_merchant"),
                       ("payments", "view_merchantorder")],
    "RISK_OFFICER": [*_LEDGER_VIEW, *_MOVEMENTS_VIEW, ("payments", "add_adjustmentrequest"),
                     ("payments", "approve_adjustment"), ("payments", "view_gatewaycallbacklog")],
    "AUDITOR": [*_LEDGER_VIEW, *_MOVEMENTS_VIEW, ("payments", "view_ledgerseal"),
                ("payments", "view_gatewaycallbacklog"), ("payments", "view_fxquote"),
                ("payments", "view_merchantorder")],
    "ADMINISTRATOR": [*_LEDGER_VIEW, *_MOVEMENTS_VIEW, ("payments", "add_adjustmentrequest"),
                      ("payments", "approve_adjustment"), ("payments", "add_refund"),
                      ("payments", "add_fxrate"), ("payments", "change_fxrate"),
                      ("payments", "add_merchant"), ("payments", "change_merchant"),
                      ("payments", "add_biller"), ("payments", "change_biller"),
                      ("payments", "view_merchantorder"), ("payments", "view_gatewaycallbacklog"),
                      ("payments", "view_ledgerseal"), ("payments", "view_fxquote")],
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
        ("payments", "0003_movements"),
        ("accounts", "0002_kyc_tiers_and_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
