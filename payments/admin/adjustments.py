"""Dual-control adjustment requests (manual credit, fee waiver, reversal, refund)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scope import ScopedForeignKeysMixin
from core.errors import DomainError
from core.money import Money, MoneyError
from core.validators import reject_card_numbers
from payments.admin.base import (
    _money,
    _staff,
    _visible_customer_ids,
)
from payments.models import (
    AdjustmentRequest,
    LedgerAccount,
    Transfer,
)
from payments.services.adjustments import (
    DEFAULT_DEADLINE,
    adjustment_approve,
    adjustment_reject,
    adjustment_request_create,
)


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
