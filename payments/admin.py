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

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.selectors import branch_descendant_ids, customer_qs_visible_to_staff, staff_is_bank_wide
from core.errors import DomainError
from core.models import OutboxEvent
from core.money import Money, MoneyError
from payments.api.views_merchants import merchant_qr_response
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
from payments.services.adjustments import adjustment_approve, adjustment_reject, adjustment_request_create
from payments.services.bills import biller_create
from payments.services.fx import fx_rate_approve, fx_rate_propose, fx_rate_reject
from payments.services.merchant_payments import merchant_ledger_account
from payments.services.refunds import refund_create


def _staff(request: HttpRequest) -> User:
    """The signed-in staff user (the admin site only lets authenticated staff in)."""
    return cast(User, request.user)


def _money(minor: int | None, currency: str) -> str:
    return str(Money(minor or 0, currency))


def _visible_customer_ids(request: HttpRequest) -> QuerySet[Any] | None:
    """None for bank-wide staff (no filter), else the ids of the customers the user may see."""
    if staff_is_bank_wide(request.user):
        return None
    return customer_qs_visible_to_staff(request.user).values("pk")


class ReadOnlyAdmin(admin.ModelAdmin):
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
    list_display = ("code", "kind", "currency", "status", "is_hot", "posted", "held", "created_at")
    list_filter = ("kind", "currency", "status", "is_hot", "allow_negative")
    search_fields = ("code", "=public_id", "name")
    list_select_related = ("customer",)
    readonly_fields = ("balance",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = admin.ModelAdmin.get_queryset(self, request)
        visible = _visible_customer_ids(request)
        return qs if visible is None else qs.filter(customer__in=visible)

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
    model = Posting
    fields = readonly_fields = ("account", "amount_minor", "currency", "balance_after_minor", "counterparty_account")


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
    list_display = ("id", "transfer", "account", "amount_minor", "currency", "balance_after_minor", "created_at")
    list_filter = ("currency",)
    search_fields = ("account__code", "transfer__reference", "=transfer__public_id")
    list_select_related = ("transfer", "account")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        visible = _visible_customer_ids(request)
        return qs if visible is None else qs.filter(account__customer__in=visible)


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "account", "amount_minor", "currency", "status", "kind", "expires_at")
    list_filter = ("status", "kind", "currency")
    search_fields = ("reference", "=public_id", "account__code")
    list_select_related = ("account",)

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
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


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
                refund_create(
                    payment_transfer=payment.transfer,
                    amount=amount,
                    reason=form.cleaned_data["reason"],
                    initiated_by_staff=_staff(request),
                    request=request,
                )
            except (DomainError, MoneyError) as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, _("Refunded %(amount)s.") % {"amount": amount}, messages.SUCCESS)
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
    list_display = ("public_id", "customer", "amount_minor", "currency", "reason", "initiated_by", "created_at")
    list_filter = ("currency", "created_at")
    search_fields = ("=public_id", "original_transfer__reference", "=original_transfer__public_id")
    list_select_related = ("customer", "initiated_by", "original_transfer")


@admin.register(FxQuote)
class FxQuoteAdmin(CustomerScopedAdmin):
    list_display = (
        "public_id",
        "customer",
        "sell_currency",
        "buy_currency",
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
@admin.register(Merchant)
class MerchantAdmin(admin.ModelAdmin):
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
        qs = super().get_queryset(request)
        if staff_is_bank_wide(request.user):
            return qs
        profile = getattr(request.user, "staff_profile", None)
        return qs.filter(signing_branch_id__in=branch_descendant_ids(profile.branch if profile else None))

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
        if not change:
            obj.signed_by = request.user  # type: ignore[assignment]
            obj.currencies = obj.currencies or ["CNY"]
        super().save_model(request, obj, form, change)
        for currency in obj.currencies or ["CNY"]:
            merchant_ledger_account(obj, currency)


@admin.register(MerchantOrder)
class MerchantOrderAdmin(ReadOnlyAdmin):
    list_display = ("public_id", "merchant", "amount_minor", "currency", "status", "expires_at", "paid_at")
    list_filter = ("status",)
    search_fields = ("=public_id", "merchant_reference")
    list_select_related = ("merchant",)


class BillerForm(forms.ModelForm):
    class Meta:
        model = Biller
        fields = ("code", "name", "category", "validator", "currency", "min_amount_minor", "max_amount_minor", "status")


@admin.register(Biller)
class BillerAdmin(admin.ModelAdmin):
    form = BillerForm
    list_display = ("code", "name", "category", "validator", "currency", "status")
    list_filter = ("category", "status")
    search_fields = ("code", "name")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code", "currency") if obj is not None else ()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if staff_is_bank_wide(request.user):
            return qs
        # Branch staff: billers are bank-level reference data, never tied to a customer's account.
        return qs.filter(ledger_account__customer__isnull=True)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Biller, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
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
class AdjustmentRequestForm(forms.ModelForm):
    amount = forms.CharField(
        label=_("Amount"),
        max_length=20,
        required=False,
        help_text=_("Decimal, e.g. 12.34 (not used for a reversal: the whole transfer is reversed)"),
    )

    class Meta:
        model = AdjustmentRequest
        fields = ("kind", "target_account", "target_transfer", "currency", "reason", "deadline")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].required = False  # a reversal takes the transfer's currencies

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") != AdjustmentRequest.Kind.REVERSAL:
            try:
                data["money"] = Money.parse(data.get("amount") or "", data.get("currency") or "")
            except MoneyError as error:
                raise forms.ValidationError(str(error)) from None
        return data


@admin.register(AdjustmentRequest)
class AdjustmentRequestAdmin(admin.ModelAdmin):
    form = AdjustmentRequestForm
    list_display = ("public_id", "kind", "amount_minor", "currency", "status", "maker", "checker", "deadline")
    list_filter = ("status", "kind")
    search_fields = ("=public_id", "reason")
    list_select_related = ("maker", "checker", "target_account", "target_transfer")
    raw_id_fields = ("target_account", "target_transfer")
    actions = ["approve", "reject"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

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

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("payments.approve_adjustment"):
            actions.pop("approve", None)
            actions.pop("reject", None)
        return actions

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
            raise forms.ValidationError(str(error)) from error
        obj.pk = created.pk

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
        for pk in queryset.values_list("pk", flat=True):
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
                self.message_user(request, f"{pk}: {error.message}", messages.ERROR)
        if done:
            message = ngettext("%(n)d request decided.", "%(n)d requests decided.", done) % {"n": done}
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Approve and post the selected requests"))
    def approve(self, request: HttpRequest, queryset: QuerySet[AdjustmentRequest]) -> None:
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("Reject the selected requests"))
    def reject(self, request: HttpRequest, queryset: QuerySet[AdjustmentRequest]) -> None:
        self._decide(request, queryset, approve=False)
