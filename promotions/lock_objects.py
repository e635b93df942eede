"""Row locks of the promotions app (Saleor style), taken before any ledger lock.

Lock order: the campaign row (``campaigns_lock``, pk order) -> the payments lock order (payment
record, unwind lock, holds, ledger accounts). A reward grant does not lock the campaign row: the
budget's ledger account (locked by the kernel for every debit) is what serialises payouts.
"""

from __future__ import annotations

from django.db.models import QuerySet

from promotions.models import Campaign


def campaigns_qs_select_for_update() -> QuerySet[Campaign]:
    return Campaign.objects.order_by("pk").select_for_update(of=("self",))


def campaign_lock(campaign_id: int) -> Campaign | None:
    """Lock one campaign row and return it as it is now (None if it does not exist)."""
    return campaigns_qs_select_for_update().select_related("version").filter(pk=campaign_id).first()
