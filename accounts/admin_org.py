"""Admin for the organisation: branches, staff users with their profile and roles, KYC tiers.

Every save writes an audit event in the admin's own transaction (``staff_change_record``);
non-superusers cannot grant superuser status or individual permissions (roles are groups).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import models
from django.http import HttpRequest
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Branch, KycTier, StaffProfile
from accounts.services import kyc_tier_update, staff_change_record

_SECRET_FIELDS = {"password", "key", "token", "bin_key"}  # never copied into the audit log


def _form_changes(form: forms.ModelForm) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in form.changed_data:
        if name in _SECRET_FIELDS or name.startswith("password"):
            changes[name] = "changed"
            continue
        before = form.initial.get(name)
        after = form.cleaned_data.get(name)
        if isinstance(after, models.Model):
            after = str(after.pk)
        elif isinstance(after, (list, tuple, models.QuerySet)):
            after = sorted(str(getattr(v, "pk", v)) for v in after)
        if isinstance(before, (list, tuple)):
            before = sorted(str(getattr(v, "pk", v)) for v in before)
        changes[name] = [
            before if isinstance(before, (str, int, bool, list)) or before is None else str(before),
            after if isinstance(after, (str, int, bool, list)) or after is None else str(after),
        ]
    return changes


class AuditedAdminMixin:
    """Writes ``<app>.<model>.add|change|delete`` audit events for plain admin forms."""

    def _action(self, verb: str) -> str:
        opts = self.model._meta  # type: ignore[attr-defined]
        return f"{opts.app_label}.{opts.model_name}.{verb}"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        staff_change_record(
            staff=request.user,
            obj=obj,
            action=self._action("change" if change else "add"),
            changes=_form_changes(form),
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        staff_change_record(staff=request.user, obj=obj, action=self._action("delete"), changes={}, request=request)
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)  # type: ignore[misc]
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form.instance.pk is not None:
                opts = inline_form.instance._meta
                staff_change_record(
                    staff=request.user,
                    obj=inline_form.instance,
                    action=f"{opts.app_label}.{opts.model_name}.change",
                    changes=_form_changes(inline_form),
                    request=request,
                )


@admin.register(Branch)
class BranchAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "region", "parent")
    list_filter = ("region",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(KycTier)
class KycTierAdmin(admin.ModelAdmin):
    """Limits payments enforce. Administrators change them through ``kyc_tier_update`` (audited)."""

    list_display = (
        "level",
        "name",
        "currency",
        "per_transaction_limit_minor",
        "daily_limit_minor",
        "monthly_limit_minor",
        "balance_cap_minor",
    )
    readonly_fields = ("level", "currency")
    fields = (
        "level",
        "name",
        "currency",
        "per_transaction_limit_minor",
        "daily_limit_minor",
        "monthly_limit_minor",
        "balance_cap_minor",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: KycTier, form: Any, change: bool) -> None:
        limits = {name: form.cleaned_data[name] for name in form.changed_data}
        updated = kyc_tier_update(staff=request.user, tier=obj, limits=limits, request=request)
        obj.__dict__.update(updated.__dict__)


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    max_num = 1
    fields = ("employee_no", "branch")
    autocomplete_fields = ("branch",)


admin.site.unregister(User)
admin.site.unregister(Group)
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(TOTPDevice)
class AuditedTOTPDeviceAdmin(AuditedAdminMixin, TOTPDeviceAdmin):
    """Staff authenticators: adding or removing one is audited (the secret key never is)."""


@admin.register(StaticDevice)
class AuditedStaticDeviceAdmin(AuditedAdminMixin, StaticDeviceAdmin):
    """Recovery codes: audited, codes themselves never copied into the log."""


@admin.register(User)
class StaffUserAdmin(AuditedAdminMixin, UserAdmin):
    """Staff accounts: roles are groups; the branch lives on the profile inline."""

    inlines = [StaffProfileInline]
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff", "staff_branch", "roles")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "staff_profile__branch")
    list_select_related = ("staff_profile__branch",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="branch")
    def staff_branch(self, obj: User) -> str:
        profile = getattr(obj, "staff_profile", None)
        return str(profile.branch) if profile is not None and profile.branch is not None else "-"

    @admin.display(description="roles")
    def roles(self, obj: User) -> str:
        return ", ".join(group.name for group in obj.groups.all())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Roles are groups: only a superuser grants superuser status or one-off permissions.
            readonly += ["is_superuser", "user_permissions", "last_login", "date_joined"]
        return readonly

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser  # deactivate staff instead: the audit log keeps their name

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = sorted(form.instance.groups.values_list("name", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(form.instance.groups.values_list("name", flat=True))
        if before != after:
            staff_change_record(
                staff=request.user,
                obj=form.instance,
                action="auth.user.roles",
                changes={"groups": [before, after]},
                request=request,
            )


@admin.register(Group)
class RoleGroupAdmin(AuditedAdminMixin, GroupAdmin):
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = sorted(form.instance.permissions.values_list("codename", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(form.instance.permissions.values_list("codename", flat=True))
        if before != after:
            staff_change_record(
                staff=request.user,
                obj=form.instance,
                action="auth.group.permissions",
                changes={"permissions": [before, after]},
                request=request,
            )
