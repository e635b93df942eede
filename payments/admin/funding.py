"""Top-ups, withdrawals and gateway callbacks in the admin (read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from payments.admin.base import (
    CustomerScopedAdmin,
    ReadOnlyAdmin,
    _money,
)
from payments.models import (
    GatewayCallbackLog,
    TopUp,
    Withdrawal,
)


@admin.register(TopUp)
class TopUpAdmin(CustomerScopedAdmin):
    list_display = ("reference", "customer", "amount", "status", "failure_code", "gateway_ref", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("reference", "gateway_ref", "=public_id")
    list_select_related = ("customer", "card")

    @admin.display(description=_("amount"))
    def amount(self, obj: TopUp) -> str:
        return _money(obj.amount_minor, obj.currency)


@admin.register(Withdrawal)
class WithdrawalAdmin(TopUpAdmin):
    pass


@admin.register(GatewayCallbackLog)
class GatewayCallbackLogAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "reference", "status", "outcome")
    list_filter = ("outcome", "status")
    search_fields = ("reference",)
