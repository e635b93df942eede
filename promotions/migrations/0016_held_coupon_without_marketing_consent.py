"""A coupon the customer holds is usable after the MARKETING consent is withdrawn (review finding).

``promotions_quote_read`` (0015) answered "not reachable" for a customer without the consent, so a
coupon bought with points (or claimed by code) while consenting could no longer be used, and the
points it cost were gone. Consent decides who is offered something; a coupon already held is the
customer's. Now, without the consent, the function still reads the coupon the payment names and
reads no campaign candidate (no automatic discount reaches a customer who withdrew). The rest is
0015's function byte for byte (``tests/promotions/test_points_coupons.py`` pins the change).
"""

from importlib import import_module

from django.db import migrations

_0015 = import_module("promotions.migrations.0015_quote_offers_cache")

_GATE_0015 = "IF NOT FOUND OR me.status <> 'ACTIVE' OR NOT me.consent THEN"
_GATE = "IF NOT FOUND OR me.status <> 'ACTIVE' OR (NOT me.consent AND p_coupon IS NULL) THEN"
_CANDIDATES_0015 = "     WHERE c.status = 'ACTIVE' AND c.starts_at <= p_now AND c.ends_at > p_now\n       AND c.budget_exhausted_at"
_CANDIDATES = (
    "     WHERE me.consent AND c.status = 'ACTIVE' AND c.starts_at <= p_now AND c.ends_at > p_now\n"
    "       AND c.budget_exhausted_at"
)


def _quote_read() -> str:
    sql = _0015.QUOTE_READ
    assert sql.count(_GATE_0015) == 1 and sql.count(_CANDIDATES_0015) == 1
    return sql.replace(_GATE_0015, _GATE).replace(_CANDIDATES_0015, _CANDIDATES)


QUOTE_READ = _quote_read()


class Migration(migrations.Migration):
    dependencies = [("promotions", "0015_quote_offers_cache")]

    operations = [migrations.RunSQL(QUOTE_READ, _0015.QUOTE_READ)]
