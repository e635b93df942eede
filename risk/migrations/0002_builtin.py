"""The step-up policy row and the built-in scenarios and rules (risk/builtin.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from risk.builtin import seed

    seed(apps)


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
