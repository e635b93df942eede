"""FEE_INCOME accounts may go negative, like the other bank-side accounts (payments.ledger
``NEGATIVE_ALLOWED_KINDS``): a fee waiver gives a customer back a fee the bank charged, possibly in
an earlier period, and must not be refused because this period's fee income is smaller."""

from django.db import migrations


def forwards(apps, schema_editor):
    LedgerAccount = apps.get_model("payments", "LedgerAccount")
    LedgerAccount.objects.filter(kind="FEE_INCOME", allow_negative=False).update(allow_negative=True)


class Migration(migrations.Migration):
    dependencies = [("payments", "0005_unwind_refund_requests")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
