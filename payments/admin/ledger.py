"""The ledger in the admin: accounts, transfers, postings, holds, seals, idempotency records, outbox (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.pii import InvalidPhone, normalize_phone, phone_index
from accounts.selectors import staff_is_bank_wide
from core.models import OutboxEvent
from payments.admin.base import (
    _OUT_OF_SCOPE_ACCOUNT,
    CustomerScopedAdmin,
    ReadOnlyAdmin,
    _money,
    _ReadOnlyInline,
    _visible_customer_ids,
)
from payments.ledger import account_balance
from payments.models import (
    Hold,
    IdempotencyRecord,
    LedgerAccount,
    LedgerSeal,
    Posting,
    Transfer,
)


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
