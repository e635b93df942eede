"""Branch-staff admin of feedback, tickets and survey results (messages and articles:
``admin_messages``).

Every queryset is branch-scoped (``feedback.selectors_*``: the staff member's branch tree, all for
bank-wide roles, plus the no-branch queue for customer service). Records are read-only; replies,
status changes and CSV exports go through services that re-check the scope and write the audit log.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_scope import ViewOnlyInline, ViewOnlyMixin
from core.audit import audit_record
from core.errors import DomainError
from core.validators import reject_card_numbers
from feedback.downloads import attachment_response
from feedback.models import Feedback, FeedbackAttachment, SurveyKeywordList, SurveyResponse, Ticket, TicketMessage
from feedback.selectors_surveys import SEGMENT_DIMENSIONS, nps_by_period, survey_response_qs_for_staff
from feedback.selectors_tickets import attachment_qs_for_staff, feedback_qs_for_staff, ticket_qs_for_staff
from feedback.services.surveys import survey_responses_csv
from feedback.services.tickets import ticket_priority_change, ticket_staff_reply, ticket_status_change

S = Ticket.Status


def _short(public_id: Any) -> str:
    return str(public_id)[:8]


class AttachmentInline(ViewOnlyInline):
    model = FeedbackAttachment
    fields = ("download", "content_type", "size_bytes", "sha256", "created_at")
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm("feedback.view_feedback"))  # part of the feedback it belongs to

    @admin.display(description=_("screenshot"))
    def download(self, obj: FeedbackAttachment) -> str:
        url = reverse("admin:feedback_feedback_attachment", args=[obj.feedback_id, obj.public_id])
        return format_html('<a href="{}">{}</a>', url, _("Download (audited)"))


@admin.register(Feedback)
class FeedbackAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = ("short_id", "category", "rating", "customer", "home_branch", "created_at", "ticket_link")
    list_filter = ("category", "rating")
    list_select_related = ("customer", "customer__home_branch", "ticket")
    fields = ("short_id", "customer", "category", "rating", "text", "transfer_ref", "ticket_link", "created_at")
    readonly_fields = fields
    inlines = [AttachmentInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feedback]:
        return feedback_qs_for_staff(request.user).select_related("customer__home_branch")

    @admin.display(description=_("id"))
    def short_id(self, obj: Feedback) -> str:
        return _short(obj.public_id)

    @admin.display(description=_("home branch"))
    def home_branch(self, obj: Feedback) -> str:
        return str(obj.customer.home_branch or "-")

    @admin.display(description=_("transaction"))
    def transfer_ref(self, obj: Feedback) -> str:
        return str(obj.transfer.public_id) if obj.transfer_id and obj.transfer else "-"

    @admin.display(description=_("ticket"))
    def ticket_link(self, obj: Feedback) -> str:
        ticket = getattr(obj, "ticket", None)
        if ticket is None:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("admin:feedback_ticket_change", args=[ticket.pk]), ticket)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:feedback_id>/attachments/<uuid:public_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="feedback_feedback_attachment",
            ),
            *super().get_urls(),
        ]

    def attachment_view(self, request: HttpRequest, feedback_id: int, public_id: Any) -> HttpResponseBase:
        """A screenshot for staff in scope; every view is audited (it may show personal data)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        attachment = attachment_qs_for_staff(request.user).filter(feedback_id=feedback_id, public_id=public_id).first()
        if attachment is None:
            raise Http404
        audit_record(action="feedback.attachment.view", actor=request.user, obj=attachment, request=request)
        return attachment_response(attachment)


class TicketMessageInline(ViewOnlyInline):
    model = TicketMessage
    fields = ("created_at", "author", "staff", "text")
    readonly_fields = fields

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.has_perm("feedback.view_ticket"))  # the conversation is part of the ticket


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply to the customer"),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=2,
        max_length=2000,
        validators=[reject_card_numbers],
    )
    status = forms.ChoiceField(
        label=_("Then set the status to"),
        choices=[(s.value, s.label) for s in (S.WAITING_FOR_CUSTOMER, S.IN_PROGRESS, S.RESOLVED)],
        initial=S.WAITING_FOR_CUSTOMER,
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note (kept in the audit log)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=500,
        validators=[reject_card_numbers],
    )


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Ticket.Priority.choices)


class OverdueFilter(admin.SimpleListFilter):
    title = _("SLA")
    parameter_name = "sla"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Past due")), ("escalated", _("Escalated"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        if self.value() == "overdue":
            return queryset.filter(status__in=(S.OPEN, S.IN_PROGRESS), due_at__lt=timezone.now())
        if self.value() == "escalated":
            return queryset.filter(escalated_at__isnull=False)
        return queryset


@admin.register(Ticket)
class TicketAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "short_id",
        "customer",
        "branch",
        "priority",
        "status",
        "due_at",
        "escalated_at",
        "escalated_to",
        "handling_rating",
        "created_at",
    )
    list_filter = ("status", "priority", OverdueFilter)
    list_select_related = ("customer", "branch", "escalated_to")
    fields = (
        "short_id",
        "customer",
        "branch",
        "priority",
        "status",
        "due_at",
        "escalated_at",
        "escalated_to",
        "resolved_at",
        "closed_at",
        "handling_rating",
        "handling_comment",
        "feedback_text",
        "reply_link",
    )
    readonly_fields = fields
    inlines = [TicketMessageInline]
    ordering = ("due_at",)
    actions = ["start_work", "resolve", "close", "set_priority"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Ticket]:
        return ticket_qs_for_staff(request.user)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return super().get_actions(request) if request.user.has_perm("feedback.change_ticket") else {}

    @admin.display(description=_("id"))
    def short_id(self, obj: Ticket) -> str:
        return _short(obj.public_id)

    @admin.display(description=_("complaint"))
    def feedback_text(self, obj: Ticket) -> str:
        feedback = obj.feedback
        return f"[{feedback.rating}/5] {feedback.text}"

    @admin.display(description=_("reply"))
    def reply_link(self, obj: Ticket) -> str:
        if obj.status == S.CLOSED:
            return "-"
        url = reverse("admin:feedback_ticket_reply", args=[obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Reply to the customer"))

    def get_urls(self) -> list[Any]:
        return [
            path("<int:object_id>/reply/", self.admin_site.admin_view(self.reply_view), name="feedback_ticket_reply"),
            *super().get_urls(),
        ]

    def reply_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Answer the customer (shown in their app), audited; the service re-checks scope and status."""
        ticket = self.get_queryset(request).filter(pk=object_id).first()
        if ticket is None:
            raise Http404
        if not request.user.has_perm("feedback.change_ticket"):
            raise PermissionDenied
        form = ReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                ticket_staff_reply(
                    staff=request.user,
                    ticket=ticket,
                    text=form.cleaned_data["text"],
                    status=form.cleaned_data["status"],
                    request=request,
                )
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("Reply sent."), messages.SUCCESS)
                return redirect("admin:feedback_ticket_change", ticket.pk)
        conversation = format_html_join(
            "",
            "<p><strong>{}</strong> {}<br>{}</p>",
            (
                (m.get_author_display(), date_format(localtime(m.created_at), "Y-m-d H:i"), m.text)
                for m in ticket.messages.all()
            ),
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reply to the customer"),
            "opts": self.model._meta,
            "original": ticket,
            "conversation": conversation,
            "form": form,
        }
        return TemplateResponse(request, "admin/feedback/ticket/reply.html", context)

    def _status_action(self, request: HttpRequest, queryset: QuerySet[Ticket], status: str, title: Any) -> Any:
        def apply(ticket: Ticket, data: dict[str, Any]) -> None:
            ticket_status_change(staff=request.user, ticket=ticket, status=status, note=data["text"], request=request)

        return self._form_action(request, queryset, NoteForm, apply, title)

    def _form_action(
        self, request: HttpRequest, queryset: QuerySet[Ticket], form_class: type[forms.Form], apply: Any, title: Any
    ) -> Any:
        """Ask for a small form, then apply the service to each selected ticket; refusals per ticket."""
        if "apply" in request.POST:
            form = form_class(request.POST)
            if form.is_valid():
                done = 0
                for ticket in queryset:
                    try:
                        apply(ticket, form.cleaned_data)
                        done += 1
                    except DomainError as error:
                        self.message_user(request, f"{ticket}: {error.message}", messages.ERROR)
                if done:
                    self.message_user(
                        request,
                        ngettext("%(n)d ticket updated.", "%(n)d tickets updated.", done) % {"n": done},
                        messages.SUCCESS,
                    )
                return None
        else:
            form = form_class()
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "opts": self.model._meta,
            "action": request.POST.get("action", ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/feedback/action_form.html", context)

    @admin.action(description=_("Start work on the selected tickets (in progress)"))
    def start_work(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> Any:
        return self._status_action(request, queryset, S.IN_PROGRESS, _("Start work"))

    @admin.action(description=_("Resolve the selected tickets"))
    def resolve(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> Any:
        return self._status_action(request, queryset, S.RESOLVED, _("Resolve"))

    @admin.action(description=_("Close the selected tickets"))
    def close(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> Any:
        return self._status_action(request, queryset, S.CLOSED, _("Close"))

    @admin.action(description=_("Set the priority (recomputes the SLA deadline)"))
    def set_priority(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> Any:
        def apply(ticket: Ticket, data: dict[str, Any]) -> None:
            ticket_priority_change(staff=request.user, ticket=ticket, priority=data["priority"], request=request)

        return self._form_action(request, queryset, PriorityForm, apply, _("Set the priority"))


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "trigger",
        "score",
        "branch",
        "customer_type",
        "kyc_level",
        "age_band",
        "tag_list",
        "comment",
    )
    list_filter = (
        "kind",
        "trigger",
        "customer_type",
        "kyc_level",
        "age_band",
        ("branch", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("branch",)
    search_fields = ("comment",)
    date_hierarchy = "created_at"
    fields = list_display
    readonly_fields = fields
    actions = ["export_csv"]
    change_list_template = "admin/feedback/surveyresponse/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[SurveyResponse]:
        return survey_response_qs_for_staff(request.user)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return super().get_actions(request) if request.user.has_perm("feedback.export_surveyresponse") else {}

    @admin.display(description=_("tags"))
    def tag_list(self, obj: SurveyResponse) -> str:
        return ", ".join(obj.tags)

    @admin.action(description=_("Export the selected responses as CSV (audited)"))
    def export_csv(self, request: HttpRequest, queryset: QuerySet[SurveyResponse]) -> HttpResponse | None:
        try:
            body = survey_responses_csv(staff=request.user, queryset=queryset, request=request)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return None
        response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="survey-responses-{timezone.now():%Y%m%d-%H%M}.csv"'
        return response

    def get_urls(self) -> list[Any]:
        return [
            path("nps/", self.admin_site.admin_view(self.nps_view), name="feedback_surveyresponse_nps"),
            *super().get_urls(),
        ]

    def nps_view(self, request: HttpRequest) -> HttpResponse:
        """NPS per month (or week), branch and segment, over the responses this staff member may see."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        dimension = request.GET.get("segment", "customer_type")
        dimension = dimension if dimension in SEGMENT_DIMENSIONS else "customer_type"
        period = "week" if request.GET.get("period") == "week" else "month"
        rows = nps_by_period(self.get_queryset(request), dimension=dimension, period=period)
        context = {
            **self.admin_site.each_context(request),
            "title": _("NPS over time per branch and segment"),
            "opts": self.model._meta,
            "rows": rows,
            "dimension": dimension,
            "dimensions": SEGMENT_DIMENSIONS,
            "period": period,
        }
        return TemplateResponse(request, "admin/feedback/surveyresponse/nps.html", context)


@admin.register(SurveyKeywordList)
class SurveyKeywordListAdmin(admin.ModelAdmin):
    """Bank-wide configuration (no customer data): who may change it is the model permission;
    every change is audited."""

    list_display = ("tag", "active", "keyword_count", "updated_at")
    list_filter = ("active",)
    fields = ("tag", "keywords", "active")

    @admin.display(description=_("keywords"))
    def keyword_count(self, obj: SurveyKeywordList) -> int:
        return len(obj.keyword_list())

    def save_model(self, request: HttpRequest, obj: SurveyKeywordList, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action="feedback.keywords.change" if change else "feedback.keywords.add",
            actor=request.user,
            obj=obj,
            changes={"fields": list(form.changed_data), "keywords": obj.keyword_list()[:50], "active": obj.active},
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: SurveyKeywordList) -> None:
        audit_record(action="feedback.keywords.delete", actor=request.user, obj=obj, request=request)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SurveyKeywordList]) -> None:
        for obj in queryset:
            audit_record(action="feedback.keywords.delete", actor=request.user, obj=obj, request=request)
        super().delete_queryset(request, queryset)
