"""Object ids named in admin forms and widgets are checked against the staff member's scope.

ARCHITECTURE §6: "every object a staff member names by id is checked against their scope, in
forms, widgets and services alike". The scope of a model is what its own registered ModelAdmin's
``get_queryset(request)`` returns (branch-scoped for branch staff, everything for bank-wide roles),
so one definition serves the changelist, the change page, the form's choices, the raw-id label and
the autocomplete (Django's ``AutocompleteJsonView`` already asks the related admin's queryset).

``ScopedForeignKeysMixin`` on a ModelAdmin:

- limits every foreign-key / many-to-many form field to the related admin's queryset, with an
  error that says the object is outside the user's scope (not Django's "Select a valid choice");
- replaces the raw-id widget with one whose label lookup uses that queryset, so a typed id of
  another branch's object shows no label (Django's widget looks it up in the default manager);
- autocomplete widgets render their selected option from the form field's (scoped) queryset.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

__all__ = ["OUT_OF_SCOPE_MESSAGE", "ScopedForeignKeysMixin", "ScopedRawIdWidget", "scoped_queryset"]

OUT_OF_SCOPE_MESSAGE = _(
    "%(value)s is not one of the objects you may act on: it does not exist or belongs to a branch outside your scope."
)


def scoped_queryset(admin_site: admin.AdminSite, model: type[Model], request: HttpRequest) -> QuerySet[Any] | None:
    """What ``request.user`` may see of ``model``: its registered admin's queryset, or None when
    the model has no admin (the caller then decides; nothing is widened here)."""
    model_admin = admin_site._registry.get(model)
    if model_admin is None:
        return None
    return model_admin.get_queryset(request)


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id widget that labels only objects inside ``queryset`` (the user's scope)."""

    def __init__(self, rel: Any, admin_site: admin.AdminSite, queryset: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        key = self.rel.get_related_field().name
        try:
            obj = self.queryset.using(self.db).get(**{key: value})
        except (ValueError, TypeError, ObjectDoesNotExist, ValidationError):
            return "", ""
        try:
            url = reverse(f"{self.admin_site.name}:{obj._meta.app_label}_{obj._meta.model_name}_change", args=(obj.pk,))
        except NoReverseMatch:
            url = ""
        return Truncator(obj).words(14), url


class ScopedForeignKeysMixin:
    """Mix into a ``ModelAdmin`` before ``admin.ModelAdmin`` (see the module docstring)."""

    admin_site: admin.AdminSite

    def _scope_field(self, db_field: Any, request: HttpRequest, kwargs: dict[str, Any]) -> QuerySet[Any] | None:
        queryset = scoped_queryset(self.admin_site, db_field.remote_field.model, request)
        if queryset is not None and "queryset" not in kwargs:
            kwargs["queryset"] = queryset
        return kwargs.get("queryset")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        queryset = self._scope_field(db_field, request, kwargs)
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is None or queryset is None:
            return formfield
        if isinstance(formfield.widget, ForeignKeyRawIdWidget):
            formfield.widget = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, queryset, using=formfield.widget.db
            )
        formfield.error_messages["invalid_choice"] = OUT_OF_SCOPE_MESSAGE
        return formfield

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        queryset = self._scope_field(db_field, request, kwargs)
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is not None and queryset is not None and isinstance(formfield, forms.ModelMultipleChoiceField):
            formfield.error_messages["invalid_choice"] = OUT_OF_SCOPE_MESSAGE
        return formfield


class ViewOnlyMixin:
    """No add, change or delete from the admin, whatever the user's permissions: records that
    only services write (the ledger, movements, a customer's cards and devices)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ViewOnlyInline(ViewOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False
