"""Admin for the organisation: branches, staff users with their profile and roles, KYC tiers.

Every save writes an audit event in the admin's own transaction (``staff_change_record``).
Separation of duties (docs/accounts.md): roles, new staff, another person's password and
authenticators change only through a ``StaffChangeRequest`` approved by a second, independent
administrator; only a superuser changes a superuser; no TOTP key is shown after enrolment.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import Branch, KycTier, StaffChangeRequest, StaffProfile, StaffTOTPDevice
from accounts.services import kyc_tier_update, staff_change_record
from accounts.services.staff import staff_change_approve, staff_change_reject, staff_change_request_create
from core.errors import DomainError
from core.validators import reject_card_numbers

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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """A branch's parent decides which staff see its customers (scope = branch tree): it is chosen
        when the branch is created (audited ``accounts.branch.add``) and then changed only by a
        superuser, in a change window (docs/accounts.md)."""
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.is_superuser:
            readonly.append("parent")
        return readonly


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
        "passkey_replaces_pin",
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
        "passkey_replaces_pin",
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
    readonly_fields = ("branch",)  # a SET_BRANCH StaffChangeRequest moves a person (second administrator)


admin.site.unregister(User)
admin.site.unregister(Group)
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class _OwnDeviceAdminMixin:
    """Authenticators: each person adds and removes only their own (another person's goes through a
    ``StaffChangeRequest``); nobody edits a device, so no key is ever shown after enrolment
    (``OTP_ADMIN_HIDE_SENSITIVE_DATA`` also removes the key and QR code views)."""

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)  # type: ignore[misc]
        return qs if request.user.is_superuser else qs.filter(user__is_superuser=False)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.user_id != request.user.pk:
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc,no-any-return]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions  # type: ignore[no-any-return]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        signed_in = request.user

        class OwnDeviceForm(form):  # type: ignore[misc,valid-type]
            def clean_user(self) -> Any:
                user = self.cleaned_data.get("user")
                if user is not None and user.pk != signed_in.pk:
                    raise forms.ValidationError(
                        _(
                            "You can enrol only your own authenticator; ask for another person's with a staff change request."
                        )
                    )
                return user

        return OwnDeviceForm

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)  # type: ignore[misc]
        initial.setdefault("user", request.user.pk)
        return initial  # type: ignore[no-any-return]


@admin.register(StaffTOTPDevice)
class StaffTOTPDeviceAdmin(_OwnDeviceAdminMixin, AuditedAdminMixin, TOTPDeviceAdmin):
    """Staff authenticators (key encrypted at rest): your own only; the key is visible only on the add
    page, while you enrol; adding or removing one is audited (the secret key never is)."""


@admin.register(StaticDevice)
class AuditedStaticDeviceAdmin(_OwnDeviceAdminMixin, AuditedAdminMixin, StaticDeviceAdmin):
    """Recovery codes: your own only, audited, codes themselves never copied into the log."""


@admin.register(WebAuthnCredential)
class StaffPasskeyAdmin(_OwnDeviceAdminMixin, AuditedAdminMixin, WebAuthnCredentialAdmin):
    """Staff passkeys (public keys only): enrolled on "Your passkeys" (``admin:passkeys``), removed there
    by their owner or through a ``REMOVE_PASSKEY`` staff change request; deleting your own is audited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class StaffUserAdmin(AuditedAdminMixin, UserAdmin):
    """Staff accounts: roles are groups; the branch lives on the profile inline.

    Names and e-mail are edited here (audited). New accounts, roles, branch, (de)activation, another
    person's password and authenticators go through a ``StaffChangeRequest`` that a second
    administrator approves; superuser status is granted with ``createsuperuser`` only. Only a superuser
    changes a superuser. Your own password: "Change password" at the top (needs the current one).
    """

    inlines = [StaffProfileInline]
    list_display = ("username", "first_name", "last_name", "is_active", "is_staff", "staff_branch", "roles")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups", "staff_profile__branch")
    list_select_related = ("staff_profile__branch",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("branch"))
    def staff_branch(self, obj: User) -> str:
        profile = getattr(obj, "staff_profile", None)
        return str(profile.branch) if profile is not None and profile.branch is not None else "-"

    @admin.display(description=_("roles"))
    def roles(self, obj: User) -> str:
        return ", ".join(group.name for group in obj.groups.all())

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        # Roles and privileges change only through an approved StaffChangeRequest.
        readonly += ["is_superuser", "is_staff", "is_active", "groups", "user_permissions", "change_requests"]
        if not request.user.is_superuser:
            readonly += ["last_login", "date_joined"]
        return readonly

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))
        may_request = request.user.has_perm("auth.change_user") and obj is not None and obj.pk != request.user.pk
        if may_request and (request.user.is_superuser or not obj.is_superuser):
            fieldsets.append((_("Changes that need a second administrator"), {"fields": ("change_requests",)}))
        return fieldsets

    @admin.display(description=_("Ask for"))
    def change_requests(self, obj: User) -> str:
        add = reverse("admin:accounts_staffchangerequest_add")
        kinds = [choice for choice in StaffChangeRequest.Kind.choices if choice[0] != "CREATE_STAFF"]
        return format_html_join(
            " · ", '<a href="{}?kind={}&amp;target={}">{}</a>', ((add, kind, obj.pk, label) for kind, label in kinds)
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new staff: a StaffChangeRequest (CREATE_STAFF) approved by a second administrator

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser  # deactivate staff instead: the audit log keeps their name

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """No one sets another person's password directly (a request does); your own needs the current one."""
        if str(request.user.pk) == str(id):
            return HttpResponseRedirect(reverse("admin:password_change"))
        raise PermissionDenied

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


class StaffChangeRequestForm(forms.ModelForm):
    """One form for every kind; the service checks which fields a kind needs."""

    role_groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.order_by("name"),
        required=False,
        label=_("Roles (the complete new set)"),
        widget=forms.CheckboxSelectMultiple,
    )
    new_password1 = forms.CharField(
        label=_("New password"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )
    new_password2 = forms.CharField(
        label=_("New password again"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )
    username = forms.CharField(label=_("Username (new staff)"), required=False, max_length=150)
    first_name = forms.CharField(
        label=_("First name (new staff)"), required=False, max_length=150, validators=[reject_card_numbers]
    )
    last_name = forms.CharField(
        label=_("Last name (new staff)"), required=False, max_length=150, validators=[reject_card_numbers]
    )
    email = forms.EmailField(label=_("E-mail (new staff)"), required=False)
    branch = forms.ModelChoiceField(
        queryset=Branch.objects.all(), required=False, label=_("Branch (new staff, or move to)")
    )
    active = forms.TypedChoiceField(
        choices=(("", "---------"), ("1", _("Activate")), ("0", _("Deactivate"))),
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
        label=_("Active status"),
    )
    employee_no = forms.CharField(label=_("Employee number (new staff)"), required=False, max_length=30)
    device_name = forms.CharField(
        label=_("Authenticator name (enrol)"), required=False, max_length=64, validators=[reject_card_numbers]
    )
    device = forms.ModelChoiceField(
        queryset=StaffTOTPDevice.objects.none(), required=False, label=_("Authenticator (remove)")
    )
    passkey = forms.ModelChoiceField(
        queryset=WebAuthnCredential.objects.none(), required=False, label=_("Passkey (remove)")
    )

    def __init__(self, *args: Any, signed_in: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        target = self.data.get("target") or self.initial.get("target")
        self.fields["device"].queryset = self.device_choices(signed_in, target)  # type: ignore[attr-defined]
        self.fields["passkey"].queryset = self.passkey_choices(signed_in, target)  # type: ignore[attr-defined]

    @staticmethod
    def passkey_choices(signed_in: Any, target: Any) -> Any:
        """The chosen staff member's passkeys only (none until one is chosen), never a superuser's
        for someone who is not one."""
        try:
            target_id = int(str(getattr(target, "pk", target)))
        except (TypeError, ValueError):
            return WebAuthnCredential.objects.none()
        passkeys = WebAuthnCredential.objects.select_related("user").filter(user_id=target_id)
        if signed_in is None or not signed_in.is_superuser:
            passkeys = passkeys.filter(user__is_superuser=False)
        return passkeys

    @staticmethod
    def device_choices(signed_in: Any, target: Any) -> Any:
        """The chosen staff member's authenticators only (none until one is chosen), never a
        superuser's for someone who is not one."""
        try:
            target_id = int(str(getattr(target, "pk", target)))
        except (TypeError, ValueError):
            return StaffTOTPDevice.objects.none()
        devices = StaffTOTPDevice.objects.select_related("user").filter(user_id=target_id)
        if signed_in is None or not signed_in.is_superuser:
            devices = devices.filter(user__is_superuser=False)
        return devices

    class Meta:
        model = StaffChangeRequest
        fields = ("kind", "target", "reason")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") != data.get("new_password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data


StaffChangeRequestForm.base_fields["reason"].validators.append(reject_card_numbers)


@admin.register(StaffChangeRequest)
class StaffChangeRequestAdmin(admin.ModelAdmin):
    """Maker-checker for staff accounts: one administrator asks (add), a second approves (action).

    Requests are read-only once made; approving applies them (``staff_change_approve``).
    """

    form = StaffChangeRequestForm
    list_display = ("pk", "kind", "target", "roles", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("status", "kind")
    list_select_related = ("target", "requested_by", "decided_by")
    readonly_fields = (
        "kind",
        "target",
        "roles",
        "details",
        "reason",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "decision_reason",
    )
    raw_id_fields = ("target",)
    actions = ["approve_requests", "reject_requests"]

    def _may(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm("auth.change_user"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return self.readonly_fields
        return (
            "kind",
            "target",
            "reason",
            "role_groups",
            "new_password1",
            "new_password2",
            "username",
            "first_name",
            "last_name",
            "email",
            "branch",
            "employee_no",
            "active",
            "device_name",
            "device",
            "passkey",
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        signed_in = request.user

        class SignedInForm(form):  # type: ignore[misc,valid-type]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, signed_in=signed_in, **inner)

        return SignedInForm

    def get_queryset(self, request: HttpRequest) -> Any:
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.exclude(target__is_superuser=True)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {key: request.GET[key] for key in ("kind", "target") if key in request.GET}

    def save_model(self, request: HttpRequest, obj: StaffChangeRequest, form: Any, change: bool) -> None:
        data = form.cleaned_data
        details: dict[str, Any] = {
            "username": data.get("username"),
            "first_name": data.get("first_name"),
            "last_name": data.get("last_name"),
            "email": data.get("email"),
            "branch": data["branch"].pk if data.get("branch") else None,
            "employee_no": data.get("employee_no"),
            "name": data.get("device_name"),
            "device": data["device"].pk if data.get("device") else None,
            "passkey": data["passkey"].pk if data.get("passkey") else None,
            "active": data.get("active"),
        }
        try:
            created = staff_change_request_create(
                maker=request.user,
                kind=data["kind"],
                target=data.get("target"),
                reason=data.get("reason") or "",
                roles=[group.name for group in data.get("role_groups") or []],
                password=data.get("new_password1") or None,
                details=details,
                request=request,
            )
        except DomainError as error:
            raise forms.ValidationError(str(error.message)) from error
        obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing to save: the service wrote the request (``role_groups`` is not a relation)."""

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)
        except forms.ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("Approve and apply the selected requests"), permissions=["decide"])
    def approve_requests(self, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        enrolments = []
        done = 0
        for change in queryset.select_related("target"):
            try:
                outcome = staff_change_approve(checker=request.user, change_request=change, request=request)
            except DomainError as error:
                self.message_user(request, f"#{change.pk}: {error.message}", messages.ERROR)
                continue
            done += 1
            if outcome.provisioning_uri:
                assert outcome.change.target is not None
                enrolments.append({"username": outcome.change.target.get_username(), "uri": outcome.provisioning_uri})
        if done:
            message = ngettext("%(n)d request applied.", "%(n)d requests applied.", done) % {"n": done}
            self.message_user(request, message, messages.SUCCESS)
        if not enrolments:
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("New authenticator"),
            "enrolments": enrolments,
            "back_url": reverse("admin:accounts_staffchangerequest_changelist"),
        }
        response = TemplateResponse(request, "admin/accounts/staffchangerequest/provisioning.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Reject the selected requests"), permissions=["decide"])
    def reject_requests(self, request: HttpRequest, queryset: Any) -> None:
        for change in queryset:
            try:
                staff_change_reject(checker=request.user, change_request=change, request=request)
            except DomainError as error:
                self.message_user(request, f"#{change.pk}: {error.message}", messages.ERROR)


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
