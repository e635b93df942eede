"""The customer's notices and review requests page by a keyset on ``(created_at, id)`` newest first
(core.pagination): indexes that serve ``WHERE customer_id = %s AND (created_at, id) < (%s, %s) ORDER BY
created_at DESC, id DESC LIMIT n`` without a sort. The notices' index replaces ``risk_notice_customer``
(its prefix). Built and dropped ``CONCURRENTLY`` (not atomic), so a deploy never blocks the risk
decisions that write notices."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("risk", "0003_precheck_function")]

    operations = [
        AddIndexConcurrently(
            model_name="customernotice",
            index=models.Index(fields=["customer", "-created_at", "-id"], name="risk_notice_customer_page"),
        ),
        RemoveIndexConcurrently(model_name="customernotice", name="risk_notice_customer"),
        AddIndexConcurrently(
            model_name="reviewrequest",
            index=models.Index(fields=["customer", "-created_at", "-id"], name="risk_review_customer_page"),
        ),
    ]
