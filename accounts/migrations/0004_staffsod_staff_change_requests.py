"""Maker-checker requests for staff accounts (roles, passwords, authenticators, new staff)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_device_public_id_display_name'),
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
    ]
