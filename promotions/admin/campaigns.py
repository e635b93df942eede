"""Campaigns in the admin (marketing; risk officers sign off; auditors read).

Nothing is saved by hand: the form's save calls ``campaign_create`` / ``campaign_update``, and every
lifecycle step is an admin action calling its service (which checks the permission, the separation
of duties and the status under the row lock, and writes the audit record). A campaign that has
started is read-only. Campaigns are bank-wide (only bank-wide roles hold any promotions
permission); the segment preview counts customers without naming any.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_scope import ScopedForeignKeysMixin, ViewOnlyInline, ViewOnlyMixin
from core.errors import DomainError
from payments.display import money_display
from promotions.admin.forms import CampaignForm, ReasonForm, ScheduleForm, SegmentPreviewForm
from promotions.models import Campaign, CampaignApproval, CampaignVersion
from promotions.rules import RulesInvalid, segment_parse
from promotions.selectors import campaign_budget_state
from promotions.selectors_points import points_exchange_sold
from promotions.selectors_segments import segment_size
from promotions.services import approvals, campaigns, lifecycle

_EDITABLE = (Campaign.Status.DRAFT, Campaign.Status.SUBMITTED, Campaign.Status.APPROVED, Campaign.Status.SCHEDULED)

# action name -> (label, service caller, form class or None, permission codename)
Transition = tuple[Any, Callable[..., Any], type | None, str]


def _by_reason(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*, campaign: Campaign, request: HttpRequest, data: dict[str, Any]) -> Any:
        return fn(campaign_id=campaign.pk, by=request.user, reason=data["reason"], request=request)

    return call


TRANSITIONS: dict[str, Transition] = {
    "submit": (
        _("Submit for approval"),
        lambda *, campaign, request, data: campaigns.campaign_submit(
            campaign_id=campaign.pk, by=request.user, request=request
        ),
        None,
        "promotions.change_campaign",
    ),
    "approve": (
        _("Approve (marketing)"),
        lambda *, campaign, request, data: approvals.campaign_approve(
            campaign_id=campaign.pk, by=request.user, request=request
        ),
        None,
        "promotions.approve_campaign",
    ),
    "risk_signoff": (
        _("Sign off the exposure (risk officer)"),
        lambda *, campaign, request, data: approvals.campaign_risk_signoff(
            campaign_id=campaign.pk, by=request.user, request=request
        ),
        None,
        "promotions.signoff_campaign_risk",
    ),
    "reject": (
        _("Reject (reason required)"),
        _by_reason(approvals.campaign_reject),
        ReasonForm,
        "promotions.approve_campaign",
    ),
    "schedule": (
        _("Schedule"),
        lambda *, campaign, request, data: lifecycle.campaign_schedule(
            campaign_id=campaign.pk,
            by=request.user,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            request=request,
        ),
        ScheduleForm,
        "promotions.operate_campaign",
    ),
    "pause": (
        _("Pause now (reason required)"),
        _by_reason(lifecycle.campaign_pause),
        ReasonForm,
        "promotions.operate_campaign",
    ),
    "resume": (
        _("Resume"),
        lambda *, campaign, request, data: lifecycle.campaign_resume(
            campaign_id=campaign.pk, by=request.user, request=request
        ),
        None,
        "promotions.operate_campaign",
    ),
    "end": (
        _("End now (reason required)"),
        _by_reason(lifecycle.campaign_end),
        ReasonForm,
        "promotions.operate_campaign",
    ),
}
# A risk officer may also reject a version they review, and pause or end a running campaign.
_ALSO_RISK = {"reject", "pause", "end"}


def _allowed(request: HttpRequest, name: str) -> bool:
    user = request.user
    perm = TRANSITIONS[name][3]
    return bool(user.has_perm(perm) or (name in _ALSO_RISK and user.has_perm("promotions.signoff_campaign_risk")))


class _Refused(Exception):
    """A service refused what a valid form asked (shown as a message, nothing saved)."""


class VersionInline(ViewOnlyInline):
    model = CampaignVersion
    fields = ("number", "submitted_by", "submitted_at", "max_exposure", "requires_risk_signoff", "content_hash")
    readonly_fields = fields
    show_change_link = True
    ordering = ("-number",)

    @admin.display(description=_("maximum exposure"))
    def max_exposure(self, obj: CampaignVersion) -> str:
        return money_display(obj.max_exposure_minor, obj.currency)


@admin.register(Campaign)
class CampaignAdmin(ScopedForeignKeysMixin, admin.ModelAdmin):
    form = CampaignForm
    list_display = ("name_zh", "name_en", "kind", "status", "budget_shown", "starts_at", "ends_at", "version_number")
    list_filter = ("status", "kind")
    search_fields = ("name_zh", "name_en", "=public_id")
    list_select_related = ("version",)
    inlines = [VersionInline]
    actions = [f"{name}_selected" for name in TRANSITIONS]
    change_form_template = "admin/promotions/campaign/change_form.html"
    detail_fields = (
        "public_id",
        "status",
        "status_reason",
        "version",
        "budget_state",
        "starts_at",
        "ends_at",
        "funded_at",
        "paused_at",
        "ended_at",
        "granted_count",
        "points_exchange_state",
        "budget_exhausted_at",
        "created_by",
        "created_at",
    )

    # --- permissions -------------------------------------------------------------------------------
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status not in _EDITABLE:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        for name in TRANSITIONS:
            if not _allowed(request, name):
                actions.pop(f"{name}_selected", None)
        return actions

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        sets: list[Any] = [(None, {"fields": ["name_zh", "name_en", "description_zh", "description_en", "kind"]})]
        sets.append(
            (
                _("Rules"),
                {"fields": ["conditions", "benefit", "window", "segment", "stacking_group", "priority", "exclusive"]},
            )
        )
        sets.append(
            (
                _("Limits and money"),
                {
                    "fields": [
                        "per_person_limit",
                        "global_limit",
                        "valid_from",
                        "valid_until",
                        "budget",
                        "merchant",
                        "merchant_share_bps",
                        "holdout_bps",
                    ]
                },
            )
        )
        if obj is not None:
            sets.append((_("State"), {"fields": list(self.detail_fields)}))
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.detail_fields if obj is not None else ()

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else []

    @admin.display(description=_("budget"))
    def budget_shown(self, obj: Campaign) -> str:
        return money_display(obj.budget_minor, obj.currency)

    @admin.display(description=_("Budget"))
    def budget(self, obj: Campaign) -> str:
        """The budget on the read-only page of a started campaign (the form's field otherwise)."""
        return money_display(obj.budget_minor, obj.currency)

    @admin.display(description=_("version"))
    def version_number(self, obj: Campaign) -> str:
        return f"v{obj.version.number}" if obj.version else "-"

    @admin.display(description=_("coupons for points"))
    def points_exchange_state(self, obj: Campaign) -> str:
        """The approved version's points offer and what it sold (a COUPON campaign's benefit)."""
        sold = points_exchange_sold(obj)
        if sold is None:
            return "-"
        exchange, count = sold
        return format_html(
            "{} {} · {} {} / {}", _("price in points"), exchange.points, _("sold"), count, exchange.stock
        )

    @admin.display(description=_("budget account"))
    def budget_state(self, obj: Campaign) -> str:
        state = campaign_budget_state(obj)
        if state is None:
            return str(_("not opened yet"))
        return format_html(
            "{} {} · {} {} · {} {}",
            _("posted"),
            money_display(state.posted.minor, state.posted.currency),
            _("held"),
            money_display(state.pending.minor, state.pending.currency),
            _("available"),
            money_display(state.available.minor, state.available.currency),
        )

    # --- saving through the services ---------------------------------------------------------------
    def save_model(self, request: HttpRequest, obj: Campaign, form: Any, change: bool) -> None:
        data = form.service_data()
        try:
            if change:
                saved = campaigns.campaign_update(campaign_id=obj.pk, by=request.user, data=data, request=request)  # type: ignore[arg-type]
            else:
                saved = campaigns.campaign_create(by=request.user, data=data, request=request)  # type: ignore[arg-type]
        except DomainError as error:  # the state changed since the form was shown (checked under the lock)
            raise _Refused(error.message) from error
        for field in Campaign._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def changeform_view(
        self, request: HttpRequest, object_id: Any = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """Not wrapped in the admin's transaction: the services own durable ones."""
        try:
            return self._changeform_view(request, object_id, form_url, extra_context)  # type: ignore[attr-defined,no-any-return]
        except _Refused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Versions are written by ``campaign_submit`` only: the inline is view-only."""

    def construct_change_message(self, *args: Any, **kwargs: Any) -> Any:
        return []

    def log_addition(self, *args: Any, **kwargs: Any) -> Any:  # the services write the audit log
        return None

    def log_change(self, *args: Any, **kwargs: Any) -> Any:
        return None

    # --- transitions as actions -------------------------------------------------------------------
    def _transition(self, request: HttpRequest, queryset: QuerySet[Campaign], name: str) -> HttpResponse | None:
        if not _allowed(request, name):
            raise PermissionDenied
        label, call, form_class, _perm = TRANSITIONS[name]
        form = form_class(request.POST if "apply" in request.POST else None) if form_class else None
        if form is not None and not ("apply" in request.POST and form.is_valid()):
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": label,
                "action_label": label,
                "form": form,
                "queryset": queryset,
                "action_name": f"{name}_selected",
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            }
            return TemplateResponse(request, "admin/promotions/campaign/transition.html", context)
        data = form.cleaned_data if form is not None else {}
        for campaign in queryset:
            try:
                call(campaign=campaign, request=request, data=data)
            except DomainError as error:
                self.message_user(request, f"{campaign}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{campaign}: {label}", messages.SUCCESS)
        return None

    # --- the segment preview ------------------------------------------------------------------------
    def get_urls(self) -> list[Any]:
        return [
            path(
                "segment-preview/",
                self.admin_site.admin_view(self.segment_preview_view),
                name="promotions_campaign_segment_preview",
            ),
            path(
                "<path:object_id>/segment-preview/",
                self.admin_site.admin_view(self.segment_preview_view),
                name="promotions_campaign_segment_preview_of",
            ),
            *super().get_urls(),
        ]

    def segment_preview_view(self, request: HttpRequest, object_id: str | None = None) -> HttpResponse:
        """How many customers a segment reaches (consenting, active) and how many its holdout keeps
        out: counts only, one query. For a campaign, its own draft segment."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaign = get_object_or_404(self.get_queryset(request), pk=object_id) if object_id else None
        initial = {"segment": campaign.segment, "holdout_bps": campaign.holdout_bps} if campaign else None
        form = SegmentPreviewForm(request.POST or None, initial=initial)
        result, errors = None, []
        if campaign is not None and request.method != "POST":
            form = SegmentPreviewForm({"segment": _json(campaign.segment), "holdout_bps": campaign.holdout_bps})
        if form.is_bound and form.is_valid():
            try:
                segment = segment_parse(form.cleaned_data["segment"] or {})
            except RulesInvalid as error:
                errors = [f"{e['field']}: {e['error']}" for e in error.details["errors"]]
            else:
                salt = campaign.version.holdout_salt if campaign and campaign.version else "preview"
                result = segment_size(segment, holdout_salt=salt, holdout_bps=form.cleaned_data["holdout_bps"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": campaign,
            "title": _("Segment size preview"),
            "form": form,
            "result": result,
            "errors": errors,
            "schema": SegmentPreviewForm.schema,
        }
        return TemplateResponse(request, "admin/promotions/campaign/segment_preview.html", context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = dict(extra_context or {})
        extra["segment_preview_url"] = reverse("admin:promotions_campaign_segment_preview_of", args=[object_id])
        return super().change_view(request, object_id, form_url, extra)

    def response_add(self, request: HttpRequest, obj: Campaign, post_url_continue: str | None = None) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:promotions_campaign_change", args=[obj.pk]))


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _make_action(name: str) -> Callable[..., Any]:
    def action(self: CampaignAdmin, request: HttpRequest, queryset: QuerySet[Campaign]) -> HttpResponse | None:
        return self._transition(request, queryset, name)

    action.__name__ = f"{name}_selected"
    return admin.action(description=TRANSITIONS[name][0])(action)


for _name in TRANSITIONS:
    setattr(CampaignAdmin, f"{_name}_selected", _make_action(_name))


class ApprovalInline(ViewOnlyInline):
    model = CampaignApproval
    fields = ("role", "decision", "decided_by", "decided_at", "reason")
    readonly_fields = fields


@admin.register(CampaignVersion)
class CampaignVersionAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Versions are immutable: read them, never edit them (the database refuses it too)."""

    list_display = ("campaign", "number", "max_exposure", "requires_risk_signoff", "submitted_by", "submitted_at")
    list_select_related = ("campaign", "submitted_by")
    inlines = [ApprovalInline]
    fields = (
        "campaign",
        "number",
        "content_hash",
        "rules_shown",
        "max_single",
        "max_exposure",
        "max_exposure_cny",
        "requires_risk_signoff",
        "holdout_salt",
        "submitted_by",
        "submitted_at",
    )
    readonly_fields = fields

    @admin.display(description=_("rules"))
    def rules_shown(self, obj: CampaignVersion) -> str:
        return format_html("<pre>{}</pre>", _json_pretty(obj.rules))

    @admin.display(description=_("largest single reward"))
    def max_single(self, obj: CampaignVersion) -> str:
        return money_display(obj.max_single_minor, obj.currency)

    @admin.display(description=_("maximum exposure"))
    def max_exposure(self, obj: CampaignVersion) -> str:
        return money_display(obj.max_exposure_minor, obj.currency)

    @admin.display(description=_("maximum exposure in CNY"))
    def max_exposure_cny(self, obj: CampaignVersion) -> str:
        return money_display(obj.max_exposure_cny_minor, "CNY")


def _json_pretty(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


__all__ = ["TRANSITIONS", "CampaignAdmin", "CampaignVersionAdmin"]
