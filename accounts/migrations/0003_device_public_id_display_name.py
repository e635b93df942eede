"""Device.public_id (UUIDs in URLs, never sequential ids), Customer.display_name and status_changed_at.

The UUID column is added nullable, filled per row, then made unique and required, so existing
devices each get their own value.
"""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    Device = apps.get_model("accounts", "Device")
    for device in Device.objects.filter(public_id__isnull=True).only("pk").iterator():
        Device.objects.filter(pk=device.pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_kyc_tiers_and_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="display_name",
            field=models.CharField(blank=True, max_length=40, verbose_name="display name"),
        ),
        migrations.AddField(
            model_name="customer",
            name="status_changed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="status changed at"),
        ),
        migrations.AddField(
            model_name="device",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="device",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
