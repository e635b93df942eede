"""Which wallet features customers use, by segment or by branch (issue 14, "Feature usage").

``feature_usage(since=, until=, group_by=)`` is the one entry point dashboards call. It counts from
the ledger, the record every feature leaves exactly once: each customer-initiated transfer of the
window ``[since, until)`` by its kind (top-up, QR payment, P2P transfer, bill payment, FX, withdrawal),
plus the coupons customers redeemed at payment (their claims marked USED in the window). One SQL
statement, grouped in the database (``GROUP BY``): the cost does not depend on how many customers
there are, only on the window's transfers (``payments_transfer.created_at`` is indexed). It reads
the replica when one is configured (``core.db_router.read_alias``).

Reversals and refunds do not undo usage (the customer did use the feature); refunds and rewards are
not features and are not counted. ``events`` counts uses; ``customers`` counts distinct customers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.apps import apps
from django.db import connections

from core.db_router import read_alias

__all__ = ["FEATURES", "FeatureUsage", "feature_usage", "usage_pivot"]

GroupBy = Literal["segment", "branch", "kyc_tier"]

# Transfer kind -> feature name (the order the admin page shows them in).
_TRANSFER_FEATURES = {
    "TOPUP": "TOP_UP",
    "MERCHANT_PAYMENT": "QR_PAYMENT",  # every merchant payment is a scanned (static or order) QR code
    "P2P": "P2P_TRANSFER",
    "BILL_PAYMENT": "BILL_PAYMENT",
    "FX_CONVERSION": "FX",
    "WITHDRAWAL": "WITHDRAWAL",
}
FEATURES = (*_TRANSFER_FEATURES.values(), "COUPON_REDEEMED")

# The group of a customer: segment = customer type (individual / small business), branch = home
# branch code ("" = registered in the app, no branch yet), kyc_tier = the KYC level.
_GROUPS = {
    "segment": "c.customer_type",
    "branch": "COALESCE(b.code, '')",
    "kyc_tier": "c.kyc_tier_id::text",
}


@dataclass(frozen=True)
class FeatureUsage:
    group: str
    feature: str
    events: int
    customers: int


def _table(label: str) -> str:
    return str(apps.get_model(label)._meta.db_table)


def feature_usage(
    *, since: datetime, until: datetime, group_by: GroupBy = "segment", branch_ids: Iterable[int] | None = None
) -> list[FeatureUsage]:
    """Uses and distinct users of each feature per group in ``[since, until)``, sorted by group then
    feature. ``branch_ids``: only customers of these home branches (a branch manager's tree); None: all."""
    if group_by not in _GROUPS:
        raise ValueError(f"group_by must be one of {sorted(_GROUPS)}")
    if since >= until:
        return []
    group = _GROUPS[group_by]
    only_branches = "" if branch_ids is None else "AND c.home_branch_id = ANY(%s)"
    branch_param: list[Any] = [] if branch_ids is None else [sorted(branch_ids)]
    customer, branch = _table("accounts.Customer"), _table("accounts.Branch")
    sql = f"""
        SELECT {group} AS grp, f.feature, count(*) AS events, count(DISTINCT t.initiated_by_id) AS customers
        FROM {_table("payments.Transfer")} t
        JOIN unnest(%s::text[], %s::text[]) AS f (kind, feature) ON f.kind = t.kind
        JOIN {customer} c ON c.id = t.initiated_by_id
        LEFT JOIN {branch} b ON b.id = c.home_branch_id
        WHERE t.created_at >= %s AND t.created_at < %s {only_branches}
        GROUP BY 1, 2
        UNION ALL
        SELECT {group}, 'COUPON_REDEEMED', count(*), count(DISTINCT cc.customer_id)
        FROM {_table("promotions.CouponClaim")} cc
        JOIN {customer} c ON c.id = cc.customer_id
        LEFT JOIN {branch} b ON b.id = c.home_branch_id
        WHERE cc.status = 'USED' AND cc.used_at >= %s AND cc.used_at < %s {only_branches}
        GROUP BY 1
    """  # noqa: S608 - table names from model metadata, the group from a fixed map; values are parameters
    params: list[Any] = [
        list(_TRANSFER_FEATURES),
        list(_TRANSFER_FEATURES.values()),
        since,
        until,
        *branch_param,
        since,
        until,
        *branch_param,
    ]
    with connections[read_alias()].cursor() as cursor:  # a report: the replica when one is configured
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    order = {name: i for i, name in enumerate(FEATURES)}
    usage = [FeatureUsage(group=str(g), feature=f, events=int(e), customers=int(c)) for g, f, e, c in rows]
    return sorted(usage, key=lambda u: (u.group, order[u.feature]))


def usage_pivot(rows: list[FeatureUsage]) -> list[tuple[str, list[tuple[int, int]]]]:
    """``(group, [(events, customers) per feature in FEATURES order])`` for a table."""
    groups: dict[str, dict[str, FeatureUsage]] = {}
    for row in rows:
        groups.setdefault(row.group, {})[row.feature] = row
    return [
        (name, [(cells[f].events, cells[f].customers) if f in cells else (0, 0) for f in FEATURES])
        for name, cells in sorted(groups.items())
    ]
