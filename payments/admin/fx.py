"""FX quotes (read-only) and FX rates (proposed by one person, approved by another)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import DomainError
from core.validators import reject_card_numbers
from payments.admin.base import (
    CustomerScopedAdmin,
    _staff,
)
from payments.models import (
    FxQuote,
    FxRate,
)
from payments.services.fx import fx_rate_approve, fx_rate_propose, fx_rate_reject


@admin.register(FxQuote)
class FxQuoteAdmin(CustomerScopedAdmin):
    list_display = (
        "public_id",
        "customer",
        "sell_minor",
        "buy_minor",
        "rate",
        "status",
        "expires_at",
    )
    list_filter = ("status", "sell_currency", "buy_currency")
    search_fields = ("=public_id",)
    list_select_related = ("customer",)


# --- merchants and billers ---------------------------------------------------------------------


class FxRateForm(forms.ModelForm):
    class Meta:
        model = FxRate
        fields = ("base", "quote", "mid_rate", "spread_bps", "valid_from", "override_reason")
        help_texts = {
            "override_reason": _(
                "Only for a move larger than the allowed deviation from the current rate (10+ characters)."
            )
        }


FxRateForm.base_fields["override_reason"].validators.append(reject_card_numbers)


@admin.register(FxRate)
class FxRateAdmin(admin.ModelAdmin):
    """A rate change is a new PENDING row (history kept, audit-logged); a second, independent staff
    member approves it before quotes use it. Existing rows are not edited."""

    form = FxRateForm
    list_display = ("base", "quote", "mid_rate", "spread_bps", "valid_from", "status", "set_by", "approved_by")
    list_filter = ("status", "base", "quote")
    list_select_related = ("set_by", "approved_by")
    actions = ["approve_rates", "reject_rates"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: FxRate, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            created = fx_rate_propose(
                base=data["base"],
                quote=data["quote"],
                mid_rate=data["mid_rate"],
                spread_bps=data["spread_bps"],
                valid_from=data["valid_from"],
                override_reason=data.get("override_reason") or "",
                set_by=_staff(request),
                request=request,
            )
        except DomainError as error:
            raise forms.ValidationError(str(error.message)) from error
        obj.pk = created.pk

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except forms.ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def _decide(self, request: HttpRequest, queryset: QuerySet[FxRate], approve: bool) -> None:
        done = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                if approve:
                    fx_rate_approve(rate_id=pk, checker=_staff(request), request=request)
                else:
                    fx_rate_reject(rate_id=pk, checker=_staff(request), request=request)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{pk}: {error.message}", messages.ERROR)
        if done:
            message = ngettext("%(n)d rate decided.", "%(n)d rates decided.", done) % {"n": done}
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Approve the selected rates (they become effective)"), permissions=["change"])
    def approve_rates(self, request: HttpRequest, queryset: QuerySet[FxRate]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject the selected rates"), permissions=["change"])
    def reject_rates(self, request: HttpRequest, queryset: QuerySet[FxRate]) -> None:
        self._decide(request, queryset, approve=False)


# --- dual-control adjustments -----------------------------------------------------------------
