"""The co-funded settlement report: per merchant, what instant discounts cost it and the bank.

A read over ``InstantBenefit`` (one row per campaign and payment, written by the payment itself)
and the refunds of those payments (each refund's transfer records what every funder got back,
``metadata.funding_returned``: ``payments.services.refunds``). One statement; CSV for finance.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.db import connection

__all__ = ["MerchantSettlement", "merchant_settlement", "merchant_settlement_csv"]

_SQL = """
WITH b AS (
    SELECT ib.merchant_id, ib.transfer_public_id, sum(ib.amount_minor) AS discount,
           sum(ib.bank_minor) AS bank, sum(ib.merchant_minor) AS merchant_share
      FROM promotions_instantbenefit ib
     WHERE ib.created_at >= %(since)s AND ib.created_at < %(until)s AND ib.merchant_id IS NOT NULL
       AND (%(merchant)s::bigint IS NULL OR ib.merchant_id = %(merchant)s::bigint)
     GROUP BY ib.merchant_id, ib.transfer_public_id
), r AS (
    SELECT b.transfer_public_id,
           COALESCE(sum((f->>'amount')::bigint) FILTER (WHERE (f->>'merchant')::boolean), 0) AS merchant_back,
           COALESCE(sum((f->>'amount')::bigint) FILTER (WHERE NOT (f->>'merchant')::boolean), 0) AS bank_back
      FROM b
      JOIN payments_transfer t ON t.public_id = b.transfer_public_id
      JOIN payments_transfer rt ON rt.reverses_id = t.id
      CROSS JOIN LATERAL jsonb_array_elements(COALESCE(rt.metadata -> 'funding_returned', '[]')) AS f
     GROUP BY b.transfer_public_id
)
SELECT m.id, m.public_id, m.name, count(*), sum(b.discount), sum(b.bank), sum(b.merchant_share),
       COALESCE(sum(r.merchant_back), 0), COALESCE(sum(r.bank_back), 0)
  FROM b JOIN payments_merchant m ON m.id = b.merchant_id
  LEFT JOIN r ON r.transfer_public_id = b.transfer_public_id
 GROUP BY m.id, m.public_id, m.name
 ORDER BY m.name, m.id
"""


@dataclass(frozen=True)
class MerchantSettlement:
    merchant_id: int
    merchant_public_id: str
    merchant_name: str
    payments: int
    discount_minor: int  # what customers saved at this merchant
    bank_minor: int  # paid by campaign budgets
    merchant_minor: int  # paid by the merchant (co-funded share, debited in each payment)
    merchant_returned_minor: int  # given back to the merchant by refunds (pro rata)
    bank_returned_minor: int  # given back to the budgets by refunds

    @property
    def merchant_net_minor(self) -> int:
        return self.merchant_minor - self.merchant_returned_minor


def merchant_settlement(
    *, since: datetime, until: datetime, merchant_id: int | None = None
) -> list[MerchantSettlement]:
    """Instant discounts at each merchant with payments in ``[since, until)`` (CNY minor units)."""
    with connection.cursor() as cursor:
        cursor.execute(_SQL, {"since": since, "until": until, "merchant": merchant_id})
        rows = cursor.fetchall()
    return [
        MerchantSettlement(r[0], str(r[1]), r[2], int(r[3]), int(r[4]), int(r[5]), int(r[6]), int(r[7]), int(r[8]))
        for r in rows
    ]


def _yuan(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def merchant_settlement_csv(rows: list[MerchantSettlement]) -> str:
    """The report as CSV (amounts in CNY, two decimals)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "merchant_id",
            "merchant",
            "payments",
            "discount",
            "bank_share",
            "merchant_share",
            "merchant_share_refunded",
            "merchant_share_net",
            "bank_share_refunded",
        ]
    )
    for row in rows:
        name = row.merchant_name
        if name[:1] in ("=", "+", "-", "@"):
            name = "'" + name  # a spreadsheet must not run it
        writer.writerow(
            [
                row.merchant_public_id,
                name,
                row.payments,
                _yuan(row.discount_minor),
                _yuan(row.bank_minor),
                _yuan(row.merchant_minor),
                _yuan(row.merchant_returned_minor),
                _yuan(row.merchant_net_minor),
                _yuan(row.bank_returned_minor),
            ]
        )
    return out.getvalue()
