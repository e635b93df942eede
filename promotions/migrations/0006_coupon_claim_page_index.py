"""The customer's coupons page by a keyset on ``(claimed_at, id)`` newest first (core.pagination):
an index that serves ``WHERE customer_id = %s AND (claimed_at, id) < (%s, %s) ORDER BY claimed_at
DESC, id DESC LIMIT n`` without a sort. Built ``CONCURRENTLY`` (not atomic), so a deploy never
blocks redemptions while it builds."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("promotions", "0005_reward_and_coupon_roles")]

    operations = [
        AddIndexConcurrently(
            model_name="couponclaim",
            index=models.Index(fields=["customer", "-claimed_at", "-id"], name="coupon_claim_customer_page"),
        ),
    ]
