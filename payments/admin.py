"""Payments in the staff admin.

The ledger (accounts, transfers, postings, holds, seals, idempotency records, outbox) is READ-ONLY:
no add, change or delete, whatever the user's permissions. Movement records (top-ups, withdrawals,
merchant and bill payments, refunds, gateway callbacks, FX quotes) are read-only too. Mutations go
through actions and forms that call services: refunds, dual-control adjustments (request, approve,
reject), FX rates (a new row per change, audit-logged), merchants and billers.

Branch scoping: staff of a branch see the ledger accounts, movements and merchants of their
branch tree only; bank-wide roles see everything (``accounts.selectors``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Customer
from accounts.pii import InvalidPhone, normalize_phone, phone_index
from accounts.selectors import branch_descendant_ids, customer_qs_browsable, staff_is_bank_wide
from core.admin_scope import ScopedForeignKeysMixin
from core.audit import audit_record
from core.errors import DomainError
from core.models import OutboxEvent
from core.money import Money, MoneyError
from core.validators import reject_card_numbers
from payments.api.views_merchants import merchant_qr_response
from payments.display import money_display
from payments.ledger import account_balance
from payments.models import (
    AdjustmentRequest,
    Biller,
    BillPayment,
    FxQuote,
    FxRate,
    GatewayCallbackLog,
    Hold,
    IdempotencyRecord,
    LedgerAccount,
    LedgerSeal,
    Merchant,
    MerchantOrder,
    MerchantPayment,
    Posting,
    Refund,
    TopUp,
    Transfer,
    Withdrawal,
)
from payments.services.adjustments import (
    DEFAULT_DEADLINE,
    adjustment_approve,
    adjustment_reject,
    adjustment_request_create,
)
from payments.services.bills import biller_create
from payments.services.fx import fx_rate_approve, fx_rate_propose, fx_rate_reject
from payments.services.merchant_payments import merchant_ledger_account


def _staff(request: HttpRequest) -> User:
    """The signed-in staff user (the admin site only lets authenticated staff in)."""
    return cast(User, request.user)


def _money(minor: int | None, currency: str) -> str:
    return money_display(minor, currency)


def _minor_columns(model: Any) -> dict[str, tuple[str, str]]:
    """``{"amount_minor": ("amount", "currency"), "sell_minor": ("sell", "sell_currency"), ...}``:
    every integer minor-units field of ``model`` with the field holding its currency."""
    names = {f.name for f in model._meta.concrete_fields}
    found = {}
    for name in names:
        if name.endswith("_minor"):
            stem = name[: -len("_minor")]
            currency = f"{stem}_currency" if f"{stem}_currency" in names else "currency"
            if currency in names:
                found[name] = (f"{stem}_amount", currency)
    return found


def _strip_units(verbose_name: Any) -> str:
    text = str(verbose_name)
    for suffix in (" (minor units)", "（最小单位）", "(最小单位)"):
        text = text.replace(suffix, "")
    return text


def _money_label(field: Any) -> Any:
    """The field's verbose name without "(minor units)", still translated per request."""
    return lazy(_strip_units, str)(field.verbose_name)


def _money_column(field_name: str, currency_field: str, label: Any) -> Any:
    def column(obj: Any) -> str:
        value = getattr(obj, field_name)
        return "-" if value is None else _money(value, getattr(obj, currency_field))

    column.short_description = label  # type: ignore[attr-defined]
    return column


class MoneyColumnsMixin:
    """Shows every ``*_minor`` field (list columns and detail pages) as ``50.00 CNY``, never ``5000``.

    Each ``x_minor`` field gets an ``x_amount`` display, labelled with the field's verbose name
    without "(minor units)"; ``list_display`` / ``fields`` may name either."""

    model: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._money_fields = _minor_columns(self.model)
        for name, (display, currency) in self._money_fields.items():
            setattr(self, display, _money_column(name, currency, _money_label(self.model._meta.get_field(name))))

    def _swap(self, names: Any) -> list[Any]:
        swapped = [self._money_fields[n][0] if isinstance(n, str) and n in self._money_fields else n for n in names]
        return list(dict.fromkeys(swapped))

    def get_list_display(self, request: HttpRequest) -> Any:
        return self._swap(super().get_list_display(request))  # type: ignore[misc]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self._swap(super().get_fields(request, obj))  # type: ignore[misc]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        extra = [display for display, _currency in self._money_fields.values()]
        return [*super().get_readonly_fields(request, obj), *extra]  # type: ignore[misc]


_OUT_OF_SCOPE_ACCOUNT = _("an account outside your branch")
_OUT_OF_SCOPE_CUSTOMER = _("a customer outside your branch")


def _visible_customer_ids(request: HttpRequest) -> QuerySet[Any] | None:
    """None for bank-wide staff (no filter), else the ids of the customers the user BROWSES
    (``customer_qs_browsable``: their branch tree plus whom their exact searches just found), never
    the wider search scope."""
    if staff_is_bank_wide(request.user):
        return None
    return customer_qs_browsable(request).values("pk")


def _account_in_scope(request: HttpRequest, account_id: int) -> bool:
    """A bank-side account (no customer) carries no personal data; a customer's account is in scope
    when its customer is."""
    visible = _visible_customer_ids(request)
    if visible is None:
        return True
    return LedgerAccount.objects.filter(Q(customer__isnull=True) | Q(customer__in=visible), pk=account_id).exists()


def _customer_in_scope(request: HttpRequest, customer_id: int) -> bool:
    visible = _visible_customer_ids(request)
    return visible is None or visible.filter(pk=customer_id).exists()


def _scoped_link(field_name: str, label: Any, hidden: Any) -> Any:
    def shown(obj: Any) -> str:
        if field_name in getattr(obj, "_out_of_scope", ()):
            return str(hidden)
        value = getattr(obj, field_name)
        return "-" if value is None else str(value)

    shown.short_description = label  # type: ignore[attr-defined]
    return shown


class ScopedDetailMixin:
    """On a detail page, a foreign key to a ledger account or a customer outside the user's scope
    (the other side of a P2P transfer) reads "outside your branch" instead of naming it."""

    model: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._scoped_links: dict[str, Any] = {}
        for field in self.model._meta.concrete_fields:
            if field.is_relation and field.related_model in (LedgerAccount, Customer):
                is_account = field.related_model is LedgerAccount
                check = _account_in_scope if is_account else _customer_in_scope
                hidden = _OUT_OF_SCOPE_ACCOUNT if is_account else _OUT_OF_SCOPE_CUSTOMER
                self._scoped_links[field.name] = (f"{field.name}_shown", field.attname, check)
                setattr(self, f"{field.name}_shown", _scoped_link(field.name, field.verbose_name, hidden))

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        obj = super().get_object(request, object_id, from_field)  # type: ignore[misc]
        if obj is not None:
            obj._out_of_scope = {
                name
                for name, (_shown, attname, check) in self._scoped_links.items()
                if getattr(obj, attname) is not None and not check(request, getattr(obj, attname))
            }
        return obj

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        names = super().get_fields(request, obj)  # type: ignore[misc]
        if obj is None:
            return names
        return list(dict.fromkeys(self._scoped_links[n][0] if n in self._scoped_links else n for n in names))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        extra = [shown for shown, _attname, _check in self._scoped_links.values()] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *extra]  # type: ignore[misc]


class ReadOnlyAdmin(ScopedDetailMixin, MoneyColumnsMixin, ScopedForeignKeysMixin, admin.ModelAdmin):
    """View only: the ledger is changed by services, never by hand."""

    actions = None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CustomerScopedAdmin(ReadOnlyAdmin):
    """Rows with a ``customer`` FK, scoped to the customers the staff member may see."""

    customer_path = "customer"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        visible = _visible_customer_ids(request)
        return qs if visible is None else qs.filter(**{f"{self.customer_path}__in": visible})


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# --- the ledger ---------------------------------------------------------------------------------
@admin.register(LedgerAccount)
class LedgerAccountAdmin(CustomerScopedAdmin):
    list_display = ("__str__", "kind", "currency", "status", "is_hot", "posted", "held", "created_at")
    list_filter = ("kind", "currency", "status", "is_hot", "allow_negative")
    search_fields = ("code", "=public_id", "name")
    list_select_related = ("customer",)
    readonly_fields = ("balance",)
    ordering = ("-id",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = admin.ModelAdmin.get_queryset(self, request).select_related("customer")
        visible = _visible_customer_ids(request)
        return qs if visible is None else qs.filter(customer__in=visible)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        """Also finds a customer's accounts by phone number (through the blind index; names are
        encrypted and not searchable). Used by the changelist and the autocomplete of forms."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and sum(ch.isdigit() for ch in term) >= 7:
            try:
                index = phone_index(normalize_phone(term))
            except InvalidPhone:
                return results, may_have_duplicates
            results = results | queryset.filter(customer__phone_index=index)
        return results, may_have_duplicates

    @admin.display(description=_("posted (checkpoint)"))
    def posted(self, obj: LedgerAccount) -> str:
        return _money(obj.posted_minor, obj.currency)

    @admin.display(description=_("held"))
    def held(self, obj: LedgerAccount) -> str:
        return _money(obj.pending_debit_minor, obj.currency)

    @admin.display(description=_("balance (incl. hot-account deltas)"))
    def balance(self, obj: LedgerAccount) -> str:
        b = account_balance(obj)
        return str(
            _("posted %(posted)s · held %(held)s · available %(available)s")
            % {"posted": b.posted, "held": b.pending, "available": b.available}
        )


class PostingInline(_ReadOnlyInline):
    """The legs of a transfer. A leg on an account outside the user's scope (another branch's
    customer: the counterparty of a P2P transfer) shows neither whose account it is nor its balance."""

    model = Posting
    fields = readonly_fields = ("account_label", "amount", "balance_after", "counterparty_label")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request).select_related("account__customer", "counterparty_account__customer")
        visible = _visible_customer_ids(request)
        if visible is None:
            return qs.annotate(in_scope=Value(True), counterparty_in_scope=Value(True))
        mine = Q(customer__isnull=True) | Q(customer__in=visible)
        # Bank-side accounts (customer NULL) carry no personal data; another branch's customer does.
        accounts = LedgerAccount.objects.filter(mine).values("pk")
        return qs.annotate(
            in_scope=Exists(accounts.filter(pk=OuterRef("account_id"))),
            counterparty_in_scope=Exists(accounts.filter(pk=OuterRef("counterparty_account_id"))),
        )

    @admin.display(description=_("account"))
    def account_label(self, obj: Posting) -> str:
        return str(obj.account) if getattr(obj, "in_scope", False) else str(_OUT_OF_SCOPE_ACCOUNT)

    @admin.display(description=_("amount"))
    def amount(self, obj: Posting) -> str:
        return _money(obj.amount_minor, obj.currency)

    @admin.display(description=_("balance after"))
    def balance_after(self, obj: Posting) -> str:
        if not getattr(obj, "in_scope", False) or obj.balance_after_minor is None:
            return "-"
        return _money(obj.balance_after_minor, obj.currency)

    @admin.display(description=_("counterparty"))
    def counterparty_label(self, obj: Posting) -> str:
        if obj.counterparty_account_id is None:
            return "-"
        if not getattr(obj, "counterparty_in_scope", False):
            return str(_OUT_OF_SCOPE_ACCOUNT)
        return str(obj.counterparty_account)


def _transfers_visible(request: HttpRequest, qs: QuerySet[Transfer]) -> QuerySet[Transfer]:
    visible = _visible_customer_ids(request)
    if visible is None:
        return qs
    return qs.filter(Q(postings__account__customer__in=visible) | Q(initiated_by__in=visible)).distinct()


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "kind", "reference", "memo", "reason_code", "created_at")
    list_filter = ("kind", "created_at")
    search_fields = ("reference", "=public_id")
    date_hierarchy = "created_at"
    list_select_related = ("initiated_by", "reverses")
    inlines = [PostingInline]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return _transfers_visible(request, super().get_queryset(request))


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ("id", "transfer", "account", "amount_minor", "balance_after_minor", "created_at")
    list_filter = ("currency",)
    search_fields = ("account__code", "transfer__reference", "=transfer__public_id")
    list_select_related = ("transfer", "account__customer")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        visible = _visible_customer_ids(request)
        return qs if visible is None else qs.filter(account__customer__in=visible)


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "account", "amount_minor", "status", "kind", "expires_at")
    list_filter = ("status", "kind", "currency")
    search_fields = ("reference", "=public_id", "account__code")
    list_select_related = ("account__customer",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        visible = _visible_customer_ids(request)
        return qs if visible is None else qs.filter(account__customer__in=visible)


@admin.register(LedgerSeal)
class LedgerSealAdmin(ReadOnlyAdmin):
    list_display = ("seq", "transfer", "hash", "sealed_at")
    search_fields = ("hash", "=transfer__public_id")
    list_select_related = ("transfer",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if staff_is_bank_wide(request.user):
            return qs
        return qs.filter(transfer__in=_transfers_visible(request, Transfer.objects.all()).values("pk"))


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(CustomerScopedAdmin):
    list_display = ("customer", "key", "response_status", "created_at", "expires_at")
    list_filter = ("response_status",)
    search_fields = ("key",)
    list_select_related = ("customer",)
    exclude = ("request_fingerprint",)


if not admin.site.is_registered(OutboxEvent):

    @admin.register(OutboxEvent)
    class OutboxEventAdmin(ReadOnlyAdmin):
        list_display = ("id", "topic", "key", "created_at", "published_at", "attempts")
        list_filter = ("topic",)
        search_fields = ("key", "topic")


# --- movements (read-only records) --------------------------------------------------------------
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
def _default_deadline() -> Any:
    return timezone.localtime(timezone.now() + DEFAULT_DEADLINE).replace(second=0, microsecond=0)


class AdjustmentRequestForm(forms.ModelForm):
    """The maker's request. The amount is in yuan (a decimal, e.g. 50.00), never in minor units; the
    account or transfer is picked by search (autocomplete), limited to the maker's scope."""

    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=15,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("In yuan, e.g. 50.00 (not used for a reversal: the whole transfer is reversed)"),
    )

    class Meta:
        model = AdjustmentRequest
        fields = ("kind", "target_account", "target_transfer", "currency", "reason", "deadline")
        help_texts = {
            "target_account": _("Search by phone number, account code or name."),
            "target_transfer": _("Search by reference or transfer id."),
            "deadline": _("Unapproved by then, the request expires and its hold is released."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "currency" in self.fields:  # absent on a read-only page
            self.fields["currency"].required = False  # a reversal takes the transfer's currencies
            self.fields["currency"].initial = "CNY"
        if "deadline" in self.fields and not self.is_bound:
            self.fields["deadline"].initial = _default_deadline()
        if "reason" in self.fields:
            self.fields["reason"].validators.append(reject_card_numbers)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        deadline = data.get("deadline")
        if deadline is not None and deadline <= timezone.now():
            self.add_error("deadline", _("The deadline must be in the future."))
        if kind == AdjustmentRequest.Kind.REVERSAL:
            transfer = data.get("target_transfer")
            if transfer is None and "target_transfer" not in self.errors:
                self.add_error("target_transfer", _("Pick the transfer to reverse."))
            elif transfer is not None and _pending_reversal_exists(transfer):
                # The service refuses it too (under its lock); this says so before anything is held.
                self.add_error("target_transfer", _("A reversal of this transfer is already waiting for approval."))
            return data
        account = data.get("target_account")
        if account is None:
            if "target_account" not in self.errors:
                self.add_error("target_account", _("Pick the account to credit."))
            return data
        currency = data.get("currency") or account.currency
        if currency != account.currency:
            self.add_error("currency", _("The account to credit holds %(currency)s.") % {"currency": account.currency})
            return data
        if data.get("amount") is None:
            if "amount" not in self.errors:
                self.add_error("amount", _("Enter the amount in yuan, e.g. 50.00."))
            return data
        try:
            data["money"] = Money.parse(format(data["amount"], "f"), currency)
        except MoneyError as error:
            self.add_error("amount", str(error))
        return data


def _pending_reversal_exists(transfer: Transfer) -> bool:
    return AdjustmentRequest.objects.filter(
        kind=AdjustmentRequest.Kind.REVERSAL, target_transfer=transfer, status=AdjustmentRequest.Status.PENDING
    ).exists()


def _adjustment_error_message(error: DomainError, kind: str) -> str:
    """What is actually wrong, in the maker's words (the ledger's "insufficient funds" does not say
    whose funds)."""
    if error.code == "insufficient_funds" and kind == AdjustmentRequest.Kind.REVERSAL:
        return str(
            _(
                "The money this transfer credited is no longer available in the receiving account, "
                "so it cannot be held for the reversal."
            )
        )
    if error.code == "insufficient_funds":
        return str(_("The bank's source account for this adjustment cannot cover it: %(message)s")) % {
            "message": error.message
        }
    return str(error.message)


@admin.register(AdjustmentRequest)
class AdjustmentRequestAdmin(ScopedForeignKeysMixin, admin.ModelAdmin):
    form = AdjustmentRequestForm
    list_display = ("short_id", "kind", "target", "money", "reason_short", "status", "maker", "checker", "deadline")
    list_filter = ("status", "kind")
    search_fields = ("=public_id", "reason")
    list_select_related = ("maker", "checker", "target_account__customer", "target_transfer")
    autocomplete_fields = ("target_account", "target_transfer")
    actions = ["approve", "reject"]
    # The page of an existing request (view only: requests are decided by actions, never edited).
    detail_fields = (
        "public_id",
        "kind",
        "status",
        "target",
        "money",
        "source",
        "reason",
        "deadline",
        "maker",
        "created_at",
        "checker",
        "decided_at",
        "decision_note",
        "posted_transfer",
    )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    add_fields = ("kind", "target_account", "target_transfer", "amount", "currency", "reason", "deadline")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.detail_fields if obj is not None else self.add_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.detail_fields if obj is not None else ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        """Bank-wide roles see every request; branch staff see their own requests and those about
        their branch tree's customers (the account to credit, or the transfer to reverse)."""
        qs = super().get_queryset(request)
        visible = _visible_customer_ids(request)
        if visible is None:
            return qs
        touched = Transfer.objects.filter(postings__account__customer__in=visible).values("pk")
        return qs.filter(
            Q(maker=request.user) | Q(target_account__customer__in=visible) | Q(target_transfer__in=touched)
        ).distinct()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "target_account":
            # Only what an adjustment may credit: a customer's open wallet (points wallets included).
            scoped = self.admin_site._registry[LedgerAccount].get_queryset(request)
            kwargs["queryset"] = scoped.filter(
                kind__in=(LedgerAccount.Kind.CUSTOMER_WALLET, LedgerAccount.Kind.POINTS_WALLET)
            ).exclude(status=LedgerAccount.Status.CLOSED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("payments.approve_adjustment"):
            actions.pop("approve", None)
            actions.pop("reject", None)
        return actions

    # --- columns and detail fields ---
    @admin.display(description=_("id"))
    def short_id(self, obj: AdjustmentRequest) -> str:
        return str(obj.public_id)[:8]

    @admin.display(description=_("target"))
    def target(self, obj: AdjustmentRequest) -> str:
        if obj.target_account_id is not None:
            return str(obj.target_account)
        if obj.target_transfer_id is not None:
            transfer = obj.target_transfer
            assert transfer is not None
            return str(_("transfer %(ref)s") % {"ref": transfer.reference or str(transfer.public_id)[:8]})
        return "-"

    @admin.display(description=_("amount"))
    def money(self, obj: AdjustmentRequest) -> str:
        return _money(obj.amount_minor, obj.currency)

    @admin.display(description=_("reason"))
    def reason_short(self, obj: AdjustmentRequest) -> str:
        return Truncator(obj.reason).chars(60)

    @admin.display(description=_("account debited"))
    def source(self, obj: AdjustmentRequest) -> str:
        return str(obj.source_account) if obj.source_account_id is not None else "-"

    @admin.display(description=_("posted transfer"))
    def posted_transfer(self, obj: AdjustmentRequest) -> str:
        return str(obj.transfer.public_id) if obj.transfer_id is not None and obj.transfer else "-"

    # --- the maker's request ---
    def save_model(self, request: HttpRequest, obj: AdjustmentRequest, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            created = adjustment_request_create(
                maker=_staff(request),
                kind=data["kind"],
                reason=data["reason"],
                amount=data.get("money"),
                target_account=data.get("target_account"),
                target_transfer=data.get("target_transfer"),
                deadline=data.get("deadline"),
                request=request,
            )
        except DomainError as error:
            raise forms.ValidationError(_adjustment_error_message(error, data["kind"])) from error
        # The "added" message and the redirect name the row the service created (its own public id).
        for field in AdjustmentRequest._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The service set the holds; the form has nothing more to save."""

    def changeform_view(
        self, request: HttpRequest, object_id: Any = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        # Not wrapped in the admin's transaction: the service owns a durable one (and its hold).
        return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined,no-any-return]

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except forms.ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def _decide(self, request: HttpRequest, queryset: QuerySet[AdjustmentRequest], approve: bool) -> None:
        done = 0
        for pk, public_id in queryset.values_list("pk", "public_id"):
            try:
                if approve:
                    adjustment_approve(adjustment_id=pk, checker=_staff(request), request=request)
                else:
                    adjustment_reject(
                        adjustment_id=pk,
                        checker=_staff(request),
                        request=request,
                        note=str(_("Rejected in the admin by %(user)s") % {"user": request.user.get_username()}),
                    )
                done += 1
            except DomainError as error:
                self.message_user(request, f"{str(public_id)[:8]}: {error.message}", messages.ERROR)
        if done:
            message = ngettext("%(n)d request decided.", "%(n)d requests decided.", done) % {"n": done}
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Approve and post the selected requests"))
    def approve(self, request: HttpRequest, queryset: QuerySet[AdjustmentRequest]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject the selected requests"))
    def reject(self, request: HttpRequest, queryset: QuerySet[AdjustmentRequest]) -> None:
        self._decide(request, queryset, approve=False)
