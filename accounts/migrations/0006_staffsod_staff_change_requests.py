"""Staff separation of duties (issue 9).

- ``StaffChangeRequest``: maker-checker for new staff, roles, passwords and authenticators.
- ``StaffTOTPDevice``: staff authenticators with the secret encrypted (Fernet, ``PII_ENCRYPTION_KEYS``).
  Every django-otp ``TOTPDevice`` is copied over with its key encrypted, then deleted (staff sign in
  again once: the device id in their session changes). The ADMINISTRATOR role gets the same
  permissions on the new model as it had on the old one.
"""

import core.crypto
import django_otp.plugins.otp_totp.models

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


_COPIED = (
    "user_id", "name", "confirmed", "throttling_failure_timestamp", "throttling_failure_count", "created_at",
    "last_used_at", "key", "step", "t0", "digits", "tolerance", "drift", "last_t",
)
# Role -> (app_label, codename), as in 0002 (tests/reference_data.py restores these after a flush).
ROLE_PERMISSIONS = {
    "ADMINISTRATOR": [("accounts", "view_stafftotpdevice"), ("accounts", "add_stafftotpdevice"),
                      ("accounts", "delete_stafftotpdevice")],
}


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("accounts")
    models_module = getattr(app_config, "models_module", None)  # absent in a migration's registry
    app_config.models_module = models_module or True
    try:
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = models_module

    OldDevice = apps.get_model("otp_totp", "TOTPDevice")
    NewDevice = apps.get_model("accounts", "StaffTOTPDevice")
    for old in OldDevice.objects.order_by("pk").iterator():
        NewDevice.objects.create(**{name: getattr(old, name) for name in _COPIED})  # key encrypted on save
        old.delete()

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in perms:
            group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_attempts_kyc_review'),
        ('otp_totp', '0003_add_timestamps'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='StaffChangeRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('CREATE_STAFF', 'Create a staff account'), ('SET_ROLES', 'Set roles'), ('SET_PASSWORD', 'Reset password'), ('ADD_TOTP', 'Enrol an authenticator'), ('REMOVE_TOTP', 'Remove an authenticator')], max_length=20, verbose_name='kind')),
                ('status', models.CharField(choices=[('PENDING', 'Pending'), ('APPLIED', 'Approved and applied'), ('REJECTED', 'Rejected')], default='PENDING', max_length=10, verbose_name='status')),
                ('roles', models.JSONField(blank=True, default=list, verbose_name='roles')),
                ('details', models.JSONField(blank=True, default=dict, verbose_name='details')),
                ('password_hash', models.CharField(blank=True, default='', editable=False, max_length=256)),
                ('reason', models.TextField(verbose_name='reason')),
                ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided at')),
                ('decision_reason', models.TextField(blank=True, default='', verbose_name='decision reason')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                ('target', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='staff_change_requests', to=settings.AUTH_USER_MODEL, verbose_name='staff member')),
            ],
            options={
                'verbose_name': 'staff change request',
                'verbose_name_plural': 'staff change requests',
                'ordering': ['-requested_at'],
                'indexes': [models.Index(fields=['target', 'status', 'decided_at'], name='staff_change_target_idx')],
            },
        ),
        migrations.CreateModel(
            name='StaffTOTPDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('key', core.crypto.EncryptedTextField(default=django_otp.plugins.otp_totp.models.default_key, validators=[django_otp.plugins.otp_totp.models.key_validator], verbose_name='secret key')),
                ('step', models.PositiveSmallIntegerField(default=30)),
                ('t0', models.BigIntegerField(default=0)),
                ('digits', models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ('tolerance', models.PositiveSmallIntegerField(default=1)),
                ('drift', models.SmallIntegerField(default=0)),
                ('last_t', models.BigIntegerField(default=-1)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'staff authenticator',
                'verbose_name_plural': 'staff authenticators',
                'abstract': False,
            },
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
