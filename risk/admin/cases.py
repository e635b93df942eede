"""Cases and what hangs on them; evaluations with their explanation."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin_scope import ViewOnlyInline, ViewOnlyMixin
from core.money import Money
from core.validators import reject_card_numbers
from risk import selectors, services
from risk.admin.base import ReasonForm, each, form_action, scope
from risk.models import (
    Alert,
    Case,
    CaseNote,
    Evaluation,
    ReviewRequest,
    RiskFreeze,
    RiskHold,
    UnfreezeRequest,
)


def _money(minor: int, currency: str) -> str:
    return f"{Money(minor, currency).amount_str()} {currency}"


class CloseForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Resolution"), choices=Case.Resolution.choices)
    text = forms.CharField(
        label=_("Resolution note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=5,
        validators=[reject_card_numbers],
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}), min_length=2, validators=[reject_card_numbers]
    )


class AlertInline(ViewOnlyInline):
    model = Alert
    fields = ("rule", "status", "hits", "first_hit_at", "last_hit_at")
    readonly_fields = fields


class NoteInline(ViewOnlyInline):
    model = CaseNote
    fields = ("created_at", "author", "text")
    readonly_fields = fields


class HoldInline(ViewOnlyInline):
    model = RiskHold
    fields = ("transfer", "amount", "status", "requested_by", "decided_by", "decided_at")
    readonly_fields = fields

    @admin.display(description=_("amount"))
    def amount(self, obj: RiskHold) -> str:
        return _money(obj.amount_minor, obj.currency)


@admin.register(Case)
class CaseAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "status", "assigned_to", "sla_due_at", "overdue", "open_alerts", "opened_at")
    list_filter = ("status", "resolution")
    list_select_related = ("customer", "assigned_to")
    fields = (
        "customer",
        "status",
        "assigned_to",
        "opened_at",
        "sla_due_at",
        "why",
        "resolution",
        "resolution_note",
        "closed_by",
        "closed_at",
    )
    readonly_fields = fields
    inlines = [AlertInline, HoldInline, NoteInline]
    actions = ["assign_to_me", "add_note", "close", "freeze_customer"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request).annotate(_open_alerts=Count("alerts", distinct=True))
        return scope(request, qs)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("risk.work_case"):
            return {}
        return actions

    @admin.display(description=_("alerts"))
    def open_alerts(self, obj: Any) -> int:
        return int(getattr(obj, "_open_alerts", 0))

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj: Case) -> bool:
        return obj.status == Case.Status.OPEN and obj.sla_due_at < timezone.now()

    @admin.display(description=_("why"))
    def why(self, obj: Case) -> str:
        """The explanation of every decision behind the case's alerts, in the officer's language."""
        evaluations = Evaluation.objects.filter(pk__in=obj.alerts.values("hit_rows__evaluation")).order_by(
            "-evaluated_at"
        )[:10]
        lines = [
            (
                timezone.localtime(e.evaluated_at).strftime("%Y-%m-%d %H:%M"),
                e.get_outcome_display(),
                line["rule"],
                line["text"],
            )
            for e in evaluations
            for line in selectors.evaluation_explain(e)
            if not line["shadow"]
        ]
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} {} — {}: {}</li>", lines)) if lines else "-"

    @admin.action(description=_("Assign the selected cases to me"))
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Case]) -> None:
        me = cast(User, request.user)
        each(self, request, queryset, lambda c: services.case_assign(officer=me, case=c, assignee=me, request=request))

    @admin.action(description=_("Add a note to the selected cases"))
    def add_note(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            title=_("Add a note"),
            form_class=NoteForm,
            apply=lambda c, d: services.case_note_add(officer=request.user, case=c, text=d["text"], request=request),
        )

    @admin.action(description=_("Close the selected cases with a resolution"))
    def close(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            title=_("Close with a resolution"),
            form_class=CloseForm,
            apply=lambda c, d: services.case_close(
                officer=request.user, case=c, resolution=d["resolution"], note=d["text"], request=request
            ),
        )

    @admin.action(description=_("Freeze the customers of the selected cases (at once)"))
    def freeze_customer(self, request: HttpRequest, queryset: QuerySet[Case]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            title=_("Freeze the customer"),
            form_class=ReasonForm,
            apply=lambda c, d: services.risk_freeze(
                officer=request.user, customer=c.customer, reason=d["text"], case=c, request=request
            ),
        )


@admin.register(Alert)
class AlertAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "rule", "status", "hits", "first_hit_at", "last_hit_at", "case")
    list_filter = ("status", "rule")
    list_select_related = ("customer", "rule", "case")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(request, super().get_queryset(request))


@admin.register(RiskHold)
class RiskHoldAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "transfer", "amount", "status", "requested_by", "decided_by", "created_at")
    list_filter = ("status",)
    list_select_related = ("customer", "transfer", "requested_by", "decided_by")
    actions = ["release", "ask_reversal", "approve_reversal"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(request, super().get_queryset(request))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not request.user.has_perm("risk.work_case"):
            return {}
        if not request.user.has_perm("risk.approve_risk_action"):
            actions.pop("approve_reversal", None)
        return actions

    @admin.display(description=_("amount"))
    def amount(self, obj: RiskHold) -> str:
        return _money(obj.amount_minor, obj.currency)

    @admin.action(description=_("Release the selected payments (review found nothing)"))
    def release(self, request: HttpRequest, queryset: QuerySet[RiskHold]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            title=_("Release the money"),
            form_class=ReasonForm,
            apply=lambda h, d: services.risk_hold_release(
                hold_id=h.pk, officer=request.user, note=d["text"], request=request
            ),
        )

    @admin.action(description=_("Ask for the selected payments to be reversed"))
    def ask_reversal(self, request: HttpRequest, queryset: QuerySet[RiskHold]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            title=_("Ask for a reversal"),
            form_class=ReasonForm,
            apply=lambda h, d: services.risk_hold_reversal_request(
                hold_id=h.pk, officer=request.user, note=d["text"], request=request
            ),
        )

    @admin.action(description=_("Approve the reversal of the selected payments (second officer)"))
    def approve_reversal(self, request: HttpRequest, queryset: QuerySet[RiskHold]) -> None:
        each(
            self,
            request,
            queryset,
            lambda h: services.risk_hold_reversal_approve(hold_id=h.pk, officer=request.user, request=request),
        )


@admin.register(RiskFreeze)
class RiskFreezeAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "status", "frozen_by_label", "created_at", "lifted_at", "case")
    list_filter = ("status",)
    list_select_related = ("customer", "frozen_by", "case")
    actions = ["ask_unfreeze"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(request, super().get_queryset(request))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return super().get_actions(request) if request.user.has_perm("risk.work_case") else {}

    @admin.display(description=_("frozen by"))
    def frozen_by_label(self, obj: RiskFreeze) -> str:
        return str(obj.frozen_by) if obj.frozen_by_id else str(_("the fraud rules"))

    @admin.action(description=_("Ask to unfreeze (a second officer approves)"))
    def ask_unfreeze(self, request: HttpRequest, queryset: QuerySet[RiskFreeze]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            title=_("Ask to unfreeze"),
            form_class=ReasonForm,
            apply=lambda f, d: services.unfreeze_request_create(
                officer=request.user, freeze=f, reason=d["text"], request=request
            ),
        )


@admin.register(UnfreezeRequest)
class UnfreezeRequestAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "freeze", "customer", "status", "maker", "requested_at", "checker", "decided_at")
    list_filter = ("status",)
    list_select_related = ("freeze__customer", "maker", "checker")
    actions = ["approve", "reject"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(request, super().get_queryset(request), "freeze__customer")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return super().get_actions(request) if request.user.has_perm("risk.approve_risk_action") else {}

    @admin.display(description=_("customer"))
    def customer(self, obj: UnfreezeRequest) -> str:
        return str(obj.freeze.customer)

    @admin.action(description=_("Approve and unfreeze (second officer)"))
    def approve(self, request: HttpRequest, queryset: QuerySet[UnfreezeRequest]) -> None:
        each(
            self,
            request,
            queryset,
            lambda r: services.unfreeze_approve(officer=request.user, request_id=r.pk, request=request),
        )

    @admin.action(description=_("Reject the selected requests"))
    def reject(self, request: HttpRequest, queryset: QuerySet[UnfreezeRequest]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            title=_("Reject"),
            form_class=ReasonForm,
            apply=lambda r, d: services.unfreeze_reject(
                officer=request.user, request_id=r.pk, note=d["text"], request=request
            ),
        )


class AnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Answer to the customer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=5,
        validators=[reject_card_numbers],
    )


@admin.register(ReviewRequest)
class ReviewRequestAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "status", "created_at", "notice_kind", "case", "answered_by", "answered_at")
    list_filter = ("status",)
    list_select_related = ("customer", "notice", "case", "answered_by")
    fields = (
        "customer",
        "status",
        "created_at",
        "notice_kind",
        "message",
        "case",
        "answer",
        "answered_by",
        "answered_at",
    )
    readonly_fields = fields
    actions = ["answer"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(request, super().get_queryset(request))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return super().get_actions(request) if request.user.has_perm("risk.change_reviewrequest") else {}

    @admin.display(description=_("about"))
    def notice_kind(self, obj: ReviewRequest) -> str:
        return obj.notice.get_kind_display() if obj.notice_id and obj.notice else str(_("the account"))

    @admin.action(description=_("Answer the selected requests"))
    def answer(self, request: HttpRequest, queryset: QuerySet[ReviewRequest]) -> HttpResponse | None:
        return form_action(
            self,
            request,
            queryset,
            title=_("Answer the customer"),
            form_class=AnswerForm,
            apply=lambda r, d: services.review_answer(
                officer=request.user, review=r, answer=d["text"], request=request
            ),
        )


@admin.register(Evaluation)
class EvaluationAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("id", "customer", "topic", "outcome", "shadow_outcome", "event_at", "evaluated_at", "duration_us")
    list_filter = ("outcome", "shadow_outcome", "topic")
    list_select_related = ("customer",)
    fields = (
        "customer",
        "topic",
        "event_id",
        "transfer_public_id",
        "event_at",
        "evaluated_at",
        "outcome",
        "shadow_outcome",
        "scores",
        "explanation",
        "results_table",
        "duration_us",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return scope(request, super().get_queryset(request))

    @admin.display(description=_("explanation"))
    def explanation(self, obj: Evaluation) -> str:
        lines = [
            (line["rule"], f" ({_('shadow')})" if line["shadow"] else "", line["text"], line["score"])
            for line in selectors.evaluation_explain(obj)
        ]
        if not lines:
            return str(_("No rule fired."))
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}{}: {} (+{})</li>", lines))

    @admin.display(description=_("every rule run"))
    def results_table(self, obj: Evaluation) -> str:
        rows = [
            (
                r.rule_version.rule.code,
                r.rule_version.number,
                _("shadow") if r.shadow else "",
                r.fired,
                r.score,
                str(r.inputs),
                r.duration_us,
                r.error,
            )
            for r in obj.results.select_related("rule_version__rule").order_by("id")
        ]
        return format_html(
            "<table><tr><th>rule</th><th>v</th><th></th><th>fired</th><th>score</th><th>inputs</th><th>µs</th><th></th></tr>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                rows,
            ),
        )
