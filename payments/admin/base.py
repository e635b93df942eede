"""Shared pieces of the payments admin: money columns in yuan, branch scoping, read-only bases."""

from __future__ import annotations

import re
from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from accounts.selectors import customer_qs_browsable, staff_is_bank_wide
from core.admin_scope import ScopedForeignKeysMixin, ViewOnlyInline, ViewOnlyMixin
from payments.display import money_display
from payments.models import (
    LedgerAccount,
)


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


# "(minor units)" and its translations ("（最小货币单位）", "（最小单位）"): the value shown is in yuan.
_UNITS_SUFFIX = re.compile(r"\s*[(（][^()（）]*(minor units|最小[^()（）]*单位)[^()（）]*[)）]\s*$")


def _strip_units(verbose_name: Any) -> str:
    return _UNITS_SUFFIX.sub("", str(verbose_name))


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


class ReadOnlyAdmin(ViewOnlyMixin, ScopedDetailMixin, MoneyColumnsMixin, ScopedForeignKeysMixin, admin.ModelAdmin):
    """View only: the ledger is changed by services, never by hand."""

    actions = None


class CustomerScopedAdmin(ReadOnlyAdmin):
    """Rows with a ``customer`` FK, scoped to the customers the staff member may see."""

    customer_path = "customer"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        visible = _visible_customer_ids(request)
        return qs if visible is None else qs.filter(**{f"{self.customer_path}__in": visible})


_ReadOnlyInline = ViewOnlyInline


# --- the ledger ---------------------------------------------------------------------------------
