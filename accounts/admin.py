"""Branch staff admin for customers: masked personal data, audited reveal, counter registration,
freeze/unfreeze/close with a reason, and branch scoping. Mutations only through ``services``.

Staff, branches and KYC tiers are in ``accounts.admin_org``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import admin_org  # noqa: F401 -- registers staff, branch and KYC tier admins
from accounts.integrations import dev_sms_recent
from accounts.models import Branch, Consent, Customer, Device, LinkedCard
from accounts.selectors import (
    branch_list_assignable_by_staff,
    customer_age_band,
    customer_exact_term_kind,
    customer_filter_exact,
    customer_qs_browsable,
    staff_branch_ids,
    staff_is_bank_wide,
    staff_may_read_dev_sms,
)
from accounts.services import customer_pii_reveal, customer_register_at_counter, customer_status_change
from accounts.services.desk import (
    REVEAL_REASON_MIN_LENGTH,
    customer_exact_search,
    customer_home_branch_change,
    reveal_attempt_take,
)
from accounts.services.staff import REVEALABLE_FIELDS, customer_mask
from core.admin_scope import ViewOnlyInline
from core.errors import DomainError
from core.validators import reject_card_numbers

OPEN_ONE_PARAM = "open"  # the home page's search: open the customer page when one customer is found

STATUS_ACTIONS = {
    "freeze": _("Freeze"),
    "unfreeze": _("Unfreeze"),
    # "Close" alone also means the admin's "back to the list" button: its own context here.
    "close": pgettext_lazy("account action", "Close account"),
}


_ReadOnlyInline = ViewOnlyInline


class LinkedCardInline(_ReadOnlyInline):
    model = LinkedCard
    fields = readonly_fields = ("bank_name", "last4", "card_type", "status", "created_at")


class DeviceInline(_ReadOnlyInline):
    model = Device
    fields = readonly_fields = ("name", "trusted", "first_seen_at", "last_seen_at")


class ConsentInline(_ReadOnlyInline):
    model = Consent
    fields = readonly_fields = ("purpose", "version", "granted_at", "withdrawn_at")


class CounterRegistrationForm(forms.Form):
    phone = forms.CharField(label=_("Mobile phone"), max_length=32)
    legal_name = forms.CharField(label=_("Legal name"), max_length=60)
    national_id = forms.CharField(label=_("National ID number"), max_length=18, min_length=18)
    date_of_birth = forms.DateField(label=_("Date of birth"), help_text=_("YYYY-MM-DD, as on the ID card"))
    customer_type = forms.ChoiceField(label=_("Type"), choices=Customer.Type.choices, initial=Customer.Type.INDIVIDUAL)
    business_name = forms.CharField(
        label=_("Business name"), max_length=200, required=False, validators=[reject_card_numbers]
    )
    business_registration_no = forms.CharField(label=_("Business registration number"), max_length=30, required=False)


REVEAL_CHOICES = [
    ("phone", _("Phone")),
    ("legal_name", _("Legal name")),
    ("national_id", _("National ID number")),
    ("business_registration_no", _("Business registration number")),
]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=2,
        max_length=1000,
        validators=[reject_card_numbers],
    )


class RevealForm(ReasonForm):
    field = forms.ChoiceField(label=_("Field"), choices=REVEAL_CHOICES)

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if len(reason) < REVEAL_REASON_MIN_LENGTH:
            raise forms.ValidationError(
                _("Give a reason of at least %(n)d characters.") % {"n": REVEAL_REASON_MIN_LENGTH}
            )
        return reason


class HomeBranchForm(ReasonForm):
    branch = forms.ModelChoiceField(label=_("Home branch"), queryset=Branch.objects.none())

    def __init__(self, *args: Any, staff: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branches = branch_list_assignable_by_staff(staff)
        field = self.fields["branch"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = branches
        own = getattr(getattr(staff, "staff_profile", None), "branch", None)
        if own is not None:
            field.initial = own.pk


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = (
        "short_id",
        "masked_name",
        "masked_phone",
        "customer_type",
        "kyc_tier",
        "status",
        "onboarding_channel",
        "home_branch_or_app",
        "created_at",
    )
    list_filter = ("status", "kyc_tier", "onboarding_channel", ("home_branch", admin.RelatedOnlyFieldListFilter))
    search_fields = ("public_id",)  # replaced by get_search_results (blind indexes)
    search_help_text = _("Search by full mobile phone number, national ID number or customer id.")
    list_select_related = ("kyc_tier", "home_branch")
    list_per_page = 50
    show_full_result_count = False
    ordering = ("-created_at",)
    actions = ["freeze_selected", "unfreeze_selected", "close_selected"]
    inlines = [LinkedCardInline, DeviceInline, ConsentInline]
    fieldsets = (
        (
            _("Identity (masked)"),
            {
                "fields": (
                    "public_id",
                    "masked_name",
                    "masked_phone",
                    "masked_national_id",
                    "age_band",
                    "customer_type",
                    "business_name",
                    "masked_business_registration_no",
                    "display_name",
                )
            },
        ),
        (_("Verification"), {"fields": ("kyc_tier", "kyc_verified_at", "phone_verified_at")}),
        (_("Onboarding"), {"fields": ("home_branch_or_app", "onboarding_channel", "registered_by", "referred_by")}),
        (_("Status"), {"fields": ("status", "status_reason", "status_changed_at", "pin_locked_until")}),
        (_("Timestamps"), {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "public_id",
        "masked_name",
        "masked_phone",
        "masked_national_id",
        "age_band",
        "customer_type",
        "business_name",
        "masked_business_registration_no",
        "display_name",
        "kyc_tier",
        "kyc_verified_at",
        "phone_verified_at",
        "home_branch_or_app",
        "onboarding_channel",
        "registered_by",
        "referred_by",
        "status",
        "status_reason",
        "status_changed_at",
        "pin_locked_until",
        "created_at",
        "updated_at",
    )

    # --- scoping and display -----------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[Customer]:
        """Browse scope: branch tree (bank-wide roles: all) plus customers found by this staff
        member's exact searches in the last 15 minutes. The search scope is wider (customer service:
        bank-wide; tellers: also unattributed app customers) but only answers exact searches."""
        return customer_qs_browsable(request)

    @admin.display(description=_("Home branch"))
    def home_branch_or_app(self, obj: Customer) -> str:
        return str(obj.home_branch) if obj.home_branch is not None else str(_("Not attributed (app)"))

    @admin.display(description=_("Customer id"))
    def short_id(self, obj: Customer) -> str:
        return str(obj.public_id)[:8]

    @admin.display(description=_("Name"))
    def masked_name(self, obj: Customer) -> str:
        return customer_mask(obj, "legal_name")

    @admin.display(description=_("Phone"))
    def masked_phone(self, obj: Customer) -> str:
        return customer_mask(obj, "phone")

    @admin.display(description=_("National ID number"))
    def masked_national_id(self, obj: Customer) -> str:
        return customer_mask(obj, "national_id")

    @admin.display(description=_("Business registration number"))
    def masked_business_registration_no(self, obj: Customer) -> str:
        return customer_mask(obj, "business_registration_no")

    @admin.display(description=_("Age band"))
    def age_band(self, obj: Customer) -> str:
        return customer_age_band(obj.date_of_birth)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Customer], search_term: str
    ) -> tuple[QuerySet[Customer], bool]:
        """Exact look-up through the blind indexes; personal data is never searched in clear.

        ``queryset`` is what the staff member browses (``customer_qs_browsable``): their branch tree
        plus whom their audited exact searches found (``changelist_view`` runs that search first,
        so the customer it found is in ``queryset``). Without a term the list is the branch tree
        only. A throttled search shows nobody."""
        if getattr(request, "_desk_search_refused", False):
            return queryset.none(), False
        if not search_term.strip():
            # The list itself shows the branch tree only; whom a search found opens from its result.
            if staff_is_bank_wide(request.user):
                return queryset, False
            return queryset.filter(home_branch_id__in=staff_branch_ids(request.user)), False
        return customer_filter_exact(queryset, *customer_exact_term_kind(search_term)), False

    # --- permissions ---------------------------------------------------------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # customers are closed, never deleted

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _exact_search(self, request: HttpRequest, term: str) -> list[Customer] | None:
        """The audited, rate-limited exact search (``customer_exact_search``); None when refused
        (the message says why)."""
        try:
            return customer_exact_search(staff=request.user, term=term, request=request)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None

    def search_view(self, request: HttpRequest) -> HttpResponse:
        """The home page's and the list's search box (POST, so full phone and ID numbers stay out
        of URLs and access logs): one customer found opens their page, otherwise the list."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:accounts_customer_changelist"))
        term = request.POST.get("q", "").strip()[:64]
        found = self._exact_search(request, term) if term else []
        if found is not None and len(found) == 1:
            return HttpResponseRedirect(reverse("admin:accounts_customer_change", args=[found[0].pk]))
        if found is not None and term and not found:
            self.message_user(request, _("No customer found for this number."), messages.WARNING)
        return HttpResponseRedirect(reverse("admin:accounts_customer_changelist"))

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """A search in the URL (``?q=``, older links and bookmarks) is the same audited,
        rate-limited exact search; ``&open=1`` opens the one customer found straight away."""
        term = request.GET.get("q", "").strip()
        if term and self.has_view_permission(request):
            found = self._exact_search(request, term)
            request._desk_search_refused = found is None  # type: ignore[attr-defined]
            if OPEN_ONE_PARAM in request.GET:
                if found is not None and len(found) == 1:
                    return HttpResponseRedirect(reverse("admin:accounts_customer_change", args=[found[0].pk]))
                return HttpResponseRedirect(request.path)
        elif OPEN_ONE_PARAM in request.GET:
            return HttpResponseRedirect(request.path)
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            "can_reveal": request.user.has_perm("accounts.reveal_customer_pii"),
            "can_change_status": self.has_change_permission(request),
            "can_attribute": request.user.has_perm("accounts.add_customer")
            or request.user.has_perm("accounts.change_customer"),
            "can_change_branch": request.user.has_perm("accounts.change_customer_branch"),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path("dev-sms/", self.admin_site.admin_view(self.dev_sms_view), name="{}_{}_dev_sms".format(*info)),
            path("search/", self.admin_site.admin_view(self.search_view), name="{}_{}_search".format(*info)),
            path(
                "<path:object_id>/branch/",
                self.admin_site.admin_view(self.home_branch_view),
                name="{}_{}_branch".format(*info),
            ),
            path(
                "<path:object_id>/reveal/",
                self.admin_site.admin_view(self.reveal_view),
                name="{}_{}_reveal".format(*info),
            ),
            path(
                "<path:object_id>/status/<str:action>/",
                self.admin_site.admin_view(self.status_view),
                name="{}_{}_status".format(*info),
            ),
            *super().get_urls(),
        ]

    def _get_scoped(self, request: HttpRequest, object_id: str) -> Customer:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            return get_object_or_404(self.get_queryset(request), pk=int(object_id))
        except ValueError:
            raise PermissionDenied from None

    def _context(self, request: HttpRequest, obj: Customer | None, title: Any, **extra: Any) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": title,
            "app_label": self.opts.app_label,
            **extra,
        }

    # --- counter registration (the add view) ---------------------------------------------------

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Register a customer at the counter: attributed to the staff member and their branch."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = CounterRegistrationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                customer = customer_register_at_counter(staff=request.user, request=request, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    _("Customer registered. Ask them to set a password in the app with “forgot password”."),
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:accounts_customer_change", args=[customer.pk]))
        context = self._context(
            request, None, _("Register a customer at the counter"), form=form, adminform=form, add=True
        )
        return TemplateResponse(request, "admin/accounts/customer/counter_register.html", context)

    # --- audited reveal -------------------------------------------------------------------------

    def reveal_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm("accounts.reveal_customer_pii"):
            raise PermissionDenied
        customer = self._get_scoped(request, object_id)
        form = RevealForm(request.POST or None)
        revealed: str | None = None
        if request.method == "POST" and form.is_valid():
            try:
                revealed = customer_pii_reveal(
                    staff=request.user,
                    customer=customer,
                    request=request,
                    field=form.cleaned_data["field"],
                    reason=reveal_attempt_take(staff=request.user, reason=form.cleaned_data["reason"]),
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
        context = self._context(
            request,
            customer,
            _("Reveal personal data"),
            form=form,
            revealed=revealed,
            revealed_field=dict(REVEAL_CHOICES).get(form.data.get("field", "")),
            masked={dict(REVEAL_CHOICES).get(f, f): customer_mask(customer, f) for f in REVEALABLE_FIELDS},
        )
        response = TemplateResponse(request, "admin/accounts/customer/reveal.html", context)
        response["Cache-Control"] = "no-store"
        return response

    # --- branch attribution --------------------------------------------------------------------

    def home_branch_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Attribute a customer to a branch (the service checks who may), with a reason."""
        customer = self._get_scoped(request, object_id)
        form = HomeBranchForm(request.POST or None, staff=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                customer_home_branch_change(
                    staff=request.user,
                    customer=customer,
                    branch=form.cleaned_data["branch"],
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("Home branch changed."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:accounts_customer_change", args=[customer.pk]))
        context = self._context(request, customer, _("Home branch"), form=form, action_label=_("Save"))
        return TemplateResponse(request, "admin/accounts/customer/home_branch.html", context)

    # --- development SMS codes ------------------------------------------------------------------

    def dev_sms_view(self, request: HttpRequest) -> HttpResponse:
        """The last SMS messages with their codes, for developers. Does not exist in production."""
        from django.conf import settings

        if getattr(settings, "IS_PRODUCTION", True):
            raise Http404
        if not staff_may_read_dev_sms(request.user):
            raise PermissionDenied
        context = self._context(request, None, _("SMS codes (development only)"), messages_sent=dev_sms_recent())
        return TemplateResponse(request, "admin/accounts/customer/dev_sms.html", context)

    # --- freeze / unfreeze / close --------------------------------------------------------------

    def status_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        if action not in STATUS_ACTIONS or not self.has_change_permission(request):
            raise PermissionDenied
        customer = self._get_scoped(request, object_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                customer_status_change(
                    staff=request.user,
                    customer=customer,
                    action=action,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request, _("Done: %(action)s.") % {"action": STATUS_ACTIONS[action]}, messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:accounts_customer_change", args=[customer.pk]))
        context = self._context(
            request,
            customer,
            STATUS_ACTIONS[action],
            form=form,
            action=action,
            action_label=STATUS_ACTIONS[action],
            queryset=[customer],
        )
        return TemplateResponse(request, "admin/accounts/customer/status_action.html", context)

    def _bulk_status(self, request: HttpRequest, queryset: QuerySet[Customer], action: str) -> HttpResponse | None:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done, failed = 0, 0
            for customer in queryset:
                try:
                    customer_status_change(
                        staff=request.user,
                        customer=customer,
                        action=action,
                        reason=form.cleaned_data["reason"],
                        request=request,
                    )
                    done += 1
                except DomainError:
                    failed += 1
            self.message_user(
                request,
                _("%(action)s: %(done)d done, %(failed)d skipped (status did not allow it).")
                % {"action": STATUS_ACTIONS[action], "done": done, "failed": failed},
                messages.SUCCESS if not failed else messages.WARNING,
            )
            return None
        context = self._context(
            request,
            None,
            STATUS_ACTIONS[action],
            form=form,
            action=action,
            action_label=STATUS_ACTIONS[action],
            queryset=queryset,
            bulk=True,
            action_name=f"{action}_selected",
            selected=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        )
        return TemplateResponse(request, "admin/accounts/customer/status_action.html", context)

    @admin.action(description=_("Freeze selected customers (reason required)"), permissions=["change"])
    def freeze_selected(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        return self._bulk_status(request, queryset, "freeze")

    @admin.action(description=_("Unfreeze selected customers (reason required)"), permissions=["change"])
    def unfreeze_selected(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        return self._bulk_status(request, queryset, "unfreeze")

    @admin.action(description=_("Close selected customers (reason required)"), permissions=["change"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet[Customer]) -> HttpResponse | None:
        return self._bulk_status(request, queryset, "close")
