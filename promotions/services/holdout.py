"""Recording each version's holdout: the deterministic share of its eligible customers kept out.

Membership is a pure function of (version salt, customer id) (``promotions.versions.in_holdout``),
so it never changes and every reward path computes it the same way. The record is written twice:
for the whole segment when the campaign starts (one ``INSERT ... SELECT`` over the segment query,
set-based), and for a customer who qualifies later (joined the segment since). Both are
``ON CONFLICT DO NOTHING``: running them again records nothing new.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection

from promotions.models import CampaignVersion, HoldoutMember
from promotions.selectors_segments import holdout_bucket_sql, segment_qs
from promotions.versions import in_holdout, version_rules

__all__ = ["holdout_record_customer", "holdout_record_segment"]


def holdout_record_segment(version: CampaignVersion) -> int:
    """Record every current member of the version's segment who falls in its holdout; returns how
    many were recorded now. Call inside the campaign's start transaction."""
    bps = int(version.rules.get("holdout_bps", 0))
    if bps <= 0:
        return 0
    qs = (
        segment_qs(version_rules(version).segment)
        .annotate(bucket=holdout_bucket_sql(version.holdout_salt))
        .filter(bucket__lt=bps)
        .values("pk")
    )
    try:
        select_sql, params = qs.query.sql_with_params()
    except EmptyResultSet:
        return 0  # a segment that can match nobody (a branch renamed or closed since approval)
    table = HoldoutMember._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (version_id, customer_id, recorded_at) "  # noqa: S608 (model metadata, compiled query)
            f"SELECT %s, held.id, now() FROM ({select_sql}) AS held(id) ON CONFLICT DO NOTHING",
            [version.pk, *params],
        )
        return int(cursor.rowcount)


def holdout_record_customer(version: CampaignVersion, customer_id: int) -> bool:
    """True (and recorded) when the customer is in the version's holdout: never reward them."""
    if not in_holdout(version, customer_id):
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {HoldoutMember._meta.db_table} (version_id, customer_id, recorded_at) "  # noqa: S608
            "VALUES (%s, %s, now()) ON CONFLICT DO NOTHING",
            [version.pk, customer_id],
        )
    return True
