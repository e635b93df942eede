"""Rules, versions, scenario thresholds, the block list, customers' risk levels, the step-up policy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin_scope import ScopedForeignKeysMixin, ViewOnlyInline, ViewOnlyMixin
from core.errors import DomainError
from risk import services
from risk.admin.base import each, scope
from risk.models import (
    Backtest,
    BlockedCounterparty,
    CustomerRiskProfile,
    PrecheckPolicy,
    RiskRule,
    RiskScenario,
    RuleVersion,
)
from risk.services.backtests import backtest_start
from risk.services.settings import (
    counterparty_block,
    counterparty_unblock,
    customer_risk_level_set,
    precheck_policy_update,
)


class _ServiceSaveMixin:
    """The form's save calls a service; a refusal is shown on the form page, nothing is saved."""

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        try:
            return super().add_view(request, form_url, extra_context)  # type: ignore[misc,no-any-return]
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.path)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        try:
            return super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc,no-any-return]
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.path)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:  # never: rows are history
        raise DomainError(code="permission_denied")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class VersionInline(ViewOnlyInline):
    model = RuleVersion
    fields = ("number", "status", "expression", "score", "outcome", "created_by", "created_at")
    readonly_fields = fields


@admin.register(RiskRule)
class RiskRuleAdmin(_ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "scenario", "live_version")
    list_filter = ("scenario",)
    inlines = [VersionInline]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    @admin.display(description=_("live version"))
    def live_version(self, obj: RiskRule) -> str:
        live = obj.versions.filter(status=RuleVersion.Status.LIVE).first()
        return f"v{live.number}" if live else "-"


class RuleVersionForm(forms.ModelForm):
    class Meta:
        model = RuleVersion
        fields = ("rule", "expression", "score", "outcome", "explanation_en", "explanation_zh")
        help_texts = {
            "expression": _(
                'A yes/no condition over the features, e.g. kind == "PAYMENT_OUT" and out_count_1h >= 10. '
                "Checked when saved: unknown names or mixed types are refused."
            ),
            "explanation_en": _("Shown to officers; {feature} is replaced by the value the evaluation saw."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        from risk.engine import rule_compile

        try:
            rule_compile(data.get("expression") or "")
        except DomainError as error:
            self.add_error("expression", error.message)
        return data


@admin.register(RuleVersion)
class RuleVersionAdmin(_ServiceSaveMixin, admin.ModelAdmin):
    form = RuleVersionForm
    list_display = ("rule", "number", "status", "score", "outcome", "expression", "created_by", "created_at")
    list_filter = ("status", "rule__scenario")
    list_select_related = ("rule", "created_by")
    actions = ["make_live", "make_shadow", "retire", "backtest_30_days"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A version never changes once written: edit = a new version.
        return (
            ("rule", "number", "expression", "score", "outcome", "explanation_en", "explanation_zh", "status")
            if obj
            else ()
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: RuleVersion, form: Any, change: bool) -> None:
        data = form.cleaned_data
        created = services.rule_version_create(
            officer=request.user,
            rule=data["rule"],
            expression=data["expression"],
            score=data["score"],
            outcome=data["outcome"],
            explanation_en=data["explanation_en"],
            explanation_zh=data["explanation_zh"],
            request=request,
        )
        for field in RuleVersion._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    def _status(self, request: HttpRequest, queryset: QuerySet[RuleVersion], status: str) -> None:
        each(
            self,
            request,
            queryset,
            lambda v: services.rule_version_status_set(officer=request.user, version=v, status=status, request=request),
        )

    @admin.action(description=_("Switch on (live, enforced)"))
    def make_live(self, request: HttpRequest, queryset: QuerySet[RuleVersion]) -> None:
        self._status(request, queryset, RuleVersion.Status.LIVE)

    @admin.action(description=_("Run in shadow mode (logged, not enforced)"))
    def make_shadow(self, request: HttpRequest, queryset: QuerySet[RuleVersion]) -> None:
        self._status(request, queryset, RuleVersion.Status.SHADOW)

    @admin.action(description=_("Backtest over the last 30 days (a background job)"))
    def backtest_30_days(self, request: HttpRequest, queryset: QuerySet[RuleVersion]) -> None:
        until = timezone.now()
        each(
            self,
            request,
            queryset,
            lambda v: backtest_start(
                officer=request.user, version=v, since=until - timedelta(days=30), until=until, request=request
            ),
        )

    @admin.action(description=_("Retire"))
    def retire(self, request: HttpRequest, queryset: QuerySet[RuleVersion]) -> None:
        self._status(request, queryset, RuleVersion.Status.RETIRED)


@admin.register(RiskScenario)
class RiskScenarioAdmin(_ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "review_threshold", "block_threshold", "active")
    fields = ("code", "name_en", "name_zh", "topics", "review_threshold", "block_threshold", "active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("code", "name_en", "name_zh", "topics", "active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: RiskScenario, form: Any, change: bool) -> None:
        services.scenario_thresholds_set(
            officer=request.user,
            scenario=obj,
            review=form.cleaned_data["review_threshold"],
            block=form.cleaned_data["block_threshold"],
            request=request,
        )


@admin.register(BlockedCounterparty)
class BlockedCounterpartyAdmin(_ServiceSaveMixin, admin.ModelAdmin):
    list_display = ("key", "reason", "active", "created_by", "created_at")
    list_filter = ("active", "kind")
    search_fields = ("=value",)
    fields = ("kind", "value", "reason")
    actions = ["unblock"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("kind", "value", "reason") if obj else ()

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: BlockedCounterparty, form: Any, change: bool) -> None:
        data = form.cleaned_data
        created = counterparty_block(
            officer=request.user, kind=data["kind"], value=data["value"], reason=data["reason"], request=request
        )
        obj.pk, obj.key = created.pk, created.key
        obj._state.adding = False

    @admin.action(description=_("Unblock"))
    def unblock(self, request: HttpRequest, queryset: QuerySet[BlockedCounterparty]) -> None:
        each(self, request, queryset, lambda row: counterparty_unblock(officer=request.user, row=row, request=request))


class ProfileForm(forms.ModelForm):
    reason_text = forms.CharField(label=_("Reason"), min_length=5, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = CustomerRiskProfile
        fields = ("customer", "level", "step_up_next")


@admin.register(CustomerRiskProfile)
class CustomerRiskProfileAdmin(_ServiceSaveMixin, ScopedForeignKeysMixin, admin.ModelAdmin):
    form = ProfileForm
    list_display = ("customer", "level", "step_up_next", "reason_code", "updated_at")
    list_filter = ("level", "step_up_next")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(request, super().get_queryset(request))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("customer",) if obj else ()

    def save_model(self, request: HttpRequest, obj: CustomerRiskProfile, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = customer_risk_level_set(
            officer=request.user,
            customer=obj.customer,
            level=data["level"],
            step_up_next=data["step_up_next"],
            reason=data["reason_text"],
            request=request,
        )
        obj.pk = saved.pk
        obj._state.adding = False


@admin.register(PrecheckPolicy)
class PrecheckPolicyAdmin(_ServiceSaveMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "step_up_amount_minor",
        "new_payee_amount_minor",
        "new_device_hours",
        "updated_by",
        "updated_at",
    )
    fields = (
        "step_up_amount_minor",
        "elevated_step_up_amount_minor",
        "new_payee_amount_minor",
        "new_device_hours",
        "new_device_amount_minor",
        "updated_by",
        "updated_at",
    )
    readonly_fields = ("updated_by", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: PrecheckPolicy, form: Any, change: bool) -> None:
        precheck_policy_update(
            officer=request.user,
            values={name: form.cleaned_data[name] for name in self.fields if name in form.cleaned_data},
            request=request,
        )


@admin.register(Backtest)
class BacktestAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Started from a rule version's "Backtest" action; the page shows progress and the result."""

    list_display = ("id", "rule_version", "status", "progress", "candidate_alerts", "live_alerts", "created_at")
    list_filter = ("status",)
    list_select_related = ("rule_version__rule",)
    fields = (
        "rule_version",
        "since",
        "until",
        "status",
        "progress",
        "result",
        "started_by",
        "created_at",
        "finished_at",
    )
    readonly_fields = fields

    @admin.display(description=_("progress"))
    def progress(self, obj: Backtest) -> str:
        return f"{obj.done}/{obj.total}" + (f" ({100 * obj.done // obj.total}%)" if obj.total else "")

    @admin.display(description=_("alerts it would raise"))
    def candidate_alerts(self, obj: Backtest) -> Any:
        return (obj.result or {}).get("candidate", {}).get("alerts", "-")

    @admin.display(description=_("alerts of the live version"))
    def live_alerts(self, obj: Backtest) -> Any:
        return (obj.result or {}).get("live", {}).get("alerts", "-")
