"""Merchants, merchant orders and billers (changes audited)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.selectors import branch_descendant_ids, staff_is_bank_wide
from core.admin_scope import ScopedForeignKeysMixin
from core.audit import audit_record
from core.money import Money, MoneyError
from payments.admin.base import (
    ReadOnlyAdmin,
    _money,
)
from payments.api.views_merchants import merchant_qr_response
from payments.models import (
    Biller,
    Merchant,
    MerchantOrder,
)
from payments.services.bills import biller_create
from payments.services.merchant_payments import merchant_ledger_account

_MERCHANT_AUDITED = ("name", "mcc", "signing_branch_id", "currencies", "status")
_BILLER_AUDITED = (
    "code",
    "name",
    "category",
    "validator",
    "currency",
    "status",
    "min_amount_minor",
    "max_amount_minor",
)


def _audit_reference_change(request: HttpRequest, obj: Any, fields: tuple[str, ...], before: dict[str, Any]) -> None:
    """``payments.<model>.add|change`` with ``{field: [before, after]}`` of what changed (call in
    the admin's transaction, after the save)."""
    after = type(obj).objects.filter(pk=obj.pk).values(*fields).first() or {}
    changes = {
        name: [before.get(name), after.get(name)]
        for name in fields
        if not before or before.get(name) != after.get(name)
    }
    if before and not changes:
        return
    opts = obj._meta
    audit_record(
        action=f"{opts.app_label}.{opts.model_name}.{'change' if before else 'add'}",
        actor=request.user,
        obj=obj,
        changes=json.loads(json.dumps(changes, default=str)),
        request=request,
    )


def _audit_before(model: Any, pk: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return (model.objects.filter(pk=pk).values(*fields).first() or {}) if pk is not None else {}


@admin.register(Merchant)
class MerchantAdmin(ScopedForeignKeysMixin, admin.ModelAdmin):
    list_display = ("name", "mcc", "category", "signing_branch", "status", "created_at")
    list_filter = ("status", "mcc", "signing_branch")
    search_fields = ("name", "=public_id")
    list_select_related = ("signing_branch",)
    readonly_fields = ("public_id", "signed_by", "qr_image", "created_at")
    fields = (
        "public_id",
        "name",
        "mcc",
        "signing_branch",
        "currencies",
        "status",
        "signed_by",
        "qr_image",
        "created_at",
    )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return _merchants_visible(request, super().get_queryset(request))

    @admin.display(description=_("static QR code"))
    def qr_image(self, obj: Merchant) -> str:
        if obj.pk is None:
            return "-"
        svg = reverse("admin:payments_merchant_qr", args=[obj.pk, "svg"])
        png = reverse("admin:payments_merchant_qr", args=[obj.pk, "png"])
        return format_html('<img src="{}" width="200" height="200" alt="QR"><br><a href="{}">PNG</a>', svg, png)

    def get_urls(self) -> list[Any]:
        return [
            path("<int:pk>/qr.<str:fmt>", self.admin_site.admin_view(self.qr_view), name="payments_merchant_qr"),
            *super().get_urls(),
        ]

    def qr_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        if not self.has_view_permission(request) or fmt not in ("svg", "png"):
            raise PermissionDenied
        merchant = get_object_or_404(self.get_queryset(request), pk=pk)
        currency = request.GET.get("currency") or (merchant.currencies or ["CNY"])[0]
        return merchant_qr_response(merchant, currency if merchant.accepts(currency) else "CNY", fmt)

    def save_model(self, request: HttpRequest, obj: Merchant, form: Any, change: bool) -> None:
        """Saved and audited (``payments.merchant.add|change`` with the changed fields)."""
        before = _audit_before(Merchant, obj.pk if change else None, _MERCHANT_AUDITED)
        if not change:
            obj.signed_by = request.user  # type: ignore[assignment]
            obj.currencies = obj.currencies or ["CNY"]
        super().save_model(request, obj, form, change)
        _audit_reference_change(request, obj, _MERCHANT_AUDITED, before)
        for currency in obj.currencies or ["CNY"]:
            merchant_ledger_account(obj, currency)


def _merchants_visible(request: HttpRequest, qs: QuerySet[Any], path: str = "") -> QuerySet[Any]:
    """Merchants are signed by a branch (``Merchant.signing_branch``): branch staff see the merchants
    (and their orders) signed in their branch tree; bank-wide roles see all."""
    if staff_is_bank_wide(request.user):
        return qs
    profile = getattr(request.user, "staff_profile", None)
    return qs.filter(**{f"{path}signing_branch_id__in": branch_descendant_ids(profile.branch if profile else None)})


@admin.register(MerchantOrder)
class MerchantOrderAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "merchant", "amount_minor", "status", "expires_at", "paid_at")
    list_filter = ("status",)
    search_fields = ("=public_id", "merchant_reference")
    list_select_related = ("merchant",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return _merchants_visible(request, super().get_queryset(request), "merchant__")


class BillerForm(forms.ModelForm):
    """Amount limits typed in yuan (``0.01``, ``50000.00``); stored in minor units."""

    min_amount = forms.DecimalField(label=_("Minimum amount"), max_digits=15, decimal_places=2, initial=Decimal("0.01"))
    max_amount = forms.DecimalField(
        label=_("Maximum amount"), max_digits=15, decimal_places=2, initial=Decimal("50000.00")
    )

    class Meta:
        model = Biller
        fields = ("code", "name", "category", "validator", "currency", "status")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        biller = self.instance
        if biller.pk is not None:
            self.initial["min_amount"] = Money(biller.min_amount_minor, biller.currency).amount_str()
            self.initial["max_amount"] = Money(biller.max_amount_minor, biller.currency).amount_str()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        currency = data.get("currency") or self.instance.currency or "CNY"
        for name in ("min_amount", "max_amount"):
            if data.get(name) is None:
                continue
            try:
                data[f"{name}_minor"] = Money.parse(format(data[name], "f"), currency).minor
            except MoneyError as error:
                self.add_error(name, str(error))
        low, high = data.get("min_amount_minor"), data.get("max_amount_minor")
        if low is not None and high is not None and not 0 < low <= high:
            self.add_error("max_amount", _("The maximum must be at least the minimum, and the minimum positive."))
        return data


@admin.register(Biller)
class BillerAdmin(ScopedForeignKeysMixin, admin.ModelAdmin):
    form = BillerForm
    list_display = ("code", "name", "category", "validator", "currency", "status")
    list_filter = ("category", "status")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code", "currency") if obj is not None else ()

    @admin.display(description=_("Minimum amount"))
    def min_amount(self, obj: Biller) -> str:
        return _money(obj.min_amount_minor, obj.currency)

    @admin.display(description=_("Maximum amount"))
    def max_amount(self, obj: Biller) -> str:
        return _money(obj.max_amount_minor, obj.currency)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if staff_is_bank_wide(request.user):
            return qs
        # Branch staff: billers are bank-level reference data, never tied to a customer's account.
        return qs.filter(ledger_account__customer__isnull=True)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Biller, form: Any, change: bool) -> None:
        """Saved and audited (``payments.biller.add|change`` with the changed fields)."""
        if change:
            before = _audit_before(Biller, obj.pk, _BILLER_AUDITED)
            obj.min_amount_minor = form.cleaned_data["min_amount_minor"]
            obj.max_amount_minor = form.cleaned_data["max_amount_minor"]
            super().save_model(request, obj, form, change)
            _audit_reference_change(request, obj, _BILLER_AUDITED, before)
            return
        data = form.cleaned_data
        created = biller_create(
            code=data["code"],
            name=data["name"],
            category=data["category"],
            validator=data["validator"],
            currency=data["currency"],
            min_amount_minor=data["min_amount_minor"],
            max_amount_minor=data["max_amount_minor"],
        )
        obj.pk = created.pk
        obj.ledger_account = created.ledger_account
        _audit_reference_change(request, created, _BILLER_AUDITED, {})


# --- FX rates ---------------------------------------------------------------------------------
