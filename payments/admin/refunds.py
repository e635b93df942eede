"""Merchant and bill payments and their refunds: a staff refund is a dual-control request."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.money import Money, MoneyError
from core.validators import reject_card_numbers
from payments.admin.base import (
    CustomerScopedAdmin,
    _money,
    _staff,
)
from payments.models import (
    AdjustmentRequest,
    BillPayment,
    MerchantPayment,
    Refund,
)
from payments.services.adjustments import (
    adjustment_request_create,
)


class RefundForm(forms.Form):
    amount = forms.CharField(label=_("Amount to refund"), max_length=20, help_text=_("Decimal, e.g. 12.34"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_card_numbers],
    )


class _RefundableAdmin(CustomerScopedAdmin):
    """Adds a refund action (one payment at a time, amount and reason asked on a form) and the
    amount / refunded columns every refundable payment has."""

    @admin.display(description=_("amount"))
    def amount(self, obj: MerchantPayment | BillPayment) -> str:
        return _money(obj.amount_minor, obj.currency)

    @admin.display(description=_("refunded"))
    def refunded(self, obj: MerchantPayment | BillPayment) -> str:
        return _money(obj.refunded_minor, obj.currency)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        if not request.user.has_perm("payments.add_refund"):
            return {}
        return {"refund": (type(self).refund_action, "refund", _("Refund the selected payment…"))}

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path("<int:pk>/refund/", self.admin_site.admin_view(self.refund_view), name=f"{info[0]}_{info[1]}_refund"),
            *super().get_urls(),
        ]

    def refund_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one payment to refund."), messages.WARNING)
            return None
        info = self.opts.app_label, self.opts.model_name
        return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_refund", args=[queryset.get().pk]))

    def refund_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("payments.add_refund"):
            raise PermissionDenied
        payment = get_object_or_404(self.get_queryset(request), pk=pk)
        remaining = Money(payment.amount_minor - payment.refunded_minor, payment.currency)
        form = RefundForm(request.POST or None, initial={"amount": remaining.amount_str()})
        if request.method == "POST" and form.is_valid():
            try:
                amount = Money.parse(form.cleaned_data["amount"], payment.currency)
                if not amount.is_positive():
                    raise MoneyError("amount_not_positive", str(_("The amount must be positive.")))
                adjustment_request_create(
                    maker=_staff(request),
                    kind=AdjustmentRequest.Kind.REFUND,
                    reason=form.cleaned_data["reason"],
                    amount=amount,
                    target_transfer=payment.transfer,
                    request=request,
                )
            except (DomainError, MoneyError) as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    _("Refund of %(amount)s requested: another staff member must approve it.") % {"amount": amount},
                    messages.SUCCESS,
                )
                info = self.opts.app_label, self.opts.model_name
                return HttpResponseRedirect(reverse(f"admin:{info[0]}_{info[1]}_change", args=[payment.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Refund"),
            "payment": payment,
            "remaining": remaining,
            "form": form,
        }
        return TemplateResponse(request, "payments/admin/refund_form.html", context)


@admin.register(MerchantPayment)
class MerchantPaymentAdmin(_RefundableAdmin):
    list_display = ("public_id", "merchant", "customer", "amount", "discount", "refunded", "created_at")
    list_filter = ("currency", "created_at")
    search_fields = ("=public_id", "transfer__reference", "merchant__name")
    list_select_related = ("merchant", "customer", "transfer")

    @admin.display(description=_("discount"))
    def discount(self, obj: MerchantPayment) -> str:
        return _money(obj.discount_minor, obj.currency)


@admin.register(BillPayment)
class BillPaymentAdmin(_RefundableAdmin):
    list_display = ("receipt_no", "biller", "customer", "account_number", "amount", "refunded", "created_at")
    list_filter = ("biller__category", "created_at")
    search_fields = ("receipt_no", "=public_id", "account_number")
    list_select_related = ("biller", "customer", "transfer")


@admin.register(Refund)
class RefundAdmin(CustomerScopedAdmin):
    list_display = ("public_id", "customer", "amount_minor", "reason", "initiated_by", "created_at")
    list_filter = ("currency", "created_at")
    search_fields = ("=public_id", "original_transfer__reference", "=original_transfer__public_id")
    list_select_related = ("customer", "initiated_by", "original_transfer")
